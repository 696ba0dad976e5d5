"""What records a signed-off item, per kind: one line per approvable kind.

A handler reads the item's stored payload back into its write and records it through the
same domain function as any other item of its kind (and so through ``post_entry()``'s rules),
with the author as the recorder and ``approver`` as the second person; it returns the entry.
Adding an approvable kind: an ``ApprovalKind`` value, a module here with ``post``, and a line.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from ledger.access.models import User
from ledger.books.holds import Approval
from ledger.books.kinds import ApprovalKind
from ledger.books.models import JournalEntry
from ledger.signoff import cash, commissary, disbursement, transfer


class Handler(Protocol):
    def __call__(
        self, session: Session, approval: Approval, *, author: User | None, approver: User
    ) -> JournalEntry | Approval: ...


HANDLERS: dict[ApprovalKind, Handler] = {
    ApprovalKind.DISBURSEMENT: disbursement.post,
    ApprovalKind.CASH: cash.post,
    ApprovalKind.TRANSFER: transfer.post,
    ApprovalKind.COMMISSARY: commissary.post,
}
