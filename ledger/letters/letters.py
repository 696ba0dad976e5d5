"""Letters sent to prisoners: recorded with what they cost, paid through the spending rules.

A paid letter is ordinary spending of category ``letters`` from the prisoner's fund, posted by
``record_disbursement`` (ledger/spending/disbursements.py): the fund must cover it, the
prisoner's whereabouts must be known, and from the sign-off threshold on it waits for a
second person like any spending.  Its cost follows the service's prices — a letter, a reply
form, each image — unless ``cost`` is given.  A free letter (RosUznik, or a cost of 0) posts
nothing but is recorded and counted.  Public pages count letters per month and say nothing
about who wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry, LedgerError
from ledger.books.holds import Approval
from ledger.books.kinds import Category
from ledger.books.models import Account
from ledger.books.posting import Recorder
from ledger.checkpoints.as_of import AsOf
from ledger.funds.lifecycle import ensure_reachable
from ledger.funds.models import Prisoner
from ledger.letters.models import Letter, LetterService
from ledger.letters.services import PRICE_CURRENCY
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.reports.periods import add_months, month_start
from ledger.spending.disbursements import record_disbursement

MAX_PAGES = 100
MAX_IMAGES = 50


class LetterAlreadyAnswered(LedgerError):
    """A reply to the letter is already recorded (a conflict with the state, not bad input)."""

    code = "letter_already_answered"


def _count(value: object, field_name: str, *, minimum: int, maximum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise InvalidEntry("bad count", field=field_name, reason="letter_bad_count", max=maximum)
    return value


def service_cost(service: LetterService, *, images: int, reply_form: bool) -> Money | None:
    """What the service charges for one letter with ``images`` and a reply form, or None when
    a price it would need is not known."""
    parts = [service.letter_price_minor]
    if images:
        parts.append(None if service.image_price_minor is None else service.image_price_minor * images)
    if reply_form:
        parts.append(service.reply_form_price_minor)
    if any(part is None for part in parts):
        return None
    return Money.from_minor(sum(part or 0 for part in parts), PRICE_CURRENCY)


def record_letter(
    session: Session,
    *,
    prisoner: Prisoner,
    service: LetterService,
    sent_on: date,
    pages: object = 1,
    images: object = 0,
    reply_form: object = False,
    cost: Money | None = None,
    paid_from: Account | None = None,
    recorded_by: Recorder | None = None,
) -> Letter:
    """Record a letter; a paid one also posts (or holds for sign-off) its ``letters`` spending.

    Refused, with nothing written: an inactive service, counts out of range, a date in the
    future, a letter to someone whose whereabouts are unknown, a cost the service's prices
    cannot give (``letter_cost_required``), a paid letter without ``paid_from``, and whatever
    the spending rules refuse (insufficient funds, a closed or foreign-currency account).
    """
    if not isinstance(service, LetterService) or not service.active:
        raise InvalidEntry("unknown service", field="service", reason="unknown_letter_service")
    pages = _count(pages, "pages", minimum=1, maximum=MAX_PAGES)
    images = _count(images, "images", minimum=0, maximum=MAX_IMAGES)
    if not isinstance(reply_form, bool):
        raise InvalidEntry("true or false", field="reply_form", reason="not_boolean")
    if not isinstance(sent_on, date) or sent_on < date(2000, 1, 1):
        raise InvalidEntry("bad date", field="sent_on", reason="invalid_date")
    if sent_on > utcnow().date():
        raise InvalidEntry("date in the future", field="sent_on", reason="date_in_future")
    ensure_reachable(session, prisoner)
    if cost is None:
        cost = service_cost(service, images=images, reply_form=reply_form)
        if cost is None:
            raise InvalidEntry(
                "cost needed", field="cost", reason="letter_cost_required", service=service.name
            )
    elif not isinstance(cost, Money) or cost.minor < 0:
        raise InvalidEntry("bad cost", field="cost", reason="invalid_amount")
    if cost.minor > 0 and paid_from is None:
        raise InvalidEntry("paid from what", field="paid_from", reason="letter_paid_from_required")
    letter = Letter(
        prisoner_id=prisoner.id,
        service_id=service.id,
        facility_id=prisoner.facility_id,
        sent_on=sent_on,
        pages=pages,
        images=images,
        reply_form=reply_form,
        cost_minor=cost.minor,
        currency=cost.currency,
        paid_from_id=paid_from.id if cost.minor > 0 and paid_from is not None else None,
        recorded_by_id=getattr(recorded_by, "id", None),
    )
    session.add(letter)
    session.flush()
    if cost.minor > 0 and paid_from is not None:
        result = record_disbursement(
            session,
            prisoner=prisoner,
            money=cost,
            category=Category.LETTERS,
            paid_from=paid_from,
            spent_on=sent_on,
            recorded_by=recorded_by,
            idempotency_key=f"letter:{letter.id}",
        )
        if isinstance(result, Approval):
            letter.approval_id = result.id
        else:
            letter.entry_id = result.id
    session.flush()
    record_audit(
        session,
        "letter.recorded",
        user=recorded_by,
        target=f"prisoner:{prisoner.slug}",
        letter=letter.id,
        service=service.key,
        amount=str(cost.amount),
        currency=cost.currency,
        entry=letter.entry_id,
        approval=letter.approval_id,
    )
    return letter


def record_reply(
    session: Session, letter: Letter, *, on: date, recorded_by: Recorder | None = None
) -> Letter:
    """The prisoner answered ``letter`` on ``on`` (once)."""
    if not isinstance(on, date):
        raise InvalidEntry("bad date", field="on", reason="invalid_date")
    if on > utcnow().date():
        raise InvalidEntry("date in the future", field="on", reason="date_in_future")
    if on < letter.sent_on:
        raise InvalidEntry("reply before letter", field="on", reason="reply_before_letter")
    if letter.replied_on is not None:
        raise LetterAlreadyAnswered("already answered", field="on", replied_on=letter.replied_on)
    letter.replied_on = on
    session.flush()
    record_audit(
        session,
        "letter.replied",
        user=recorded_by,
        target=f"prisoner:{letter.prisoner.slug}",
        letter=letter.id,
    )
    return letter


def letter_entry_id(letter: Letter) -> int | None:
    """The spending entry of a paid letter, once posted (directly or on sign-off)."""
    if letter.entry_id is not None:
        return letter.entry_id
    return letter.approval.entry_id if letter.approval is not None else None


def letter_status(letter: Letter) -> str:
    """free, posted, pending (waiting for sign-off) or refused (rejected or withdrawn)."""
    if not letter.paid:
        return "free"
    if letter_entry_id(letter) is not None:
        return "posted"
    if letter.approval is not None and letter.approval.status == "pending":
        return "pending"
    return "refused"


def letters_for(
    session: Session,
    *,
    prisoner: Prisoner | None = None,
    start: date | None = None,
    end: date | None = None,
    unanswered: bool = False,
    limit: int | None = None,
) -> list[Letter]:
    """Letters, newest first, for coordinators and auditors."""
    query = select(Letter).order_by(Letter.sent_on.desc(), Letter.id.desc())
    if prisoner is not None:
        query = query.where(Letter.prisoner_id == prisoner.id)
    if start is not None:
        query = query.where(Letter.sent_on >= start)
    if end is not None:
        query = query.where(Letter.sent_on <= end)
    if unanswered:
        query = query.where(Letter.replied_on.is_(None))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


@dataclass(frozen=True)
class MonthLetters:
    """One prisoner's letters in one month, for the coordinators' overview."""

    prisoner: Prisoner
    month: date
    sent: int
    answered: int
    cost: dict[str, int]

    @property
    def unanswered(self) -> int:
        return self.sent - self.answered


class _Tally(TypedDict):
    sent: int
    answered: int
    cost: dict[str, int]


def letters_by_month(session: Session, *, start: date, end: date) -> list[MonthLetters]:
    """Per prisoner and month between ``start`` and ``end``: letters sent, answered, and paid."""
    rows: dict[tuple[int, date], _Tally] = {}
    prisoners: dict[int, Prisoner] = {}
    for letter in letters_for(session, start=start, end=end):
        key = (letter.prisoner_id, month_start(letter.sent_on))
        prisoners[letter.prisoner_id] = letter.prisoner
        row = rows.setdefault(key, {"sent": 0, "answered": 0, "cost": {}})
        row["sent"] += 1
        row["answered"] += letter.replied_on is not None
        if letter.paid:
            row["cost"][letter.currency] = row["cost"].get(letter.currency, 0) + letter.cost_minor
    result = [
        MonthLetters(prisoners[pid], month, row["sent"], row["answered"], row["cost"])
        for (pid, month), row in rows.items()
    ]
    return sorted(result, key=lambda item: (-item.month.toordinal(), item.prisoner.name))


def public_letter_counts(
    session: Session, *, as_of: AsOf, prisoner: Prisoner | None = None, months: int = 12
) -> list[tuple[date, int]]:
    """How many letters were sent per month (the last ``months`` months, newest first, months
    with none left out), as the public may see them: letters recorded by the time of the
    latest checkpoint, to public prisoners only.  Nothing about who wrote or what it cost."""
    if as_of.live:
        limit: datetime | None = None
        today = utcnow().date()
    elif as_of.checkpoint is None:
        return []
    else:
        limit = as_of.checkpoint.created_at
        today = limit.date()
    first = add_months(month_start(today), -(months - 1))
    query = (
        select(Letter.sent_on)
        .join(Prisoner, Prisoner.id == Letter.prisoner_id)
        .where(Letter.sent_on >= first, Letter.sent_on <= today)
    )
    if limit is not None:
        query = query.where(Letter.recorded_at <= limit, Prisoner.public.is_(True))
    if prisoner is not None:
        query = query.where(Letter.prisoner_id == prisoner.id)
    counts: dict[date, int] = {}
    for (sent_on,) in session.execute(query):
        month = month_start(sent_on)
        counts[month] = counts.get(month, 0) + 1
    return sorted(counts.items(), reverse=True)


def letters_in_month(session: Session, *, as_of: AsOf, month: date, prisoner: Prisoner | None = None) -> int:
    """The public count of letters sent in ``month`` (see ``public_letter_counts``)."""
    end = add_months(month, 1)
    query = (
        select(func.count(Letter.id))
        .join(Prisoner, Prisoner.id == Letter.prisoner_id)
        .where(Letter.sent_on >= month, Letter.sent_on < end)
    )
    if not as_of.live:
        if as_of.checkpoint is None:
            return 0
        query = query.where(Letter.recorded_at <= as_of.checkpoint.created_at, Prisoner.public.is_(True))
    if prisoner is not None:
        query = query.where(Letter.prisoner_id == prisoner.id)
    return int(session.scalar(query) or 0)
