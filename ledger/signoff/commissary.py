"""Sign-off of money to a prisoner's personal account: the stored transfer, sent; its entry."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ledger.access.models import User
from ledger.books.holds import Approval
from ledger.books.models import JournalEntry
from ledger.commissary.transfers import transfer_from_approval


def post(
    session: Session, approval: Approval, *, author: User | None, approver: User
) -> JournalEntry | Approval:
    transfer = transfer_from_approval(session, approval, approver)
    return session.get_one(JournalEntry, transfer.sent_entry_id)
