"""Leases and the run log of scheduled jobs (no Flask: the worker and the pages call these).

``take_lease`` is atomic on SQLite (one writer at a time) and on PostgreSQL (the second
``UPDATE`` waits for the first and then re-checks its ``WHERE`` on the updated row), so
each job runs at most once at a time however many workers there are, and once per period.
Each function commits: these are the worker's transaction boundaries, apart from the job's own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.jobs.models import JobLease, JobRun
from ledger.platform.database import utcnow

# Runs kept per job in the log (older ones are deleted as new ones are written).
RUNS_KEPT = 20
EPOCH = datetime(2000, 1, 1, tzinfo=UTC).replace(tzinfo=None)  # naive UTC, as stored


def _changed(session: Session, statement: Executable) -> bool:
    return cast(CursorResult[Any], session.execute(statement)).rowcount == 1


def take_lease(
    session: Session, name: str, holder: str, lease: timedelta, *, now: datetime | None = None
) -> bool:
    """Take the job ``name`` for ``holder`` when it is due and nobody holds it; commit."""
    now = now or utcnow()
    statement = (
        update(JobLease)
        .where(JobLease.name == name, JobLease.leased_until <= now, JobLease.next_run_at <= now)
        .values(holder=holder, leased_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    taken = _changed(session, statement)
    if not taken and session.get(JobLease, name) is None:
        session.rollback()
        try:  # first run of a new job: its row, due now; a worker adding it at once is fine
            session.add(JobLease(name=name, holder=None, leased_until=EPOCH, next_run_at=EPOCH))
            session.commit()
        except IntegrityError:
            session.rollback()
        taken = _changed(session, statement)
    session.commit()
    return taken


def finish_run(
    session: Session,
    name: str,
    holder: str,
    *,
    started_at: datetime,
    ok: bool,
    summary: str,
    every: timedelta,
    now: datetime | None = None,
) -> None:
    """Release the lease, set the next run ``every`` after this one started, log the run; commit."""
    session.rollback()  # whatever the job left unfinished is not ours to keep
    now = now or utcnow()
    session.execute(
        update(JobLease)
        .where(JobLease.name == name, JobLease.holder == holder)
        .values(holder=None, leased_until=now, next_run_at=started_at + every)
        .execution_options(synchronize_session=False)
    )
    session.add(
        JobRun(
            job=name, worker=holder[:80], started_at=started_at, finished_at=now, ok=ok, summary=summary[:500]
        )
    )
    session.flush()
    kept = select(JobRun.id).where(JobRun.job == name).order_by(JobRun.id.desc()).limit(RUNS_KEPT)
    session.execute(
        delete(JobRun)
        .where(JobRun.job == name, JobRun.id.not_in(kept.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    session.commit()


def leases(session: Session) -> dict[str, JobLease]:
    return {lease.name: lease for lease in session.scalars(select(JobLease))}


def last_runs(session: Session, limit: int = RUNS_KEPT) -> dict[str, list[JobRun]]:
    """Each job's last runs, newest first."""
    runs: dict[str, list[JobRun]] = {}
    for run in session.scalars(select(JobRun).order_by(JobRun.id.desc())):
        listed = runs.setdefault(run.job, [])
        if len(listed) < limit:
            listed.append(run)
    return runs
