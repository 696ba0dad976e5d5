"""Sign-off of spending (with or without a parcel): the stored ``RecordSpending``, recorded."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ledger.access.models import User
from ledger.books.holds import Approval
from ledger.books.models import JournalEntry
from ledger.spending.disbursements import RecordSpending, record_spending


def post(
    session: Session, approval: Approval, *, author: User | None, approver: User
) -> JournalEntry | Approval:
    command = RecordSpending.from_payload(session, json.loads(approval.payload), approval.money)
    return record_spending(session, command, recorded_by=author, approved_by=approver)
