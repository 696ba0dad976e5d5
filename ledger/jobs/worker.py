"""The worker: one long-running process that runs every job of ``registry.JOBS`` when it is due.

Each pass goes through the jobs in order; a job runs when this worker takes its lease
(``leases.take_lease``), so any number of workers on one database run each job once per
period.  SIGTERM and SIGINT stop the worker between jobs: the job under way finishes first.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Iterable

from flask import Flask

from ledger.extensions import db
from ledger.jobs import leases
from ledger.jobs.registry import JOBS, Job
from ledger.platform.database import utcnow

log = logging.getLogger("ledger.worker")
TICK_SECONDS = 5.0


class Worker:
    def __init__(self, app: Flask, jobs: Iterable[Job] | None = None, tick: float = TICK_SECONDS) -> None:
        self.app = app
        self.jobs = list(JOBS if jobs is None else jobs)
        self.tick = tick
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = False

    def stop(self, *_signal: object) -> None:
        if not self.stopping:
            log.info("worker %s: stopping after the job under way", self.name)
        self.stopping = True

    def run_due(self) -> list[str]:
        """One pass: run each job this worker can take now; the names of those it ran."""
        ran = []
        for job in self.jobs:
            if self.stopping:
                break
            try:
                if self.run_job(job):
                    ran.append(job.name)
            except Exception:  # noqa: BLE001  (the database is away: log it, try again next pass)
                log.exception("job %s: could not take or release its lease", job.name)
        return ran

    def run_job(self, job: Job) -> bool:
        with self.app.app_context():
            session = db.session
            try:
                started = utcnow()
                if not leases.take_lease(session, job.name, self.name, job.lease, now=started):
                    return False
                ok, summary = True, ""
                try:
                    summary = job.function()() or "done"
                except Exception as error:  # noqa: BLE001  (logged and stored; the worker goes on)
                    session.rollback()
                    ok, summary = False, f"{type(error).__name__}: {error}"
                    log.exception("job %s failed", job.name)
                leases.finish_run(
                    session, job.name, self.name, started_at=started, ok=ok, summary=summary, every=job.every
                )
                log.info("job %s %s: %s", job.name, "done" if ok else "FAILED", summary)
                return True
            finally:
                db.session.remove()  # type: ignore[attr-defined]

    def run_forever(self) -> None:
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("worker %s started: %s", self.name, ", ".join(job.name for job in self.jobs))
        try:
            while not self.stopping:
                self.run_due()
                waited = 0.0
                while waited < self.tick and not self.stopping:
                    time.sleep(0.2)
                    waited += 0.2
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            log.info("worker %s stopped", self.name)
