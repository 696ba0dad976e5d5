"""Two-person sign-off, the request side: thresholds per currency and recording a pending item.

A disbursement, a cash movement or a transfer between funds at or above its currency's
threshold is not posted: ``request_approval()`` records it as pending, holds back the
money it would take out of each account, and nothing enters the journal until a second
person signs it off (``ledger/spending/sign_off.py``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.access.roles import Role
from ledger.books.errors import InsufficientFunds, InvalidEntry, NotPermitted
from ledger.books.holds import Approval, ApprovalHold, ApprovalThreshold, pending_holds
from ledger.books.kinds import ApprovalStatus
from ledger.books.models import Account, AccountBalance, Currency
from ledger.books.posting import PostingDraft, lock_ledger
from ledger.money import Money
from ledger.platform.database import utcnow

SIGNERS = (Role.ADMIN, Role.COORDINATOR)  # who may sign off (never their own item)


def approval_thresholds(session: Session) -> dict[str, Money]:
    """The threshold per currency, ordered by currency code."""
    rows = session.execute(
        select(ApprovalThreshold.currency, ApprovalThreshold.amount_minor).order_by(
            ApprovalThreshold.currency
        )
    )
    return {currency: Money.from_minor(minor, currency) for currency, minor in rows}


def set_approval_thresholds(
    session: Session, thresholds: Mapping[str, Money], *, user=None
) -> dict[str, Money]:
    """Replace every threshold with ``thresholds`` (a currency left out needs no second person).

    Amounts must be positive and in their own currency; the caller commits.
    """
    for currency, money in thresholds.items():
        if not isinstance(money, Money) or money.currency != currency:
            raise InvalidEntry("threshold currency", field=currency, reason="currency_mismatch")
        if money.minor <= 0:
            raise InvalidEntry("positive threshold", field=currency, reason="zero_amount")
        if session.get(Currency, currency) is None:
            raise InvalidEntry("unknown currency", field=currency, reason="unknown_currency")
    before = approval_thresholds(session)
    session.execute(delete(ApprovalThreshold))
    session.add_all(
        ApprovalThreshold(
            currency=currency,
            amount_minor=money.minor,
            updated_at=utcnow(),
            updated_by_id=getattr(user, "id", None),
        )
        for currency, money in sorted(thresholds.items())
    )
    session.flush()
    record_audit(
        session,
        "settings.approval_thresholds",
        user=user,
        before={currency: str(money.amount) for currency, money in before.items()},
        after={currency: str(money.amount) for currency, money in sorted(thresholds.items())},
    )
    return approval_thresholds(session)


def needs_approval(session: Session, money: Money) -> bool:
    """At or above the threshold of its currency (none set: never)."""
    threshold = session.scalar(
        select(ApprovalThreshold.amount_minor).where(ApprovalThreshold.currency == money.currency)
    )
    return threshold is not None and money.minor >= threshold


def _holds_of(postings: Sequence[PostingDraft]) -> dict[tuple[Account, str], int]:
    """What the postings take out of each account, in its natural sign (positive)."""
    by_id: dict[int, Account] = {}
    deltas: dict[tuple[int, str], int] = defaultdict(int)
    for posting in postings:
        account = posting.account
        if not isinstance(account, Account):
            raise InvalidEntry("bad account", field="account")
        by_id[account.id] = account
        deltas[(account.id, posting.money.currency)] += posting.money.minor
    holds = {}
    for (account_id, currency), delta in deltas.items():
        account = by_id[account_id]
        natural = delta * account.normal_sign
        if natural < 0:
            holds[(account, currency)] = -natural
    return holds


def request_approval(
    session: Session,
    *,
    kind: str,
    money: Money,
    postings: Sequence[PostingDraft],
    description: str,
    payload: dict,
    author,
    prisoner=None,
) -> Approval:
    """Record a pending item and hold back its money; the caller commits.

    Refused with InsufficientFunds (nothing written) when a guarded account cannot cover
    it after what other pending items already hold, so pending items together can
    never overdraw a fund or a cash box.
    """
    if getattr(author, "id", None) is None:
        raise NotPermitted("a pending item needs its author", field="approval")
    holds = _holds_of(postings)
    lock_ledger(session)
    guarded = [(account, currency) for account, currency in holds if account.guarded]
    keys = [(account.id, currency) for account, currency in guarded]
    held = pending_holds(session, keys)
    balances = {
        (a, c): b
        for a, c, b in session.execute(
            select(AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor)
            .where(AccountBalance.account_id.in_({a for a, _ in keys}))
            .execution_options(populate_existing=True)
        )
        if (a, c) in set(keys)
    }
    for account, currency in guarded:
        key = (account.id, currency)
        available = balances.get(key, 0) * account.normal_sign - held.get(key, 0)
        needed = holds[(account, currency)]
        if available < needed:
            raise InsufficientFunds(
                "not enough money",
                field="amount",
                account=account.name,
                currency=currency,
                available=Money.from_minor(max(0, available), currency),
                needed=Money.from_minor(needed, currency),
            )
    approval = Approval(
        kind=kind,
        status=ApprovalStatus.PENDING,
        currency=money.currency,
        amount_minor=money.minor,
        description=description,
        payload=json.dumps(payload, sort_keys=True, ensure_ascii=False),
        prisoner_id=getattr(prisoner, "id", None),
        author_id=author.id,
        created_at=utcnow(),
    )
    session.add(approval)
    session.flush()
    session.add_all(
        ApprovalHold(approval_id=approval.id, account_id=account.id, currency=currency, amount_minor=amount)
        for (account, currency), amount in holds.items()
    )
    session.flush()
    record_audit(
        session,
        "approval.requested",
        user=author,
        target=f"approval:{approval.id}",
        kind=kind,
        amount=str(money.amount),
        currency=money.currency,
        holds={
            f"{account.name} {currency}": str(Money.from_minor(n, currency).amount)
            for (account, currency), n in holds.items()
        },
    )
    return approval
