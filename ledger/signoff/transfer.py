"""Sign-off of a transfer between funds: the stored ``TransferBetweenFunds``, recorded."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ledger.access.models import User
from ledger.books.holds import Approval
from ledger.books.models import JournalEntry
from ledger.funds.transfers import TransferBetweenFunds, record_transfer


def post(
    session: Session, approval: Approval, *, author: User | None, approver: User
) -> JournalEntry | Approval:
    command = TransferBetweenFunds.from_payload(session, json.loads(approval.payload), approval.money)
    return record_transfer(session, command, recorded_by=author, approved_by=approver)
