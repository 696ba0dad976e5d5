"""Two-person sign-off, the decision side: approve, refuse, withdraw; the queue.

Every decision takes the ledger's write lock first and then reads the item again, so
two approvers at once post it once, and an approval racing a withdrawal leaves one
outcome.  An approval posts the entry through the same domain function as any
other item of its kind (and so through ``post_entry()``'s rules): if the fund can no
longer cover it, the approval is refused and the item stays pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.access.models import User
from ledger.access.roles import Role
from ledger.books.errors import InvalidEntry, LedgerError, NotPermitted, OwnApproval
from ledger.books.holds import Approval
from ledger.books.kinds import APPROVAL_STATUSES, ApprovalKind, ApprovalStatus
from ledger.books.models import JournalEntry
from ledger.books.posting import lock_ledger
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text
from ledger.signoff.registry import HANDLERS
from ledger.spending.models import ApprovalReceipt, Receipt

SIGNERS = (Role.ADMIN, Role.COORDINATOR)  # who may sign off (never their own item)


class ApprovalNotPending(LedgerError):
    """The item was already approved, refused or withdrawn: nothing changes."""

    code = "approval_not_pending"


class NotAuthor(NotPermitted):
    """Only the person who recorded an item may withdraw it."""

    code = "not_author"


class UnknownApproval(LedgerError):
    code = "not_found"


def _reason(value: object, *, required: bool) -> str | None:
    try:
        return clean_text(value, max_length=300, required=required) or None
    except TextError as error:
        raise InvalidEntry(error.code, field="reason", reason=error.code, **error.params) from None


def _locked(session: Session, approval_id: int) -> Approval:
    """The item, read again after taking the ledger's write lock (every decision takes it)."""
    lock_ledger(session)
    approval = session.get(Approval, approval_id, populate_existing=True)
    if approval is None:
        raise UnknownApproval("no such item", field="approval")
    return approval


def _close(session: Session, approval: Approval, status: str, user: Any, reason: str | None = None) -> None:
    """Move a pending item to ``status``.  Callers hold the ledger's write lock and have read
    the item again under it (``_locked``), so no other decision can interleave."""
    _check_pending(approval)
    approval.status = status
    approval.decided_by_id = user.id
    approval.decided_at = utcnow()
    approval.reason = reason
    session.flush()


def _check_pending(approval: Approval) -> None:
    if approval.status != ApprovalStatus.PENDING:
        raise ApprovalNotPending("already decided", field="approval", state=approval.status)


def _check_signer(approval: Approval, user: Any) -> None:
    if getattr(user, "role", None) not in SIGNERS:
        raise NotPermitted("coordinators and admins sign off", field="approval")
    if user.id == approval.author_id:
        raise OwnApproval("a second person signs off", field="approval")


def _post(session: Session, approval: Approval, approver: User) -> JournalEntry:
    """Record the item through its kind's handler (``registry.HANDLERS``), signed off by ``approver``."""
    result = HANDLERS[ApprovalKind(approval.kind)](
        session, approval, author=session.get(User, approval.author_id), approver=approver
    )
    if not isinstance(result, JournalEntry):  # signed off: posted, never pending again
        raise RuntimeError(f"approval #{approval.id} ({approval.kind}) was not posted")
    return result


def approve(session: Session, approval_id: int, *, approver: Any) -> JournalEntry:
    """Sign the item off and post its entry (author and approver both on it); the caller commits.

    Raises OwnApproval, NotPermitted, ApprovalNotPending, or whatever posting refuses
    (InsufficientFunds when the fund can no longer cover it): then nothing changed and
    the item stays pending.
    """
    approval = _locked(session, approval_id)
    _check_signer(approval, approver)
    _check_pending(approval)
    # Closed first, so that posting no longer counts this item's own hold.
    _close(session, approval, ApprovalStatus.APPROVED, approver)
    entry = _post(session, approval, approver)
    approval.entry_id = entry.id
    for attached in session.scalars(
        select(ApprovalReceipt).where(ApprovalReceipt.approval_id == approval.id).order_by(ApprovalReceipt.id)
    ):
        session.add(
            Receipt(
                entry_id=entry.id,
                sha256=attached.sha256,
                content_type=attached.content_type,
                size_bytes=attached.size_bytes,
                original_name=attached.original_name,
                uploaded_by_id=attached.uploaded_by_id,
                uploaded_at=attached.uploaded_at,
            )
        )
        record_audit(
            session,
            "receipt.attached",
            user=approver,
            target=f"entry:{entry.id}",
            sha256=attached.sha256,
            content_type=attached.content_type,
            size=attached.size_bytes,
        )
    record_audit(
        session,
        "approval.approved",
        user=approver,
        target=f"approval:{approval.id}",
        entry=entry.id,
        author=approval.author_id,
        amount=str(approval.money.amount),
        currency=approval.currency,
    )
    session.flush()
    return entry


def reject(session: Session, approval_id: int, *, user: Any, reason: str) -> Approval:
    """Refuse the item with a reason: nothing is posted and its hold is freed; the caller commits."""
    reason_text = _reason(reason, required=True)
    approval = _locked(session, approval_id)
    _check_signer(approval, user)
    _check_pending(approval)
    _close(session, approval, ApprovalStatus.REJECTED, user, reason_text)
    record_audit(
        session,
        "approval.rejected",
        user=user,
        target=f"approval:{approval.id}",
        author=approval.author_id,
        reason=reason_text,
    )
    return approval


def withdraw(session: Session, approval_id: int, *, user: Any, reason: str | None = None) -> Approval:
    """The author takes the item back: nothing is posted and its hold is freed; the caller commits."""
    reason_text = _reason(reason, required=False)
    approval = _locked(session, approval_id)
    if getattr(user, "id", None) != approval.author_id:
        raise NotAuthor("only the author withdraws", field="approval")
    _check_pending(approval)
    _close(session, approval, ApprovalStatus.WITHDRAWN, user, reason_text)
    record_audit(
        session, "approval.withdrawn", user=user, target=f"approval:{approval.id}", reason=reason_text
    )
    return approval


@dataclass(frozen=True)
class ApprovalPage:
    items: list[Approval]
    total: int


def list_approvals(
    session: Session, *, status: str | None = ApprovalStatus.PENDING, page: int = 1, per_page: int = 50
) -> ApprovalPage:
    """Items with ``status`` (all when None): the oldest waiting first, decided ones newest first."""
    if status is not None and status not in APPROVAL_STATUSES:
        raise InvalidEntry("unknown status", field="status", reason="unknown_approval_status")
    query = select(Approval)
    count = select(func.count()).select_from(Approval)
    if status is not None:
        query = query.where(Approval.status == status)
        count = count.where(Approval.status == status)
    order = (Approval.created_at, Approval.id) if status == ApprovalStatus.PENDING else (Approval.id.desc(),)
    items = list(session.scalars(query.order_by(*order).limit(per_page).offset((page - 1) * per_page)))
    return ApprovalPage(items=items, total=session.scalar(count) or 0)


def approval_receipts(session: Session, approval: Approval) -> list[ApprovalReceipt]:
    return list(
        session.scalars(
            select(ApprovalReceipt)
            .where(ApprovalReceipt.approval_id == approval.id)
            .order_by(ApprovalReceipt.id)
        )
    )
