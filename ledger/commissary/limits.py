"""Monthly limits: how much a prisoner may spend a month from money sent to their personal
account (лицевой счёт), and the personal-account view (in transit, credited this month, the
limit and what is left).

The Penal Enforcement Code (УИК РФ, Федеральный закон от 08.01.1997 № 1-ФЗ) lets wages,
pensions and social benefits be spent without limit (ст. 88 ч. 2); other money on the account
— what supporters send — may be spent only up to a monthly amount set per regime and
conditions by the regime articles (ст. 121, 123, 125, 131; ст. 88 ч. 3–4).  Federal Law
№ 211-ФЗ of 13.06.2023 changed these amounts.  Only the figure we could read in a published
text of the article is seeded (ст. 121 ч. 1 п. «а», general-regime colony, ordinary conditions:
9,000 ₽ a month, in the edition of Federal Law № 260-ФЗ of 13.07.2015 — check it against the
current edition); every other row names its article and starts with no amount, which checks
nothing until an admin enters the figure from the Code's current text (the migration seeds the
same rows; the rules are edited like the parcel rules).

A transfer counts against the month it was sent in: what was credited that month, plus what
is still in transit, plus the new transfer must stay within the limit.  A coordinator may allow
more with a reason (the facility lets the prisoner spend more as an incentive, ст. 88 ч. 4;
money for a purchase the limit does not cover); the reason is kept with the transfer, in the
audit log and in the transfers report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry, LedgerError
from ledger.books.posting import Recorder
from ledger.commissary.kinds import LIMIT_CONDITIONS, TransferStatus
from ledger.commissary.models import CommissaryLimit, CommissaryTransfer
from ledger.funds.kinds import FACILITY_KINDS, REGIMES
from ledger.funds.models import Facility, Prisoner
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text

# (facility kind, regime, conditions, RUB a month or None, legal basis)
# fmt: off
DEFAULT_LIMITS: tuple[tuple[str, str, str, int | None, str], ...] = (
    ("colony", "general", "ordinary", 9_000, "УИК РФ ст. 121 ч. 1 п. «а» (ред. 260-ФЗ от 13.07.2015; "
     "сверить с ред. 211-ФЗ от 13.06.2023)"),
    ("colony", "general", "lightened", None, "УИК РФ ст. 121 ч. 2 п. «а»"),
    ("colony", "general", "strict", None, "УИК РФ ст. 121 ч. 3 п. «а»"),
    ("colony", "strict", "ordinary", None, "УИК РФ ст. 123 ч. 1 п. «а»"),
    ("colony", "strict", "lightened", None, "УИК РФ ст. 123 ч. 2 п. «а»"),
    ("colony", "strict", "strict", None, "УИК РФ ст. 123 ч. 3 п. «а»"),
    ("colony", "special", "ordinary", None, "УИК РФ ст. 125 ч. 1 п. «а»"),
    ("colony", "special", "lightened", None, "УИК РФ ст. 125 ч. 2 п. «а»"),
    ("colony", "special", "strict", None, "УИК РФ ст. 125 ч. 3 п. «а»"),
    ("prison", "general", "any", None, "УИК РФ ст. 131 ч. 4 п. «а»"),
    ("prison", "strict", "any", None, "УИК РФ ст. 131 ч. 5 п. «а»"),
)
# fmt: on
LIMIT_CURRENCY = "RUB"


class OverMonthlyLimit(LedgerError):
    """The transfer would take the month's money past the prisoner's monthly limit."""

    code = "over_monthly_limit"


class CommissaryLimitError(InvalidEntry):
    """A limit's field is not acceptable; ``params["reason"]`` names why."""


def limit_for(session: Session, facility: Facility | None, conditions: str | None) -> CommissaryLimit | None:
    """The limit for the facility's kind and regime and the prisoner's conditions; unknown
    conditions count as ordinary (arrivals are placed in ordinary conditions, УИК ст. 120 ч. 1),
    and a row for "any" conditions applies when there is none for the prisoner's own."""
    if facility is None:
        return None
    rows = {
        row.conditions: row
        for row in session.scalars(
            select(CommissaryLimit).where(
                CommissaryLimit.facility_kind == facility.kind, CommissaryLimit.regime == facility.regime
            )
        )
    }
    return rows.get(conditions or "ordinary") or rows.get("any")


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return start, end


@dataclass(frozen=True)
class PersonalAccount:
    """A prisoner's personal account as we know it, for one currency and month."""

    currency: str
    month: date
    in_transit: Money
    credited: Money  # credited in ``month``
    limit: Money | None  # None: no limit recorded
    legal_basis: str | None

    @property
    def left(self) -> Money | None:
        if self.limit is None:
            return None
        used = self.in_transit.minor + self.credited.minor
        return Money.from_minor(max(self.limit.minor - used, 0), self.currency)


