"""Sign-off of a cash advance or return: the stored movement, recorded by ``move_cash()``."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from ledger.access.models import User
from ledger.books.holds import Approval
from ledger.books.models import Account, JournalEntry
from ledger.spending.cash import move_cash


def post(
    session: Session, approval: Approval, *, author: User | None, approver: User
) -> JournalEntry | Approval:
    data = json.loads(approval.payload)
    return move_cash(
        session,
        from_account=session.get_one(Account, data["from_account_id"]),
        to_account=session.get_one(Account, data["to_account_id"]),
        money=approval.money,
        on=date.fromisoformat(data["on"]),
        memo=data.get("memo"),
        recorded_by=author,
        approved_by=approver,
        idempotency_key=data.get("idempotency_key"),
    )
