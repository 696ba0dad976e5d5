"""How often checkpoints are made: the admins choose daily (the default), weekly or monthly.

``checkpoint_due`` compares calendar periods, not elapsed time, so a cron job that runs
``ledger checkpoint --if-due`` every hour (or at midnight) makes exactly one per period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.errors import InvalidEntry
from ledger.books.posting import Recorder
from ledger.checkpoints.models import DEFAULT_SCHEDULE, SCHEDULES, Checkpoint, CheckpointSchedule
from ledger.platform.database import utcnow


def current_schedule(session: Session) -> str:
    return (
        session.scalar(select(CheckpointSchedule.every).where(CheckpointSchedule.id == 1)) or DEFAULT_SCHEDULE
    )


def set_schedule(session: Session, every: str, *, user: Recorder | None = None) -> str:
    if every not in SCHEDULES:
        raise InvalidEntry("unknown schedule", field="every", reason="unknown_schedule")
    row = session.get(CheckpointSchedule, 1)
    if row is None:
        row = CheckpointSchedule(id=1)
        session.add(row)
    row.every = every
    row.updated_at = utcnow()
    row.updated_by_id = getattr(user, "id", None)
    session.flush()
    return every


def _period(moment: datetime, every: str) -> tuple[int, ...]:
    if every == "monthly":
        return (moment.year, moment.month)
    if every == "weekly":
        return tuple(moment.isocalendar()[:2])
    return (moment.year, moment.month, moment.day)


def checkpoint_due(session: Session, now: datetime | None = None) -> bool:
    """True when there is no checkpoint yet, or the latest is from an earlier period."""
    now = now or utcnow()
    last = session.scalar(select(Checkpoint.created_at).order_by(Checkpoint.sequence.desc()).limit(1))
    if last is None:
        return True
    every = current_schedule(session)
    return _period(last, every) < _period(now, every)
