"""The worker (``flask --app wsgi worker``): each job runs when due and once across workers,
every run is logged and shown to admins, SIGTERM stops it between jobs, and without a mail
server development writes mails to files the outbox page lists."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from ledger.books.accounts import get_or_create_account
from ledger.checkpoints.models import Checkpoint
from ledger.funds.donations import DonationDraft, record_donation
from ledger.funds.pledges import make_donor
from ledger.jobs.leases import finish_run, take_lease
from ledger.jobs.models import JobRun
from ledger.jobs.worker import Worker
from ledger.mail.models import MailMessage
from ledger.money import parse_amount
from ledger.platform.database import utcnow

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 12


def _gifts(session, count: int) -> None:
    bank = get_or_create_account(session, "assets:bank:eur-main")
    for number in range(count):
        donor = make_donor(session, email=f"donor{number}@example.net")
        record_donation(
            session, DonationDraft(utcnow().date(), parse_amount("5", "EUR"), bank, "bank", donor=donor)
        )
    session.commit()


def test_a_lease_is_held_by_one_worker_until_it_finishes_and_then_until_the_job_is_due(session):
    lease = timedelta(minutes=5)
    assert take_lease(session, "test-job", "worker-a", lease)
    assert not take_lease(session, "test-job", "worker-b", lease)  # held
    started = utcnow()
    finish_run(
        session, "test-job", "worker-a", started_at=started, ok=True, summary="x", every=timedelta(hours=1)
    )
    assert not take_lease(session, "test-job", "worker-b", lease)  # not due for an hour
    assert take_lease(session, "test-job", "worker-b", lease, now=started + timedelta(hours=1))


def test_a_lease_left_by_a_dead_worker_expires(session):
    now = utcnow()
    assert take_lease(session, "test-job", "dead", timedelta(minutes=5), now=now)
    assert not take_lease(session, "test-job", "alive", timedelta(minutes=5), now=now + timedelta(minutes=4))
    assert take_lease(session, "test-job", "alive", timedelta(minutes=5), now=now + timedelta(minutes=6))


def test_worker_once_runs_the_due_jobs_logs_them_and_admins_see_them(
    app, session, runner, client, auth, users, smtp
):
    _gifts(session, 2)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "mail-send" in result.output
    assert "checkpoint" in result.output
    assert len(smtp.inbox.received) == 2
    assert session.scalar(select(func.count()).select_from(Checkpoint)) == 1
    again = runner.invoke(args=["worker", "--once"])
    assert "none was due" in again.output
    assert len(smtp.inbox.received) == 2
    status = runner.invoke(args=["worker", "status"])
    assert "mail-send" in status.output
    assert "sent 2" in status.output
    auth.login("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "sent 2" in page
    assert "checkpoint #1" in page
    auth.logout()
    auth.login("coordinator")
    assert client.get("/admin/jobs").status_code == 403


def test_a_failing_job_is_logged_as_failed_and_tried_again_when_due(app, session, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT=2)  # nothing listens there
    _gifts(session, 1)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    run = session.scalar(select(JobRun).where(JobRun.job == "mail-send"))
    assert run is not None
    assert not run.ok
    assert "could not be reached" in run.summary
    assert session.scalar(select(MailMessage.status)) == "queued"


def test_without_a_mail_server_mails_are_files_listed_on_the_outbox_page(
    app, session, runner, client, auth, users
):
    assert not app.config.get("MAIL_SERVER")
    _gifts(session, 1)
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    files = sorted((Path(app.instance_path) / "mail-outbox").glob("*.eml"))
    assert len(files) == 1
    auth.login("admin")
    outbox = client.get("/admin/mail?status=sent").get_data(as_text=True)
    assert files[0].name in outbox
    mail = client.get(f"/admin/mail/files/{files[0].name}")
    assert mail.status_code == 200
    assert mail.mimetype == "text/plain"
    text = mail.get_data(as_text=True)
    assert "To: donor0@example.net" in text
    assert "http://127.0.0.1:5000/" in text
    assert client.get("/admin/mail/files/..%2Fsecret_key").status_code == 404


def _worker(database_url: str, instance: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "LEDGER_ENV": "testing",
        "DATABASE_URL": database_url,
        "LEDGER_INSTANCE_PATH": str(instance),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_DEFAULT_SENDER": "ledger@example.org",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--tick", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_two_workers_started_together_send_each_mail_once_and_stop_on_sigterm(
    session, smtp, database_url, tmp_path
):
    _gifts(session, MESSAGES)
    workers = [_worker(database_url, tmp_path / f"i{n}", smtp.port) for n in range(2)]
    try:
        deadline = time.monotonic() + 120
        while len(smtp.inbox.received) < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.3)
        time.sleep(2)  # a second sending would come now
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=60)[0].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert all("stopped" in output for output in outputs), outputs
    recipients = sorted(rcpt[0] for _sender, rcpt, _message in smtp.inbox.received)
    assert recipients == sorted(f"donor{n}@example.net" for n in range(MESSAGES))
    session.expire_all()
    assert set(session.scalars(select(MailMessage.status))) == {"sent"}
    assert session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == "mail-send")) == 1


def test_a_worker_whose_database_is_away_logs_it_and_goes_on(make_app, tmp_path, caplog):
    lost = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/none.sqlite3")
    assert Worker(lost).run_due() == []
    assert "could not take or release its lease" in caplog.text