def personal_account(
    session: Session, prisoner: Prisoner, *, on: date | None = None, currency: str = LIMIT_CURRENCY
) -> PersonalAccount:
    on = on or utcnow().date()
    start, end = month_bounds(on)
    transit = session.scalar(
        select(func.coalesce(func.sum(CommissaryTransfer.amount_minor), 0)).where(
            CommissaryTransfer.prisoner_id == prisoner.id,
            CommissaryTransfer.currency == currency,
            CommissaryTransfer.status == TransferStatus.IN_TRANSIT,
        )
    )
    credited = session.scalar(
        select(func.coalesce(func.sum(CommissaryTransfer.amount_minor), 0)).where(
            CommissaryTransfer.prisoner_id == prisoner.id,
            CommissaryTransfer.currency == currency,
            CommissaryTransfer.status == TransferStatus.CREDITED,
            CommissaryTransfer.settled_on >= start,
            CommissaryTransfer.settled_on < end,
        )
    )
    rule = limit_for(session, prisoner.facility, prisoner.conditions)
    limit = rule.limit if rule is not None and rule.currency == currency else None
    return PersonalAccount(
        currency=currency,
        month=start,
        in_transit=Money.from_minor(int(transit or 0), currency),
        credited=Money.from_minor(int(credited or 0), currency),
        limit=limit,
        legal_basis=rule.legal_basis if rule is not None else None,
    )


def check_limit(session: Session, prisoner: Prisoner, money: Money, *, on: date) -> None:
    """Refuse (OverMonthlyLimit, with the limit and what is left) a transfer that would pass
    the month's limit.  The caller holds the ledger's write lock."""
    account = personal_account(session, prisoner, on=on, currency=money.currency)
    left = account.left
    if left is not None and money.minor > left.minor:
        raise OverMonthlyLimit(
            "over the monthly limit", field="money", limit=account.limit, left=left, amount=money
        )


def all_limits(session: Session) -> list[CommissaryLimit]:
    return list(
        session.scalars(
            select(CommissaryLimit).order_by(
                CommissaryLimit.facility_kind, CommissaryLimit.regime, CommissaryLimit.conditions
            )
        )
    )


def save_limit(
    session: Session,
    limit: CommissaryLimit | None,
    values: dict[str, object],
    *,
    actor: Recorder | None = None,
) -> CommissaryLimit:
    """Create (``limit`` None) or change a monthly limit; every change is in the audit log."""
    kind = values.get("facility_kind", limit.facility_kind if limit else None)
    regime = values.get("regime", limit.regime if limit else None)
    conditions = values.get("conditions", limit.conditions if limit else None)
    if not isinstance(kind, str) or kind not in FACILITY_KINDS:
        raise CommissaryLimitError("kind", field="facility_kind", reason="unknown_facility_kind")
    if not isinstance(regime, str) or regime not in REGIMES:
        raise CommissaryLimitError("regime", field="regime", reason="unknown_regime")
    if not isinstance(conditions, str) or conditions not in LIMIT_CONDITIONS:
        raise CommissaryLimitError("conditions", field="conditions", reason="unknown_conditions")
    amount = values.get("amount", limit.limit if limit else None)
    if amount is not None and (not isinstance(amount, Money) or amount.minor < 0):
        raise CommissaryLimitError("amount", field="amount", reason="zero_amount")
    try:
        basis = clean_text(values.get("legal_basis", limit.legal_basis if limit else None), max_length=500)
    except TextError as error:
        raise CommissaryLimitError(error.code, field="legal_basis", reason=error.code) from None
    clash = session.scalar(
        select(CommissaryLimit).where(
            CommissaryLimit.facility_kind == kind,
            CommissaryLimit.regime == regime,
            CommissaryLimit.conditions == conditions,
        )
    )
    if clash is not None and clash is not limit:
        raise CommissaryLimitError("exists", field="conditions", reason="commissary_limit_exists")
    created = limit is None
    if limit is None:
        limit = CommissaryLimit(facility_kind=kind, regime=regime, conditions=conditions)
    limit.facility_kind, limit.regime, limit.conditions = kind, regime, conditions
    limit.currency = amount.currency if amount is not None else (limit.currency or LIMIT_CURRENCY)
    limit.amount_minor = amount.minor if amount is not None else None
    limit.legal_basis = basis or None
    limit.updated_by_id = getattr(actor, "id", None)
    limit.updated_at = utcnow()
    session.add(limit)
    session.flush()
    record_audit(
        session,
        "commissary_limit.created" if created else "commissary_limit.updated",
        user=actor,
        target=f"commissary_limit:{limit.id}",
        facility_kind=kind,
        regime=regime,
        conditions=conditions,
        amount=None if amount is None else str(amount.amount),
        currency=limit.currency,
    )
    return limit
