"""Public pages are cached for anonymous readers, and never outlive what they show: a new
checkpoint, an edited profile, a prisoner made hidden or a donor's name removed is visible
at once (a new entry waits for the next checkpoint); signed-in readers and sessions are
never cached."""

from sqlalchemy import select

from ledger.funds.models import Donation, Donor
from tests.helpers import seal


def _cache(app):
    return app.extensions["page_cache"].pages


def test_anonymous_pages_are_cached_and_carry_no_session(app, client, session, create_prisoner):
    create_prisoner("vera", name="Вера")
    session.commit()
    first = client.get("/prisoners/vera")
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    assert "csrf_token" not in first.text
    assert len(_cache(app)) == 1
    second = client.get("/prisoners/vera")
    assert second.text == first.text
    assert len(_cache(app)) == 1
    client.get("/")
    assert len(_cache(app)) == 2


def test_a_new_entry_shows_with_the_next_checkpoint(client, session, create_prisoner, create_donation):
    prisoner = create_prisoner("vera")
    session.commit()
    seal(session)
    assert "€" not in client.get("/prisoners/vera").text
    create_donation(prisoner, "42.00", "EUR")
    session.commit()
    assert "42.00" not in client.get("/prisoners/vera").text
    seal(session)
    assert "42.00" in client.get("/prisoners/vera").text


def test_profile_edits_and_hiding_show_at_once(client, auth, session, users, create_prisoner):
    create_prisoner("vera", name="Вера")
    session.commit()
    assert client.get("/prisoners/vera").status_code == 200
    assert "Вера" in client.get("/").text

    editor = client.application.test_client()
    from tests.helpers import AuthActions

    AuthActions(editor).login("coordinator")
    form = {
        "name": "Вера Н.",
        "name_latin": "Vera N.",
        "status": "sentenced",
        "facility": "",
        "need_currency": "RUB",
        "public": "y",
    }
    assert editor.post("/manage/prisoners/vera/edit", data=form).status_code == 302
    assert "Vera N." in client.get("/prisoners/vera").text
    assert editor.post("/manage/prisoners/vera/edit", data={**form, "public": ""}).status_code == 302
    assert client.get("/prisoners/vera").status_code == 404
    assert "Vera N." not in client.get("/").text


def test_a_donor_removing_their_public_name_shows_at_once(client, session, create_prisoner, create_donation):
    prisoner = create_prisoner("vera")
    entry = create_donation(prisoner, "10.00", "EUR")
    donor = Donor(public_name="Друг из Вильнюса")
    session.add(donor)
    session.flush()
    session.add(
        Donation(
            entry_id=entry.id,
            donor=donor,
            prisoner=prisoner,
            method="bank",
            amount_minor=1000,
            currency="EUR",
            received_on=entry.entry_date,
        )
    )
    session.commit()
    seal(session)
    assert "Друг из Вильнюса" in client.get("/prisoners/vera").text
    session.scalar(select(Donor)).public_name = None
    session.commit()
    assert "Друг из Вильнюса" not in client.get("/prisoners/vera").text


def test_languages_are_cached_apart_and_signed_in_readers_never(app, client, auth, session, create_prisoner):
    create_prisoner("vera", name="Вера")
    session.commit()
    english = client.get("/prisoners/vera").text
    client.get("/language/ru?next=/prisoners/vera")
    russian = client.get("/prisoners/vera").text
    assert 'lang="en"' in english.split(">")[1]
    assert 'lang="ru"' in russian.split(">")[1]
    pages = len(_cache(app))
    auth.login("auditor")
    assert client.get("/prisoners/vera").status_code == 200
    assert len(_cache(app)) == pages


def test_the_language_link_stays_on_site(client):
    response = client.get("/language/ru?next=//evil.example/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_version_check_leaves_pooled_connections_in_transactions(app, client, session, create_prisoner):
    """The check runs outside a transaction on PostgreSQL; the connection it used goes back
    to the pool as it came, so the next unit of work is still all or nothing."""
    from ledger.extensions import db
    from ledger.funds.prisoners import prisoner_by_slug

    create_prisoner("vera")
    session.commit()
    session.close()  # the pool holds one connection, which the page requests take in turn
    for _ in range(3):  # stored, then served from the cache
        assert client.get("/prisoners/vera").status_code == 200
    raw = db.engine.raw_connection()
    try:
        if db.engine.dialect.name == "postgresql":
            assert raw.driver_connection.autocommit is False
    finally:
        raw.close()
    create_prisoner("lev")
    session.rollback()
    assert prisoner_by_slug(session, "lev") is None


def test_every_model_is_watched_by_the_page_cache_or_left_out_with_a_reason():
    """A new table is decided on: its changes bump the content version (``_watched``), or
    ``NOT_WATCHED`` says why no cached public page can show them stale."""
    import ledger.models  # noqa: F401  (every model mapped)
    from ledger.platform.database import Base
    from ledger.reports.content_version import NOT_WATCHED, _watched

    tables = {mapper.local_table.name for mapper in Base.registry.mappers}
    watched = {model.__tablename__ for model in _watched()}
    assert not watched & set(NOT_WATCHED), "watched and left out at once"
    assert sorted(tables - watched - set(NOT_WATCHED)) == [], "neither watched nor left out"
    assert sorted(set(NOT_WATCHED) - tables) == [], "left out, but no such table"
    assert all(reason.strip() for reason in NOT_WATCHED.values())
