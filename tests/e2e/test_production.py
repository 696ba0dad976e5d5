"""The production path of docs/deploy.md, run for real on loopback: a throwaway PostgreSQL
database, the kept secret key, ``db upgrade`` and ``setup``, gunicorn with
``LEDGER_ENV=production``, the worker and an SMTP server.  A gift recorded through the API
brings one receipt whose links start with PUBLIC_BASE_URL, and the first checkpoint is made
by the worker when due — no cron (issue #30)."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.api.live_server import BIN, ROOT, LiveServer
from tests.donors.conftest import SmtpServer
from tests.helpers import PASSWORD, POSTGRES_URL

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]
PUBLIC_BASE_URL = "https://ledger.example.test"
DATABASE = "ledger_production_path"


class ProductionServer(LiveServer):
    """gunicorn as docs/deploy.md runs it (gunicorn.conf.py: production settings)."""

    database_url: str = ""
    smtp_port: int = 0

    @property
    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "LEDGER_"))}
        for name in ("TEST_DATABASE_URL", "SECRET_KEY", "MAIL_DISABLED"):
            env.pop(name, None)
        env.update(  # deploy/ledger.env's settings
            LEDGER_ENV="production",
            LEDGER_INSTANCE_PATH=str(self.directory / "instance"),
            DATABASE_URL=self.database_url,
            PUBLIC_BASE_URL=PUBLIC_BASE_URL,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(self.smtp_port),
            MAIL_DEFAULT_SENDER="Solidarity fund <ledger@example.test>",
            LC_ALL="C.UTF-8",
            LANG="C.UTF-8",
        )
        return env


@pytest.fixture
def database():
    url = make_url(POSTGRES_URL)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    yield url.set(database=DATABASE).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
    admin.dispose()


def test_production_path_sends_a_receipt_and_makes_the_checkpoint_without_cron(tmp_path, database):
    smtp = SmtpServer().start()
    server = ProductionServer(tmp_path)
    server.database_url, server.smtp_port = database, smtp.port
    worker = None
    worker_output = (tmp_path / "worker.log").open("w")
    try:
        # Without its settings, production refuses to start, one line for each.
        refused = server.flask("db", "upgrade", check=False)
        assert refused.returncode != 0
        assert "Refusing to start: SECRET_KEY" in refused.stderr
        # docs/deploy.md: the secret key, kept in the instance folder (mode 600).
        instance = tmp_path / "instance"
        instance.mkdir(mode=0o700, exist_ok=True)
        key = instance / "secret_key"
        key.write_text(secrets.token_urlsafe(48))
        key.chmod(0o600)
        server.flask("db", "upgrade")
        server.flask("setup", "--admin-email", "admin@example.org", "--account", "assets:bank:eur-main=EUR",
                     stdin=PASSWORD + "\n")  # fmt: skip
        server.flask("users", "create", "coord@example.org", "--role", "coordinator", stdin=PASSWORD + "\n")
        token = server.flask("tokens", "create", "coord@example.org").stdout.strip()
        server.start()
        worker = subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=server.env,
            stdout=subprocess.DEVNULL,
            stderr=worker_output,
            start_new_session=True,
        )
        gift = requests.post(
            server.api + "/donations",
            json={
                "money": {"amount": "40.00", "currency": "EUR"},
                "method": "bank",
                "asset": "assets:bank:eur-main",
                "donor": {"email": "donor@example.net"},
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert gift.status_code == 201, gift.text
        deadline = time.monotonic() + 60
        checkpoints: list = []
        while time.monotonic() < deadline and (not smtp.inbox.received or not checkpoints):
            time.sleep(1)
            checkpoints = requests.get(server.api + "/checkpoints", timeout=10).json()["checkpoints"]
        worker_log = (tmp_path / "worker.log").read_text()
        assert len(smtp.inbox.received) == 1, worker_log
        assert checkpoints, worker_log
        [body] = smtp.inbox.bodies()
        links = re.findall(r"https?://\S+", body)
        assert links, body
        assert all(link.startswith(PUBLIC_BASE_URL + "/") for link in links), links
        health = requests.get(server.url + "/healthz", timeout=10)
        assert health.status_code == 200
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            assert worker.wait(timeout=60) == 0
        server.stop()
        smtp.stop()
        worker_output.close()
    assert "worker" in Path(tmp_path / "worker.log").read_text()
