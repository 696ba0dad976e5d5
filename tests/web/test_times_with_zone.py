"""Every time a page shows carries its time zone: UTC by default, the configured zone
(BABEL_DEFAULT_TIMEZONE) when there is one — never a bare "13:05"."""

import re
from pathlib import Path

import pytest

from ledger.access.users import create_user
from ledger.books.accounts import ensure_standard_accounts
from ledger.extensions import db
from tests.helpers import PASSWORD, IsolatedClient

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MOMENT = r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)(?::\d\d)?\u00a0"


def test_no_template_writes_a_time_without_its_zone():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        # strftime knows no zone; the datetime filter adds it, so none is written by hand.
        assert not re.search(r"strftime\([^)]*%H", text), template
        assert not re.search(r"\|datetime(\([^)]*\))?\s*}}\s*UTC", text), template
        assert "(UTC)" not in text, template


def _app(make_app, **config):
    app = make_app(**config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        ensure_standard_accounts(db.session)
        create_user(db.session, "admin@example.org", PASSWORD, "admin")
        db.session.commit()
    return app


@pytest.mark.parametrize(("zone", "label", "shift"), [("UTC", "UTC", 0), ("Europe/Moscow", "MSK", 3)])
def test_pages_show_times_in_the_configured_zone_with_its_name(make_app, zone, label, shift):
    app = _app(make_app, BABEL_DEFAULT_TIMEZONE=zone)
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    created = client.post("/settings/tokens", data={"name": "laptop"})
    assert created.status_code == 200
    with app.app_context():
        from sqlalchemy import select

        from ledger.access.models import AuditEvent

        stored = db.session.scalar(select(AuditEvent.at).order_by(AuditEvent.id.desc()))
    for language in ("en", "ru"):
        for path in ("/audit", "/settings/"):
            page = client.get(path, headers={"Accept-Language": language}).text
            shown = re.findall(MOMENT + label, page)
            assert shown, (path, language)
            assert any(int(hour) == (stored.hour + shift) % 24 for _y, _m, _d, hour, _min in shown), path
    assert "When (UTC)" not in client.get("/audit").text
