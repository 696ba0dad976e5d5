"""The monthly run from the command line, and a run whose approval is killed half-way."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from ledger.books.accounts import get_or_create_account
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.commissary.models import CommissaryRun, CommissaryRunLog, CommissaryTransfer
from ledger.commissary.runs import set_top_up
from tests.factories import money

ROOT = Path(__file__).resolve().parents[2]


def _count(session, model, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _top_ups(session, create_prisoner, create_donation, create_facility, slugs):
    bank = get_or_create_account(session, "assets:bank:rub-main")
    facility = create_facility("ИК-3 (test)", kind="colony", regime="general")
    for slug in slugs:
        prisoner = create_prisoner(slug, facility=facility)
        create_donation(prisoner, "20000.00", "RUB")
        set_top_up(session, prisoner, money=money("2000.00", "RUB"), channel="post", paid_from=bank)
    session.commit()


def test_run_prepared_and_approved_from_the_command_line(
    runner, session, users, create_prisoner, create_donation, create_facility
):
    _top_ups(session, create_prisoner, create_donation, create_facility, ["anna", "boris"])
    prepared = runner.invoke(args=["commissary", "run", "--month", "2026-12", "--as", users["coordinator"]])
    assert prepared.exit_code == 0, prepared.output
    assert "2 to send, 0 skipped, 0 sent" in prepared.output
    run_id = session.scalar(select(CommissaryRun.id))
    own = runner.invoke(args=["commissary", "approve", str(run_id), "--as", users["coordinator"]])
    assert own.exit_code == 1
    assert "second person" in own.output
    assert _count(session, CommissaryTransfer) == 0
    approved = runner.invoke(args=["commissary", "approve", str(run_id), "--as", users["admin"]])
    assert approved.exit_code == 0, approved.output
    assert "2 sent" in approved.output
    again = runner.invoke(args=["commissary", "approve", str(run_id), "--as", users["admin"]])
    assert again.exit_code == 1
    assert "already been approved" in again.output
    assert _count(session, CommissaryTransfer) == 2
    listed = runner.invoke(args=["commissary", "transfers", "--status", "in_transit"])
    assert listed.exit_code == 0
    assert listed.output.count("in_transit") == 2
    bad = runner.invoke(args=["commissary", "run", "--month", "December", "--as", users["coordinator"]])
    assert bad.exit_code == 1
    assert "YYYY-MM" in bad.output


def test_an_approval_killed_half_way_posts_nothing_twice(
    app, runner, session, users, database_url, create_prisoner, create_donation, create_facility
):
    _top_ups(session, create_prisoner, create_donation, create_facility, ["anna", "boris", "vera"])
    runner.invoke(args=["commissary", "run", "--month", "2026-12", "--as", users["coordinator"]])
    run_id = session.scalar(select(CommissaryRun.id))
    entries = _count(session, JournalEntry)
    session.close()
    env = {
        **os.environ,
        "LEDGER_ENV": "testing",
        "DATABASE_URL": database_url,
        "LEDGER_INSTANCE_PATH": app.instance_path,
        "LEDGER_TEST_RUN_PAUSE": "30",  # after the first line is posted, before the commit
        "PYTHONUNBUFFERED": "1",
    }
    flask = Path(sys.executable).parent / "flask"
    process = subprocess.Popen(  # noqa: S603
        [str(flask), "--app", "wsgi", "commissary", "approve", str(run_id), "--as", users["admin"]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The process holds the ledger's write lock from the start of the approval to its
        # commit; once it does, a line takes milliseconds, then it pauses before the next.
        deadline = time.monotonic() + 60
        in_flight = False
        while not in_flight and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
            in_flight = _approval_in_flight(database_url)
        assert in_flight
        time.sleep(2)
        assert process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert _count(session, JournalEntry) == entries
    assert _count(session, CommissaryTransfer) == 0
    assert session.get(CommissaryRun, run_id).status == "prepared"

    approved = runner.invoke(args=["commissary", "approve", str(run_id), "--as", users["admin"]])
    assert approved.exit_code == 0, approved.output
    again = runner.invoke(args=["commissary", "approve", str(run_id), "--as", users["admin"]])
    assert again.exit_code == 1
    assert _count(session, CommissaryTransfer) == 3
    assert _count(session, JournalEntry) == entries + 3
    assert _count(session, CommissaryRunLog, CommissaryRunLog.event == "sent") == 3
    per_prisoner = session.execute(
        select(CommissaryTransfer.prisoner_id, func.count()).group_by(CommissaryTransfer.prisoner_id)
    ).all()
    assert sorted(count for _id, count in per_prisoner) == [1, 1, 1]
    assert verify_ledger(session).ok


def _approval_in_flight(database_url: str) -> bool:
    """True once another process holds the ledger's write lock (it has begun posting)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 0.2})
    else:
        engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if database_url.startswith("sqlite"):
                try:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    connection.exec_driver_sql("ROLLBACK")
                    return False
                except OperationalError:
                    return True
            connection.execute(text("SET lock_timeout = '200ms'"))
            try:
                connection.execute(text("SELECT 1 FROM ledger_head WHERE id = 1 FOR UPDATE NOWAIT"))
                connection.rollback()
                return False
            except OperationalError:
                return True
    finally:
        engine.dispose()
