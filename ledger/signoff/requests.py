"""Two-person sign-off, the request side: recording a pending item and holding its money back.

A disbursement, a cash movement or a transfer between funds at or above its currency's
threshold is not posted: ``request_approval()`` records it as pending, holds back the
money it would take out of each account, and nothing enters the journal until a second
person signs it off (``ledger/signoff/decisions.py``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InsufficientFunds, InvalidEntry, NotPermitted
from ledger.books.holds import Approval, ApprovalHold, pending_holds
from ledger.books.kinds import ApprovalStatus
from ledger.books.models import Account, AccountBalance
from ledger.books.posting import PostingDraft, lock_ledger
from ledger.money import Money
from ledger.platform.database import utcnow


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
    holds: dict[tuple[Account, str], int] = {}
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
    payload: Mapping[str, Any],
    author: Any,
    prisoner: Any = None,
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
