"""A real PostgreSQL streaming replica (pg_basebackup on loopback) served with
LEDGER_READ_ONLY=1: the same public figures as on the primary, also after a change streams
over; a write there answers 503 and writes nothing (issue #30)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from ledger.books.models import JournalEntry
from ledger.platform.database import utc_today
from tests.checkpoints.test_public_state import public_get_urls, snapshot
from tests.helpers import POSTGRES_URL, bearer, seal
from tests.reliability.test_read_only import PRIMARY

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]


def _as_postgres(*command: str, **options) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], check=True, capture_output=True, text=True, timeout=120, **options
    )


@pytest.fixture
def replica_url():
    bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    primary = make_url(POSTGRES_URL)
    folder = tempfile.mkdtemp(prefix="ledger-replica.", dir="/tmp")
    data = os.path.join(folder, "data")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _as_postgres(f"{bindir}/pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                 "-D", data, "-R", "-X", "stream", "-c", "fast")  # fmt: skip
    # max_connections as on the throwaway primary (a standby may not have fewer).
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=200"
    try:
        _as_postgres(
            f"{bindir}/pg_ctl", "-D", data, "-l", f"{folder}/server.log", "-w", "-o", options, "start"
        )
    except subprocess.CalledProcessError:
        with open(f"{folder}/server.log") as handle:
            log = handle.read()
        shutil.rmtree(folder, ignore_errors=True)
        raise AssertionError(log) from None
    try:
        yield primary.set(port=port).render_as_string(hide_password=False)
    finally:
        subprocess.run(
            [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
             f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def _caught_up(replica_url: str) -> None:
    """Wait until the replica has replayed everything the primary wrote so far."""
    primary, replica = create_engine(POSTGRES_URL), create_engine(replica_url)
    try:
        with primary.connect() as connection:
            target = connection.scalar(text("SELECT pg_current_wal_lsn()"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with replica.connect() as connection:
                if connection.scalar(text("SELECT pg_last_wal_replay_lsn() >= :t"), {"t": target}):
                    return
            time.sleep(0.2)
        raise AssertionError("the replica did not catch up within 60 s")
    finally:
        primary.dispose()
        replica.dispose()


def test_a_streaming_replica_serves_the_primary_figures_and_refuses_writes(
    app, make_app, session, books, tokens, replica_url
):
    seal(session)
    _caught_up(replica_url)
    replica = make_app("testing", SQLALCHEMY_DATABASE_URI=replica_url, READ_ONLY=True, PRIMARY_URL=PRIMARY)
    urls = [url for url in public_get_urls(app) if not url.startswith("/login")]
    primary_client, replica_client = app.test_client(), replica.test_client()
    assert snapshot(replica_client, urls) == snapshot(primary_client, urls)

    gift = {
        "prisoner": "vera",
        "money": {"amount": "77.00", "currency": "EUR"},
        "method": "bank",
        "asset": "assets:bank:eur-main",
        "received_on": utc_today().isoformat(),
    }
    refused = replica_client.post("/api/v1/donations", json=gift, headers=bearer(tokens["coordinator"]))
    assert refused.status_code == 503
    assert refused.json["error"]["code"] == "read_only"
    # On the primary the gift is recorded and sealed; the replica shows it once streamed over.
    entries = session.scalar(select(func.count()).select_from(JournalEntry))
    recorded = primary_client.post("/api/v1/donations", json=gift, headers=bearer(tokens["coordinator"]))
    assert recorded.status_code == 201
    seal(session)
    _caught_up(replica_url)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(JournalEntry)) == entries + 1
    head = replica_client.get("/api/v1/ledger/head").json
    assert head == primary_client.get("/api/v1/ledger/head").json
    assert (
        replica_client.get("/api/v1/prisoners/vera").json == primary_client.get("/api/v1/prisoners/vera").json
    )
