"""Pledge fulfilment: what each pledge promised per month against what arrived, and
which monthly pledges have lapsed.  Donations are summed per pledge and month in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.books.models import JournalEntry
from ledger.database import utc_today
from ledger.funds.models import Donation, Pledge
from ledger.money import Money
from ledger.reports.periods import add_months, month_columns, month_start, months_between

# A monthly pledge with nothing received in this many whole months before the current one has lapsed.
LAPSE_MONTHS = 2


@dataclass
class PledgeMonth:
    month: date
    expected: int
    received: int


@dataclass
class PledgeFulfilment:
    pledge: Pledge
    months: list[PledgeMonth]
    lapsed: bool

    @property
    def expected_total(self) -> Money:
        return Money.from_minor(sum(m.expected for m in self.months), self.pledge.currency)

    @property
    def received_total(self) -> Money:
        return Money.from_minor(sum(m.received for m in self.months), self.pledge.currency)

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.pledge.currency)


def _expected(pledge: Pledge, month: date) -> int:
    if pledge.status == "cancelled":
        return 0
    if pledge.frequency == "one_off":
        return pledge.amount_minor if month == month_start(pledge.starts_on) else 0
    if month < month_start(pledge.starts_on):
        return 0
    if pledge.ends_on is not None and month > pledge.ends_on:
        return 0
    return pledge.amount_minor


def is_lapsed(pledge: Pledge, last_received: date | None, today: date) -> bool:
    """An active monthly pledge with nothing received for LAPSE_MONTHS whole months."""
    lapse_before = add_months(month_start(today), -LAPSE_MONTHS)
    return (
        pledge.status == "active"
        and pledge.frequency == "monthly"
        and pledge.starts_on < lapse_before
        and (pledge.ends_on is None or pledge.ends_on >= lapse_before)
        and (last_received is None or last_received < lapse_before)
    )


def _not_reversed():
    """Donations whose entry has not been reversed (a bounced transfer is not a gift)."""
    return Donation.entry_id.not_in(
        select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.is_not(None))
    )


def pledge_fulfilment(
    session: Session, *, start: date | None = None, end: date | None = None, today: date | None = None
) -> list[PledgeFulfilment]:
    """Every pledge with expected and received amounts per month from ``start`` to ``end``
    (default: the last twelve months), oldest pledge first."""
    today = today or utc_today()
    end = month_start(end or today)
    start = month_start(start or add_months(end, -11))
    calendar = months_between(start, end)
    year, month = month_columns(Donation.received_on)
    received: dict[tuple[int, date], int] = {}
    for pledge_id, y, m, total in session.execute(
        select(Donation.pledge_id, year, month, func.sum(Donation.amount_minor))
        .join(Pledge, Pledge.id == Donation.pledge_id)
        .where(
            Donation.currency == Pledge.currency,
            Donation.received_on >= start,
            Donation.received_on < add_months(end, 1),
            _not_reversed(),
        )
        .group_by(Donation.pledge_id, year, month)
    ):
        received[(pledge_id, date(int(y), int(m), 1))] = int(total)
    last_received = dict(
        session.execute(
            select(Donation.pledge_id, func.max(Donation.received_on))
            .where(Donation.pledge_id.is_not(None), _not_reversed())
            .group_by(Donation.pledge_id)
        ).all()
    )
    result = []
    for pledge in session.scalars(
        select(Pledge).where(Pledge.starts_on < add_months(end, 1)).order_by(Pledge.starts_on, Pledge.id)
    ):
        months = [PledgeMonth(m, _expected(pledge, m), received.get((pledge.id, m), 0)) for m in calendar]
        result.append(
            PledgeFulfilment(pledge, months, is_lapsed(pledge, last_received.get(pledge.id), today))
        )
    return result
