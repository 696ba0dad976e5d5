"""Read-only mode (LEDGER_READ_ONLY=1), for a server on a PostgreSQL streaming replica: every
public page and API read answers exactly as on the primary; every write — and the sign-in —
answers 503 in the reader's language with a link to the primary, and writes nothing, not even
past the check (the connection itself is read-only).  Here the "replica" is a second app on the
same database; the streaming replica itself is not set up by the suite (docs/deploy.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from ledger.books.models import JournalEntry
from ledger.extensions import db
from ledger.funds.models import Pledge
from ledger.platform.database import utc_today
from tests.checkpoints.test_public_state import public_get_urls, snapshot
from tests.donors.conftest import eur_details  # noqa: F401
from tests.helpers import bearer, seal

PRIMARY = "https://primary.example.org"


@pytest.fixture
def replica(make_app):
    app = make_app("testing", READ_ONLY=True, PRIMARY_URL=PRIMARY)
    return app


def _entries(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(JournalEntry))


def test_the_replica_serves_every_public_page_and_read_as_the_primary(app, replica, session, books):
    seal(session)
    urls = [url for url in public_get_urls(app) if not url.startswith("/login")]  # it writes: 503
    assert "/api/v1/prisoners/vera" in urls
    primary, copy = snapshot(app.test_client(), urls), snapshot(replica.test_client(), urls)
    assert [url for url, (status, _body) in copy.items() if status >= 500] == []
    assert [url for url in urls if primary[url] != copy[url]] == []


@pytest.mark.usefixtures("eur_details")
def test_writes_answer_503_with_the_primary_and_write_nothing(replica, session, books, tokens):
    seal(session)
    before = _entries(session)
    client = replica.test_client()
    gift = {
        "prisoner": "vera",
        "money": {"amount": "10.00", "currency": "EUR"},
        "method": "bank",
        "asset": "assets:bank:eur-main",
        "received_on": utc_today().isoformat(),
    }
    refused = client.post("/api/v1/donations", json=gift, headers=bearer(tokens["coordinator"]))
    assert refused.status_code == 503
    assert refused.json["error"]["code"] == "read_only"
    assert refused.json["error"]["primary"] == PRIMARY + "/"
    assert _entries(session) == before

    pledges = session.scalar(select(func.count()).select_from(Pledge))
    pledge = client.post("/pledge", data={"amount": "10", "currency": "EUR", "prisoner": "vera"})
    assert pledge.status_code == 503
    assert f'href="{PRIMARY}/"' in pledge.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Pledge)) == pledges

    login = client.get("/login", headers={"Accept-Language": "ru"})
    assert login.status_code == 503
    page = login.get_data(as_text=True)
    assert "Этот сервер только показывает бухгалтерию" in page
    assert f'href="{PRIMARY}/login"' in page


def test_the_connection_itself_refuses_writes_and_the_worker_does_not_start(replica):
    with replica.app_context():
        with pytest.raises(DBAPIError):
            db.session.execute(text("UPDATE ledger_head SET entry_count = entry_count WHERE id = 1"))
        db.session.rollback()
    result = replica.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 1
    assert "read-only" in result.output
