"""Whether the worker keeps up, for ``/healthz`` (no Flask)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from ledger.jobs.leases import leases
from ledger.jobs.registry import JOBS
from ledger.platform.database import utcnow

# A job whose next run is this much overdue means no worker is taking it.
LATE = timedelta(minutes=10)


def worker_health(session: Session) -> dict[str, str | list[str]]:
    held = leases(session)
    if not held:
        return {"worker": "not running", "late_jobs": []}
    now = utcnow()
    late = sorted(job.name for job in JOBS if job.name not in held or held[job.name].next_run_at < now - LATE)
    return {"worker": "late" if late else "ok", "late_jobs": late}
