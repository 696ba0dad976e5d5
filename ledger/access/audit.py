"""The audit log: who did what, when.  Callers commit with the action itself."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ledger.access.models import AuditEvent


def record_audit(
    session: Session, action: str, *, user=None, target: str | None = None, **details
) -> AuditEvent:
    """Add an audit event in the caller's transaction.

    ``details`` must never include donors' emails or anyone's IP address.
    """
    event = AuditEvent(
        action=action,
        user_id=getattr(user, "id", None),
        target=target,
        details=json.dumps(details, sort_keys=True, default=str, ensure_ascii=False) if details else None,
    )
    session.add(event)
    return event
