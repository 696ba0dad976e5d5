"""A month's report to share in a channel, per prisoner and for the organisation: what came in,
what was spent on food, parcels, commissary and letters, and the balance, from the public
figures only.

Every figure comes through ``public_month_report``: one call into the public report machinery
(``prisoner_report`` as of the latest checkpoint, ledger/checkpoints/as_of.py).  When the way
public figures are computed changes (published releases, issue 26), that one function is what
changes; nothing here reads the journal on its own.  The letters count is the public count
(ledger/letters/letters.py), which says nothing about who wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.checkpoints.as_of import AsOf, public_as_of
from ledger.funds.models import Prisoner
from ledger.letters.letters import letters_in_month
from ledger.money import Money
from ledger.reports.periods import Period, month_end
from ledger.reports.prisoner_report import PrisonerReport, prisoner_report

# The spending lines the post names; anything else is "other" (clothing, other).
NAMED_SPENDING = ("food", "parcels", "commissary", "letters")


def public_month_report(session: Session, prisoner: Prisoner, month: date) -> tuple[PrisonerReport, AsOf]:
    """THE one call into the public figures: the prisoner's report for the calendar month as
    the public sees it (the latest checkpoint).  Swap this when public figures change."""
    as_of = public_as_of(session)
    return prisoner_report(session, prisoner, Period(month, month_end(month)), as_of=as_of), as_of


@dataclass
class MonthLine:
    """One currency's figures of a month's post, in minor units, shown positive."""

    currency: str
    received: int = 0
    spent: dict[str, int] = field(default_factory=dict)
    other_spent: int = 0
    closing: int = 0

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)


@dataclass
class MonthPost:
    month: date
    as_of: AsOf
    lines: list[MonthLine]
    letters: int
    prisoner: Prisoner | None = None  # None: the organisation
    prisoners: int = 0  # for the organisation: how many public prisoners it covers

    @property
    def published(self) -> bool:
        return self.as_of.checkpoint is not None

    @property
    def complete(self) -> bool:
        """Whether the latest checkpoint was made after the month ended (the month is closed)."""
        return self.as_of.as_of_date is not None and self.as_of.as_of_date > month_end(self.month)


def _lines(report: PrisonerReport, into: dict[str, MonthLine]) -> None:
    for currency in report.currencies:
        line = into.setdefault(currency.currency, MonthLine(currency.currency))
        line.received += currency.received
        for category, minor in currency.spent.items():
            if category in NAMED_SPENDING:
                line.spent[category] = line.spent.get(category, 0) + minor
            else:
                line.other_spent += minor
        line.closing += currency.closing


def prisoner_month_post(session: Session, prisoner: Prisoner, month: date) -> MonthPost:
    report, as_of = public_month_report(session, prisoner, month)
    lines: dict[str, MonthLine] = {}
    if as_of.checkpoint is not None:
        _lines(report, lines)
    return MonthPost(
        month=month,
        as_of=as_of,
        lines=[lines[c] for c in sorted(lines)],
        letters=letters_in_month(session, as_of=as_of, month=month, prisoner=prisoner),
        prisoner=prisoner,
    )


def organisation_month_post(session: Session, month: date) -> MonthPost:
    """The same figures summed over every public prisoner (the general fund is not a prisoner's
    fund and is left out: its money is counted when it is moved to one)."""
    as_of = public_as_of(session)
    lines: dict[str, MonthLine] = {}
    public = list(session.scalars(select(Prisoner).where(Prisoner.public.is_(True)).order_by(Prisoner.id)))
    if as_of.checkpoint is not None:
        for prisoner in public:
            report, _as_of = public_month_report(session, prisoner, month)
            _lines(report, lines)
    return MonthPost(
        month=month,
        as_of=as_of,
        lines=[lines[c] for c in sorted(lines)],
        letters=letters_in_month(session, as_of=as_of, month=month),
        prisoners=len(public),
    )
