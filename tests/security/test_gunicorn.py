"""The documented production command, run for real: ``gunicorn wsgi:app`` in the project folder
with LEDGER_ENV unset serves the production settings, and its logs hold no client address
(issue #20, defects 7 and 8)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(migrated_database, tmp_path):
    if not isinstance(migrated_database, Path):
        pytest.skip("runs against the SQLite template")
    database = tmp_path / "ledger.sqlite3"
    shutil.copy(migrated_database, database)
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LEDGER_ENV", "DATABASE_URL", "TEST_DATABASE_URL")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        LEDGER_INSTANCE_PATH=str(tmp_path / "instance"),
        PUBLIC_BASE_URL="https://ledger.example.org",
        SECRET_KEY="gunicorn-test-secret",
        MAIL_DISABLED="1",
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "wsgi:app",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120  # a loaded CI machine starts slowly
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ledger/head", timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            else:
                pytest.fail(log.read_text())
            yield port, log
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_gunicorn_without_ledger_env_serves_production_settings(served):
    port, _log = served
    response = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"http://127.0.0.1:{port}/language/ru?next=/", timeout=5)
    except urllib.error.HTTPError as redirect:
        cookie = redirect.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_gunicorn_logs_no_client_address_for_an_invalid_request(served):
    port, log = served
    for request in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(request)
            connection.recv(1000)
    urllib.request.urlopen(f"http://127.0.0.1:{port}/?email=donor@example.org", timeout=5)
    time.sleep(0.5)
    lines = log.read_text().splitlines()
    assert any("Invalid request from ip=[ip]" in line for line in lines), lines
    leaks = [line for line in lines if "127.0.0.1" in line and "Listening at:" not in line]
    assert leaks == []
    assert not any("donor@example.org" in line for line in lines)
