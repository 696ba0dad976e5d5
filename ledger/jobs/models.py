"""Tables of the worker: one lease row per scheduled job, and the log of its last runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.platform.database import Base


class JobLease(Base):
    """Who runs ``name`` now and when it is next due.

    A worker takes the lease with one conditional ``UPDATE … WHERE leased_until <= now AND
    next_run_at <= now``: whichever worker's update matches the row runs the job, every other
    one sees no row changed.  A worker that died mid-run holds it only until ``leased_until``.
    """

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(80))
    leased_until: Mapped[datetime] = mapped_column(DateTime)
    next_run_at: Mapped[datetime] = mapped_column(DateTime)


class JobRun(Base):
    """One run of a job: by which worker, when, whether it succeeded, and what it did."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(60), index=True)
    worker: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(String(500))
