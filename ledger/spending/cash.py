"""Coordinators' cash: advances from the bank, returns, and what was spent from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.access.models import User
from ledger.books.accounts import CASH_PREFIX, check_currency, find_account, get_or_create_account
from ledger.books.descriptions import describe
from ledger.books.errors import AccountClosed, InvalidEntry
from ledger.books.holds import Approval
from ledger.books.kinds import ApprovalKind, AssetKind
from ledger.books.models import Account, JournalEntry, Posting
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, post_entry
from ledger.money import Money
from ledger.platform.text import TextError, clean_text
from ledger.signoff.requests import request_approval
from ledger.signoff.thresholds import needs_approval


def cash_account_name(user: User, currency: str) -> str:
    # The id, not the name: exports are public and coordinators may be at risk too.
    return f"{CASH_PREFIX}coordinator-{user.id}-{currency.lower()}"


def cash_account_for(session: Session, user: User, currency: str) -> Account:
    """The coordinator's cash box in ``currency``: one per coordinator and currency, opened
    when first needed (their first cash advance in that currency).  An older box (named
    ``assets:cash:coordinator-<id>``) holding that currency is theirs too."""
    account = session.scalar(
        select(Account)
        .where(Account.holder_id == user.id, Account.currency == currency, Account.closed_at.is_(None))
        .order_by(Account.id)
        .limit(1)
    )
    if account is not None:
        return account
    name = cash_account_name(user, currency)
    existing = find_account(session, name)
    if existing is not None:  # closed by an admin: it is not reopened
        raise AccountClosed("account closed", field="currency", account=name)
    return get_or_create_account(
        session, name, label=user.display_name or user.email, currency=currency, holder=user
    )


def cash_accounts_of(session: Session, user: User) -> list[Account]:
    """The coordinator's open cash boxes, by currency."""
    return list(
        session.scalars(
            select(Account)
            .where(Account.holder_id == user.id, Account.closed_at.is_(None))
            .order_by(Account.currency, Account.name)
        )
    )


def cash_accounts(session: Session) -> list[Account]:
    return list(
        session.scalars(
            select(Account)
            .where(Account.kind == AssetKind.CASH, Account.closed_at.is_(None))
            .order_by(Account.name)
        )
    )


@dataclass(frozen=True)
class MoveCash:
    """The command to hand cash out of a bank account (an advance) or back into it (a return).

    Built by the page's form (ledger/web/spending.py) and a stored approval
    (``from_payload``); carried out by ``record_cash_movement()`` alone.
    """

    from_account: Account
    to_account: Account
    money: Money
    on: date
    memo: str | None = None
    idempotency_key: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """What a pending item stores to record it once signed off (ids, ISO dates)."""
        return {
            "from_account_id": self.from_account.id,
            "to_account_id": self.to_account.id,
            "on": self.on.isoformat(),
            "memo": self.memo,
            "idempotency_key": self.idempotency_key,
        }

    @classmethod
    def from_payload(cls, session: Session, data: Mapping[str, Any], money: Money) -> MoveCash:
        """The command a pending item stored (``to_payload``); its amount is the item's."""
        return cls(
            from_account=session.get_one(Account, data["from_account_id"]),
            to_account=session.get_one(Account, data["to_account_id"]),
            money=money,
            on=date.fromisoformat(data["on"]),
            memo=data.get("memo"),
            idempotency_key=data.get("idempotency_key"),
        )


def move_cash(
    session: Session,
    *,
    from_account: Account,
    to_account: Account,
    money: Money,
    on: date,
    memo: str | None = None,
    recorded_by: Recorder | None = None,
    idempotency_key: str | None = None,
    approved_by: Recorder | None = None,
) -> JournalEntry | Approval:
    """``record_cash_movement()`` with the command's fields as arguments (scripts, tests)."""
    command = MoveCash(
        from_account=from_account,
        to_account=to_account,
        money=money,
        on=on,
        memo=memo,
        idempotency_key=idempotency_key,
    )
    return record_cash_movement(session, command, recorded_by=recorded_by, approved_by=approved_by)


def record_cash_movement(
    session: Session,
    command: MoveCash,
    *,
    recorded_by: Recorder | None = None,
    approved_by: Recorder | None = None,
) -> JournalEntry | Approval:
    """A cash advance (bank → cash) or a return (cash → bank); nothing else.

    At or above the currency's approval threshold it waits for a second person
    (a pending ``Approval`` is returned) unless ``approved_by`` signs it off.
    """
    from_account, to_account, money, on = command.from_account, command.to_account, command.money, command.on
    kinds = (from_account.kind, to_account.kind)
    is_advance = kinds == ("bank", "cash")
    is_return = kinds == ("cash", "bank")
    if not (is_advance or is_return):
        raise InvalidEntry("bank and cash", field="to_account", reason="bad_cash_movement")
    if money.minor <= 0:
        raise InvalidEntry("positive amount", field="amount", reason="zero_amount")
    bank, box = (from_account, to_account) if is_advance else (to_account, from_account)
    check_currency(bank, money.currency, "bank")
    check_currency(box, money.currency, "currency")
    try:
        memo = clean_text(command.memo) or None
    except TextError as error:
        raise InvalidEntry(error.code, field="memo", reason=error.code, **error.params) from None
    description = memo or describe("cash_advance" if is_advance else "cash_return")
    postings = [
        PostingDraft(to_account, money, "transfer"),
        PostingDraft(from_account, -money, "transfer"),
    ]
    if approved_by is None and needs_approval(session, money):
        return request_approval(
            session,
            kind=ApprovalKind.CASH,
            money=money,
            postings=postings,
            description=description,
            payload=replace(command, memo=memo).to_payload(),
            author=recorded_by,
        )
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=description,
            postings=postings,
            idempotency_key=command.idempotency_key,
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
