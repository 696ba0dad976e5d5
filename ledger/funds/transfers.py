"""Moving money between funds: allocations from the general fund to prisoners, and back."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import FUND_PREFIX
from ledger.books.descriptions import describe
from ledger.books.errors import InvalidEntry
from ledger.books.holds import Approval
from ledger.books.kinds import ApprovalKind
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, post_entry
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import clean_text
from ledger.spending.approvals import needs_approval, request_approval


def transfer_between_funds(
    session: Session,
    *,
    from_fund: Account,
    to_fund: Account,
    money: Money,
    on: date,
    memo: str | None = None,
    recorded_by: Recorder | None = None,
    idempotency_key: str | None = None,
    approved_by: Recorder | None = None,
) -> JournalEntry | Approval:
    """Debit one fund and credit another in one currency; the source must cover it.

    At or above the currency's approval threshold it waits for a second person
    (a pending ``Approval`` is returned) unless ``approved_by`` signs it off.
    """
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
    description = memo or describe("fund_transfer")
    postings = [
        PostingDraft(from_fund, money, "transfer"),
        PostingDraft(to_fund, -money, "transfer", memo),
    ]
    if approved_by is None and needs_approval(session, money):
        return request_approval(
            session,
            kind=ApprovalKind.TRANSFER,
            money=money,
            postings=postings,
            description=description,
            payload={
                "from_fund_id": from_fund.id,
                "to_fund_id": to_fund.id,
                "on": on.isoformat(),
                "memo": memo,
                "idempotency_key": idempotency_key,
            },
            author=recorded_by,
            prisoner=from_fund.prisoner or to_fund.prisoner,
        )
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=description,
            postings=postings,
            idempotency_key=idempotency_key,
        ),
        recorded_by=recorded_by,
        approved_by=approved_by,
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
        **({"approved_by": approved_by.id} if approved_by is not None else {}),
    )
    return entry
