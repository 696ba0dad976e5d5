"""Faults: crashes in the middle of an entry, a read-only database, a database that goes away."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from ledger import create_app
from ledger.books import posting
from ledger.books.accounts import fund_account_for
from ledger.books.models import AccountBalance, JournalEntry, Posting
from ledger.books.verify import verify_ledger
from ledger.extensions import db
from tests.factories import bank_donation, new_prisoner
from tests.helpers import POSTGRES_URL, seal

ROOT = Path(__file__).resolve().parents[2]


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (JournalEntry, Posting, AccountBalance)
    )


def test_an_exception_half_way_through_an_entry_leaves_nothing(
    session, monkeypatch, create_prisoner, create_donation
):
    prisoner = create_prisoner()
    create_donation(prisoner, "10.00")
    session.commit()
    before = _counts(session)

    real_init = posting._Driver.__init__

    def init_that_fails_at_the_balances(self, session):
        real_init(self, session)
        # The running balances are written last: a failure there comes after the entry and
        # its postings were inserted.
        self.sql = {**self.sql, "balance": "INSERT INTO no_such_table (x) VALUES (1)"}

    monkeypatch.setattr(posting._Driver, "__init__", init_that_fails_at_the_balances)
    with pytest.raises(Exception, match="no_such_table|bindings|parameters"):
        create_donation(prisoner, "5.00", "USD")  # new currency: the balance row is inserted last
    session.rollback()
    monkeypatch.undo()
    assert _counts(session) == before
    assert verify_ledger(session).ok
    create_donation(prisoner, "5.00", "USD")
    session.commit()
    assert verify_ledger(session).ok


def test_a_killed_process_leaves_only_whole_entries(
    session, database_url, tmp_path, create_prisoner, create_donation
):
    prisoner = create_prisoner()
    create_donation(prisoner, "10.00")
    session.commit()
    fund_name = fund_account_for(session, prisoner).name
    session.remove()
    worker = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("crash_worker.py")),
            database_url,
            str(tmp_path),
            fund_name,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    committed = []
    deadline = time.monotonic() + 60
    while len(committed) < 25 and time.monotonic() < deadline:
        line = worker.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    # What it printed before the kill landed but was not read yet: committed too.
    committed += [int(line) for line in worker.stdout.read().split()]
    errors = worker.stderr.read()
    worker.stdout.close()  # a pipe left open is a ResourceWarning, an error in this suite
    worker.stderr.close()
    assert len(committed) >= 25, errors
    result = verify_ledger(session)
    assert result.ok, result.problems
    # Every entry it reported is there; at most the one in flight at the kill is extra, and whole.
    assert committed[-1] <= result.entries <= committed[-1] + 1


def test_a_read_only_database_gives_a_clear_page_not_a_traceback(database_url, tmp_path, users):
    if POSTGRES_URL:
        pytest.skip("read-only files are a SQLite matter")
    path = database_url.removeprefix("sqlite:///")
    read_only = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{path}?mode=ro&uri=true"},
        instance_path=str(tmp_path),
    )
    client = read_only.test_client()
    assert client.get("/").status_code == 200
    response = client.post("/login", data={"email": "coordinator@example.org", "password": "wrong password!"})
    assert response.status_code == 503
    assert "database is unavailable" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_unreachable_database_gives_a_clear_error_in_pages_and_api(tmp_path):
    url = (
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
        if POSTGRES_URL
        else f"sqlite:///file:{tmp_path}/missing/none.sqlite3?mode=ro&uri=true"
    )
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path))
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert "database is unavailable" in page.get_data(as_text=True)
    api = client.get("/api/v1/ledger/head")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "database_unavailable"


@pytest.mark.postgres_only
def test_the_app_recovers_when_postgresql_drops_its_connections(app, client):
    # No app context stays open here: requests must check connections out of the pool
    # as they do in production.
    with app.app_context():
        bank_donation(db.session, new_prisoner(db.session), "10.00")
        seal(db.session)  # the public head is the latest checkpoint's
        db.session.commit()
    assert client.get("/api/v1/ledger/head").get_json()["entries"] == 1
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with app.app_context(), db.engine.connect() as admin:
        admin.execute(text(f"SELECT pg_terminate_backend(pid) {others}"))
        deadline = time.monotonic() + 10  # termination is asynchronous: wait until they are gone
        while admin.execute(text(f"SELECT count(*) {others}")).scalar() and time.monotonic() < deadline:
            time.sleep(0.05)
        admin.commit()
    response = client.get("/api/v1/ledger/head")
    assert response.get_json().get("entries") == 1, response.get_json()
