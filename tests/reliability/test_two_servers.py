"""Two web servers on one database keep one truth: a page one of them cached is not served
stale after the other records a gift and signs a checkpoint, or changes a profile, because the
cache keys come from the database (the checkpoint and content_version), not from the process."""

from __future__ import annotations

from ledger.platform.database import utc_today
from tests.helpers import bearer, seal


def test_a_page_cached_by_one_server_follows_changes_made_through_the_other(
    app, make_app, session, books, tokens
):
    seal(session)
    other = make_app("testing")
    reader, writer = other.test_client(), app.test_client()
    before = reader.get("/prisoners/vera").get_data(as_text=True)
    assert reader.get("/prisoners/vera").get_data(as_text=True) == before  # served from its cache
    gift = {
        "prisoner": "vera",
        "money": {"amount": "321.00", "currency": "EUR"},
        "method": "bank",
        "asset": "assets:bank:eur-main",
        "received_on": utc_today().isoformat(),
    }
    assert (
        writer.post("/api/v1/donations", json=gift, headers=bearer(tokens["coordinator"])).status_code == 201
    )
    assert reader.get("/prisoners/vera").get_data(as_text=True) == before  # public figures wait
    seal(session)
    after = reader.get("/prisoners/vera").get_data(as_text=True)
    assert after != before
    assert after == writer.get("/prisoners/vera").get_data(as_text=True)
