"""Pledge fulfilment: what each pledge promised per month against what arrived, and each
pledge's status by the schedule rules the coordinators' list and the pledge job use
(``ledger/funds/schedules.py``).  Donations are summed per pledge and month in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ledger.books.reversals import has_reversal
from ledger.funds.kinds import PledgeStatus
from ledger.funds.models import Donation, Pledge
from ledger.funds.schedules import PledgeState, pledge_states
from ledger.money import Money
from ledger.platform.database import utc_today
from ledger.reports.periods import add_months, month_columns, month_start, months_between


@dataclass
class PledgeMonth:
    month: date
    expected: int
    received: int


@dataclass
class PledgeFulfilment:
    pledge: Pledge
    months: list[PledgeMonth]
    state: PledgeState

    @property
    def status(self) -> str:
        return self.state.status

    @property
    def lapsed(self) -> bool:
        return self.state.status == PledgeStatus.LAPSED

    @property
    def expected_total(self) -> Money:
        return Money.from_minor(sum(m.expected for m in self.months), self.pledge.currency)

    @property
    def received_total(self) -> Money:
        return Money.from_minor(sum(m.received for m in self.months), self.pledge.currency)

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.pledge.currency)


def _expected(pledge: Pledge, month: date) -> int:
    if pledge.status == PledgeStatus.CANCELLED:
        return 0
    if pledge.frequency == "one_off":
        return pledge.amount_minor if month == month_start(pledge.starts_on) else 0
    if month < month_start(pledge.starts_on):
        return 0
    if pledge.ends_on is not None and month > pledge.ends_on:
        return 0
    return pledge.amount_minor


def _not_reversed() -> ColumnElement[bool]:
    """Donations whose entry has not been reversed (a bounced transfer is not a gift)."""
    return ~has_reversal(Donation.entry_id)


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
    received: dict[tuple[int | None, date], int] = {}  # the join leaves no gift without a pledge
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
    pledges = session.scalars(
        select(Pledge).where(Pledge.starts_on < add_months(end, 1)).order_by(Pledge.starts_on, Pledge.id)
    ).all()
    states = pledge_states(session, list(pledges), today)
    result = []
    for pledge in pledges:
        months = [PledgeMonth(m, _expected(pledge, m), received.get((pledge.id, m), 0)) for m in calendar]
        result.append(PledgeFulfilment(pledge, months, states[pledge.id]))
    return result
