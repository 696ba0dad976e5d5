"""The audit log: who did what, when.  Callers commit with the action itself.

The log is a chain, as the journal is: each event stores the previous event's hash and its
own, a keyed digest (``ledger.platform.crypto.binding``) of the previous hash and its facts, and the
ledger's head row keeps the number of events and the last hash.  Recording an event takes the
ledger's write lock (the head row), so events chain in the order they are written; the table
is append-only (migration 0021), and ``ledger verify`` recomputes the chain
(``audit_problems``): an event changed, removed, inserted or cut off the end is named.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from ledger.access.models import AuditEvent
from ledger.books.hashchain import GENESIS_HASH
from ledger.books.models import LedgerHead
from ledger.platform.crypto import binding
from ledger.platform.database import utcnow

if TYPE_CHECKING:  # books.posting imports access: the protocol is needed only for checking
    from ledger.books.posting import Recorder

_head = cast(Table, LedgerHead.__table__)


def audit_hash(
    prev_hash: str, at: datetime, user_id: int | None, action: str, target: str | None, details: str | None
) -> str:
    """An event's hash: the previous event's hash and this event's facts, under the key."""
    return binding("audit", prev_hash, at.isoformat(), user_id, action, target, details)


def _lock_audit_head(session: Session) -> tuple[int, str]:
    """Lock the head row (as posting does) and read the audit chain's head. Through the
    session's connection, so nothing pending is flushed early."""
    connection = session.connection()
    row = connection.execute(
        update(_head)
        .where(_head.c.id == 1)
        .values(audit_count=_head.c.audit_count)
        .returning(_head.c.audit_count, _head.c.audit_hash)
    ).first()
    if row is None:
        connection.execute(insert(_head).values(id=1, entry_count=0, head_hash=GENESIS_HASH))
        return 0, GENESIS_HASH
    return int(row[0]), str(row[1])


def record_audit(
    session: Session,
    action: str,
    *,
    user: Recorder | None = None,
    target: str | None = None,
    **details: object,
) -> AuditEvent:
    """Add an audit event in the caller's transaction, chained to the one before.

    ``details`` must never include donors' emails or anyone's IP address.
    """
    count, prev_hash = _lock_audit_head(session)
    at = utcnow()
    user_id = getattr(user, "id", None)
    text = json.dumps(details, sort_keys=True, default=str, ensure_ascii=False) if details else None
    digest = audit_hash(prev_hash, at, user_id, action, target, text)
    event = AuditEvent(
        at=at, user_id=user_id, action=action, target=target, details=text, prev_hash=prev_hash, hash=digest
    )
    session.add(event)
    session.connection().execute(
        update(_head).where(_head.c.id == 1).values(audit_count=count + 1, audit_hash=digest)
    )
    loaded = session.identity_map.get(session.identity_key(LedgerHead, 1))
    if loaded is not None:
        session.expire(loaded)
    return event


def audit_problems(session: Session) -> Iterator[tuple[int | None, str]]:
    """(event id, what is wrong) for the first break in the audit chain, if any."""
    session.flush()
    prev_hash = GENESIS_HASH
    count = 0
    rows = session.execute(
        select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.user_id,
            AuditEvent.action,
            AuditEvent.target,
            AuditEvent.details,
            AuditEvent.prev_hash,
            AuditEvent.hash,
        )
        .order_by(AuditEvent.id)
        .execution_options(yield_per=2000)
    )
    try:
        for event_id, at, user_id, action, target, details, stored_prev, stored in rows:
            count += 1
            if stored_prev != prev_hash:
                yield (
                    event_id,
                    "it does not follow the event before it: an event before it was removed or inserted",
                )
                return
            if audit_hash(prev_hash, at, user_id, action, target, details) != stored:
                yield event_id, f"its stored facts ({action}) differ from what was hashed: it was edited"
                return
            prev_hash = stored
    finally:
        rows.close()
    head = session.get(LedgerHead, 1)
    head_count, head_hash = (head.audit_count, head.audit_hash) if head else (0, GENESIS_HASH)
    if (head_count, head_hash) != (count, prev_hash):
        yield (
            None,
            (
                f"the head says {head_count} events ending in {head_hash[:12]}…, the log has {count} "
                f"ending in {prev_hash[:12]}…: events at its end were removed"
            ),
        )
