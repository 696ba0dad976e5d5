"""Moving money between funds: allocations from the general fund to prisoners, and back."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import FUND_PREFIX
from ledger.books.errors import InvalidEntry
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.database import utcnow
from ledger.money import Money
from ledger.text import clean_text


def transfer_between_funds(
    session: Session,
    *,
    from_fund: Account,
    to_fund: Account,
    money: Money,
    on: date,
    memo: str | None = None,
    recorded_by=None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Debit one fund and credit another in one currency; the source must cover it."""
    for name, account in (("from_fund", from_fund), ("to_fund", to_fund)):
        if not isinstance(account, Account) or not account.name.startswith(FUND_PREFIX):
            raise InvalidEntry("not a fund", field=name, reason="not_a_fund")
    if from_fund.id == to_fund.id:
        raise InvalidEntry("same fund", field="to_fund", reason="same_fund")
    if money.minor <= 0:
        raise InvalidEntry("positive amount", field="amount", reason="zero_amount")
    if on > utcnow().date():
        raise InvalidEntry("date in the future", field="on", reason="date_in_future")
    memo = clean_text(memo, max_length=500) or None
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=memo or "Transfer between funds",
            postings=[
                PostingDraft(from_fund, money, "transfer"),
                PostingDraft(to_fund, -money, "transfer", memo),
            ],
            idempotency_key=idempotency_key,
        ),
        recorded_by=recorded_by,
    )
    record_audit(
        session,
        "transfer.recorded",
        user=recorded_by,
        target=f"entry:{entry.id}",
        from_fund=from_fund.name,
        to_fund=to_fund.name,
        amount=str(money.amount),
        currency=money.currency,
    )
    return entry
