"""Sign-off of a cash advance or return: the stored ``MoveCash``, recorded."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ledger.access.models import User
from ledger.books.holds import Approval
from ledger.books.models import JournalEntry
from ledger.spending.cash import MoveCash, record_cash_movement


def post(
    session: Session, approval: Approval, *, author: User | None, approver: User
) -> JournalEntry | Approval:
    command = MoveCash.from_payload(session, json.loads(approval.payload), approval.money)
    return record_cash_movement(session, command, recorded_by=author, approved_by=approver)
