"""Every scheduled job, in one list: adding a job is adding one line to ``JOBS``.

A job is a function that takes no arguments, runs inside the app context (``db.session``,
``current_app.config``) and returns a one-line summary for the run log; it is its own
transaction boundary (``unit_of_work`` or its own commits) and raises to report a failure.
It is named by its import path, so the worker imports only the jobs it runs, when it runs them.

``every`` is counted from the start of the previous run; ``lease`` is how long a worker that
died mid-run keeps the job from the others (longer than the job ever takes).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    target: str  # "module:function"
    lease: timedelta = timedelta(minutes=15)

    def function(self) -> Callable[[], str]:
        module, _, attribute = self.target.partition(":")
        function: Callable[[], str] = getattr(importlib.import_module(module), attribute)  # by its path
        return function


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


JOBS: list[Job] = [
    Job("pledges-update", minutes(60), "ledger.jobs.builtin:update_pledges"),  # and email retention
    Job("checkpoint", minutes(10), "ledger.jobs.builtin:checkpoint_if_due"),
    Job("mail-send", minutes(1), "ledger.jobs.builtin:send_mail"),
    Job("backup", minutes(24 * 60), "ledger.jobs.builtin:backup", lease=minutes(120)),  # LEDGER_BACKUP_DIR
]


def register(job: Job) -> None:
    """Add (or replace, by name) a job; for jobs that depend on settings or plugins."""
    JOBS[:] = [existing for existing in JOBS if existing.name != job.name] + [job]


def job_named(name: str) -> Job | None:
    return next((job for job in JOBS if job.name == name), None)
