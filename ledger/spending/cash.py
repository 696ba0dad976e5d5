"""Coordinators' cash: advances from the bank, returns, and what was spent from it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import BANK_PREFIX, CASH_PREFIX, get_or_create_account
from ledger.books.errors import InvalidEntry
from ledger.books.holds import Approval
from ledger.books.models import Account, JournalEntry, Posting
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.money import Money
from ledger.spending.approvals import needs_approval, request_approval
from ledger.text import TextError, clean_text


def cash_account_name(user) -> str:
    # The id, not the name: exports are public and coordinators may be at risk too.
    return f"{CASH_PREFIX}coordinator-{user.id}"


def cash_account_for(session: Session, user) -> Account:
    """The cash box of a coordinator, created on first use."""
    return get_or_create_account(session, cash_account_name(user), label=user.display_name or user.email)


def cash_accounts(session: Session) -> list[Account]:
    return list(
        session.scalars(select(Account).where(Account.name.startswith(CASH_PREFIX)).order_by(Account.name))
    )


def move_cash(
    session: Session,
    *,
    from_account: Account,
    to_account: Account,
    money: Money,
    on: date,
    memo: str | None = None,
    recorded_by=None,
    idempotency_key: str | None = None,
    approved_by=None,
) -> JournalEntry | Approval:
    """A cash advance (bank → cash) or a return (cash → bank); nothing else.

    At or above the currency's approval threshold it waits for a second person
    (a pending ``Approval`` is returned) unless ``approved_by`` signs it off.
    """
    names = (from_account.name, to_account.name)
    is_advance = names[0].startswith(BANK_PREFIX) and names[1].startswith(CASH_PREFIX)
    is_return = names[0].startswith(CASH_PREFIX) and names[1].startswith(BANK_PREFIX)
    if not (is_advance or is_return):
        raise InvalidEntry("bank and cash", field="to_account", reason="bad_cash_movement")
    if money.minor <= 0:
        raise InvalidEntry("positive amount", field="amount", reason="zero_amount")
    try:
        memo = clean_text(memo) or None
    except TextError as error:
        raise InvalidEntry(error.code, field="memo", reason=error.code, **error.params) from None
    description = memo or ("Cash advance" if is_advance else "Cash returned to the bank")
    postings = [
        PostingDraft(to_account, money, "transfer"),
        PostingDraft(from_account, -money, "transfer"),
    ]
    if approved_by is None and needs_approval(session, money):
        return request_approval(
            session,
            kind="cash",
            money=money,
            postings=postings,
            description=description,
            payload={
                "from_account_id": from_account.id,
                "to_account_id": to_account.id,
                "on": on.isoformat(),
                "memo": memo,
                "idempotency_key": idempotency_key,
            },
            author=recorded_by,
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
        "cash.advance" if is_advance else "cash.returned",
        user=recorded_by,
        target=f"entry:{entry.id}",
        amount=str(money.amount),
        currency=money.currency,
        **({"approved_by": approved_by.id} if approved_by is not None else {}),
    )
    return entry


def spent_from(session: Session, account: Account, limit: int = 50) -> list[tuple[JournalEntry, Posting]]:
    """The latest entries that took money out of ``account``, newest first."""
    rows = session.execute(
        select(JournalEntry, Posting)
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(Posting.account_id == account.id, Posting.amount_minor < 0)
        .order_by(JournalEntry.id.desc())
        .limit(limit)
    )
    return [(entry, posting) for entry, posting in rows]
