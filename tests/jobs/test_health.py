"""/healthz for monitoring: the database answers, and whether the worker keeps up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from ledger.jobs.models import JobLease
from ledger.platform.database import utcnow


def test_healthz_says_whether_the_worker_runs_and_which_jobs_are_late(client, runner, session):
    before = client.get("/healthz")
    assert before.status_code == 200
    assert before.json == {"status": "ok", "database": "ok", "worker": "not running", "late_jobs": []}
    assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    assert client.get("/healthz").json["worker"] == "ok"
    session.execute(
        update(JobLease).where(JobLease.name == "mail-send").values(next_run_at=utcnow() - timedelta(hours=1))
    )
    session.commit()
    late = client.get("/healthz").json
    assert late["worker"] == "late"
    assert late["late_jobs"] == ["mail-send"]
