"""One prisoner's fund over a period: opening, totals per category, closing, per currency.

A single SQL aggregation over the fund's postings joined to their entries (the
``(account_id, currency, entry_id)`` index finds the postings, the entry's
primary key its date), so the cost grows with one fund's history, not with
the journal.  Amounts are shown in the fund's natural sign: money held is
positive, a donation is positive, spending negative.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ledger.books.models import Account, JournalEntry, Posting
from ledger.money import Money


@dataclass(frozen=True)
class CurrencySummary:
    opening: Money
    by_category: dict[str, Money] = field(default_factory=dict)
    closing: Money | None = None


def prisoner_period_summary(
    session: Session, account: Account, start: date, end: date
) -> dict[str, CurrencySummary]:
    """Summary per currency of ``account`` for entries dated ``start``..``end`` (inclusive).

    Postings without a category are reported under ``"other"``.
    """
    before = JournalEntry.entry_date < start
    rows = session.execute(
        select(
            Posting.currency,
            before.label("before"),
            case((before, None), else_=Posting.category).label("category"),
            func.sum(Posting.amount_minor),
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.account_id == account.id, JournalEntry.entry_date <= end)
        .group_by(Posting.currency, "before", "category")
    )
    sign = account.normal_sign
    opening: dict[str, int] = defaultdict(int)
    period: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for currency, is_before, category, summed in rows:
        total = int(summed)  # PostgreSQL sums BIGINT as NUMERIC: exact, but a Decimal
        if is_before:
            opening[currency] += total * sign
        else:
            period[currency][category or "other"] += total * sign
    result = {}
    for currency in sorted(set(opening) | set(period)):
        totals = period.get(currency, {})
        closing = opening[currency] + sum(totals.values())
        result[currency] = CurrencySummary(
            opening=Money.from_minor(opening[currency], currency),
            by_category={name: Money.from_minor(minor, currency) for name, minor in sorted(totals.items())},
            closing=Money.from_minor(closing, currency),
        )
    return result
