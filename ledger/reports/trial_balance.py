"""Trial balance: debits, credits and balance per account and currency, summed in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ledger.books.models import Account, AccountBalance, JournalEntry, Posting


@dataclass(frozen=True)
class TrialBalanceLine:
    account: str
    account_type: str
    currency: str
    debits: int
    credits: int  # positive

    @property
    def balance(self) -> int:
        return self.debits - self.credits


@dataclass
class TrialBalance:
    as_of: date | None
    lines: list[TrialBalanceLine]

    def totals(self) -> dict[str, tuple[int, int]]:
        """Per currency: (debits, credits); equal in a balanced ledger."""
        totals: dict[str, tuple[int, int]] = {}
        for line in self.lines:
            debits, credits = totals.get(line.currency, (0, 0))
            totals[line.currency] = (debits + line.debits, credits + line.credits)
        return dict(sorted(totals.items()))


def trial_balance(session: Session, as_of: date | None = None) -> TrialBalance:
    """Every account with postings up to ``as_of`` (the whole journal when None: read
    from the turnover kept per account and currency, one row each, whatever the journal's
    size)."""
    if as_of is None:
        kept = (
            select(
                Account.name,
                Account.type,
                AccountBalance.currency,
                AccountBalance.debit_minor,
                AccountBalance.credit_minor,
            )
            .join(AccountBalance, AccountBalance.account_id == Account.id)
            .where(AccountBalance.posting_count > 0)
            .order_by(Account.name, AccountBalance.currency)
        )
        return TrialBalance(
            None,
            [
                TrialBalanceLine(name, account_type, currency, int(debits), int(credits))
                for name, account_type, currency, debits, credits in session.execute(kept)
            ],
        )
    debit = case((Posting.amount_minor > 0, Posting.amount_minor), else_=0)
    credit = case((Posting.amount_minor < 0, -Posting.amount_minor), else_=0)
    # Summed per account id and currency (the covering index's order: no sort, no table
    # reads when the whole journal is asked for), then named.
    sums = select(
        Posting.account_id,
        Posting.currency,
        func.sum(debit).label("debits"),
        func.sum(credit).label("credits"),
    ).group_by(Posting.account_id, Posting.currency)
    if as_of is not None:
        sums = sums.join(JournalEntry, JournalEntry.id == Posting.entry_id).where(
            JournalEntry.entry_date <= as_of
        )
    totals = sums.subquery()
    statement = (
        select(Account.name, Account.type, totals.c.currency, totals.c.debits, totals.c.credits)
        .join(totals, totals.c.account_id == Account.id)
        .order_by(Account.name, totals.c.currency)
    )
    lines = [
        TrialBalanceLine(name, account_type, currency, int(debits or 0), int(credits or 0))
        for name, account_type, currency, debits, credits in session.execute(statement)
    ]
    return TrialBalance(as_of, lines)
