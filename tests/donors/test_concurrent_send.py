"""Several ``flask --app wsgi mail send`` processes at once (cron overlapping itself): every
message reaches the SMTP server exactly once.  Claims use FOR UPDATE SKIP LOCKED on
PostgreSQL and a conditional UPDATE on SQLite; the suite runs this on both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from ledger.books.accounts import get_or_create_account
from ledger.funds.donations import DonationDraft, record_donation
from ledger.funds.pledges import make_donor
from ledger.mail.models import MailMessage
from ledger.money import parse_amount
from ledger.platform.database import utcnow

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 24
PROCESSES = 3


def _worker(database_url: str, instance: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "LEDGER_ENV": "testing",
        "DATABASE_URL": database_url,
        "LEDGER_INSTANCE_PATH": instance,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_DEFAULT_SENDER": "ledger@example.org",
    }
    script = (
        "import subprocess, sys\n"
        "for _ in range(3):\n"
        "    subprocess.run([sys.executable, '-m', 'flask', '--app', 'wsgi', 'mail', 'send', '--limit', '4'],"
        " check=True)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def test_overlapping_runs_send_each_message_once(app, session, smtp, database_url, tmp_path):
    bank = get_or_create_account(session, "assets:bank:eur-main")
    for number in range(MESSAGES):
        donor = make_donor(session, email=f"donor{number}@example.net")
        record_donation(
            session, DonationDraft(utcnow().date(), parse_amount("5", "EUR"), bank, "bank", donor=donor)
        )
    session.commit()
    workers = [_worker(database_url, str(tmp_path / f"i{n}"), smtp.port) for n in range(PROCESSES)]
    outputs = [worker.communicate(timeout=300)[0].decode() for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    recipients = sorted(rcpt[0] for _sender, rcpt, _message in smtp.inbox.received)
    assert recipients == sorted(f"donor{n}@example.net" for n in range(MESSAGES))
    session.expire_all()
    assert set(session.scalars(select(MailMessage.status))) == {"sent"}
