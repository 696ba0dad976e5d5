"""Two-person sign-off: thresholds, items waiting for a second person, and the money they hold.

An item at or above its currency's threshold is not posted at once: it waits as an
``Approval`` and holds back what it would take out of each account (``ApprovalHold``).
What an account can still spend is its balance minus the holds of pending items; the
balance itself stays the books' balance.  ``post_entry()`` counts the holds on every
check, so pending items and new entries together can never overdraw a fund.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ledger.books.kinds import APPROVAL_KINDS, APPROVAL_STATUSES, ApprovalStatus
from ledger.books.models import Account, AccountBalance
from ledger.money import Money
from ledger.platform.database import Base, one_of, utcnow


class ApprovalThreshold(Base):
    """From this amount on (inclusive), spending, cash and transfers in the currency need a second person."""

    __tablename__ = "approval_thresholds"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Approval(Base):
    """A disbursement, cash movement or transfer waiting for (or decided by) a second person.

    ``payload`` is the request as JSON (ids, amounts in minor units, dates): on approval
    the same domain function that records such an item runs again with it, so the entry
    goes through the same rules as any other.
    """

    __tablename__ = "approvals"
    __table_args__ = (
        CheckConstraint(one_of("kind", APPROVAL_KINDS), name="kind_known"),
        CheckConstraint(one_of("status", APPROVAL_STATUSES), name="status_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL AND decided_by_id IS NULL)",
            name="decided_when_closed",
        ),
        CheckConstraint("entry_id IS NULL OR status = 'approved'", name="entry_only_when_approved"),
        # Never one's own: only a withdrawal is decided by the author.
        CheckConstraint(
            "decided_by_id IS NULL OR (decided_by_id = author_id) = (status = 'withdrawn')",
            name="second_person",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ApprovalStatus.PENDING, index=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(500))
    payload: Mapped[str] = mapped_column(Text)
    prisoner_id: Mapped[int | None] = mapped_column(ForeignKey("prisoners.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(300))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")
    prisoner = relationship("Prisoner")
    holds: Mapped[list[ApprovalHold]] = relationship(
        back_populates="approval", order_by="ApprovalHold.account_id", lazy="selectin"
    )

    @property
    def money(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)


class ApprovalHold(Base):
    """What a pending item would take out of one account, in its natural sign (positive)."""

    __tablename__ = "approval_holds"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    approval_id: Mapped[int] = mapped_column(ForeignKey("approvals.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True, index=True)
    currency: Mapped[str] = mapped_column(ForeignKey("currencies.code"), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    approval: Mapped[Approval] = relationship(back_populates="holds")
    account: Mapped[Account] = relationship(lazy="joined")


def in_transit(session: Session, account_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """Money of commissary transfers in transit per (fund account id, currency): sent to the
    prisoner's personal account but not yet credited, so still the fund's in the books and held
    back from any other spending (ledger/commissary/transfers.py, docs/accounts.md)."""
    from ledger.commissary.models import CommissaryTransfer

    ids = set(account_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(
            CommissaryTransfer.fund_account_id,
            CommissaryTransfer.currency,
            func.sum(CommissaryTransfer.amount_minor),
        )
        .where(CommissaryTransfer.status == "in_transit", CommissaryTransfer.fund_account_id.in_(ids))
        .group_by(CommissaryTransfer.fund_account_id, CommissaryTransfer.currency)
    )
    return {(a, c): int(total) for a, c, total in rows if total}


def pending_holds(session: Session, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """Held amounts (natural sign, minor units) per (account id, currency) in ``keys``: what
    pending items hold back and what commissary transfers in transit hold in a fund."""
    keys = list(keys)
    if not keys:
        return {}
    rows = session.execute(
        select(ApprovalHold.account_id, ApprovalHold.currency, func.sum(ApprovalHold.amount_minor))
        .join(Approval, Approval.id == ApprovalHold.approval_id)
        .where(Approval.status == ApprovalStatus.PENDING, ApprovalHold.account_id.in_({a for a, _ in keys}))
        .group_by(ApprovalHold.account_id, ApprovalHold.currency)
    )
    wanted = set(keys)
    held: dict[tuple[int, str], int] = defaultdict(int)
    for a, c, total in rows:
        if (a, c) in wanted:
            held[(a, c)] += int(total)
    for key, total in in_transit(session, {a for a, _ in keys}).items():
        if key in wanted:
            held[key] += total
    return dict(held)


def held_in(session: Session, account: Account) -> dict[str, Money]:
    """What pending items hold back in ``account`` per currency (positive)."""
    rows = session.execute(
        select(ApprovalHold.currency, func.sum(ApprovalHold.amount_minor))
        .join(Approval, Approval.id == ApprovalHold.approval_id)
        .where(Approval.status == ApprovalStatus.PENDING, ApprovalHold.account_id == account.id)
        .group_by(ApprovalHold.currency)
        .order_by(ApprovalHold.currency)
    )
    return {currency: Money.from_minor(int(total), currency) for currency, total in rows if total}


def spendable_in(session: Session, account: Account) -> dict[str, Money]:
    """What the account can still spend per currency: its balance (natural sign) minus pending holds."""
    balances: dict[str, int] = defaultdict(int)
    rows = session.execute(
        select(AccountBalance.currency, AccountBalance.balance_minor).where(
            AccountBalance.account_id == account.id
        )
    )
    for currency, minor in rows:
        balances[currency] += minor * account.normal_sign
    for currency, held in held_in(session, account).items():
        balances[currency] -= held.minor
    for (_account_id, currency), minor in in_transit(session, [account.id]).items():
        balances[currency] -= minor
    return {
        currency: Money.from_minor(minor, currency) for currency, minor in sorted(balances.items()) if minor
    }


def spendable_by_account(
    session: Session, accounts: list[Account]
) -> dict[int, tuple[dict[str, Money], dict[str, Money]]]:
    """``(spendable_in, held_in)`` for many accounts with two queries (a page of funds)."""
    from ledger.books.balances import available_by_account

    available = available_by_account(session, accounts)
    held: dict[int, dict[str, Money]] = {account.id: {} for account in accounts}
    if accounts:
        rows = session.execute(
            select(ApprovalHold.account_id, ApprovalHold.currency, func.sum(ApprovalHold.amount_minor))
            .join(Approval, Approval.id == ApprovalHold.approval_id)
            .where(Approval.status == ApprovalStatus.PENDING, ApprovalHold.account_id.in_(held))
            .group_by(ApprovalHold.account_id, ApprovalHold.currency)
        )
        for account_id, currency, total in rows:
            if total:
                held[account_id][currency] = Money.from_minor(int(total), currency)
    transit = in_transit(session, [account.id for account in accounts])
    found = {}
    for account in accounts:
        minors = {currency: money.minor for currency, money in available[account.id].items()}
        for currency, money in held[account.id].items():
            minors[currency] = minors.get(currency, 0) - money.minor
        for (account_id, currency), minor in transit.items():
            if account_id == account.id:
                minors[currency] = minors.get(currency, 0) - minor
        spendable = {c: Money.from_minor(m, c) for c, m in sorted(minors.items()) if m}
        found[account.id] = (spendable, held[account.id])
    return found


def held_per_account(session: Session) -> list[tuple[Account, Money]]:
    """Every account with pending holds and the total held, ordered by account name."""
    rows = session.execute(
        select(Account, ApprovalHold.currency, func.sum(ApprovalHold.amount_minor))
        .join(ApprovalHold, ApprovalHold.account_id == Account.id)
        .join(Approval, Approval.id == ApprovalHold.approval_id)
        .where(Approval.status == ApprovalStatus.PENDING)
        .group_by(Account.id, ApprovalHold.currency)
        .order_by(Account.name, ApprovalHold.currency)
    )
    return [(account, Money.from_minor(int(total), currency)) for account, currency, total in rows]
