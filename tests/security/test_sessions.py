"""Sessions end on the server: a copied cookie is worthless after sign-out, a new
password ends the other sessions, and a sign-in lasts a limited time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ledger.access.models import UserSession
from ledger.access.users import find_user
from ledger.platform.database import utcnow
from tests.helpers import PASSWORD, AuthActions


def _copy(app, client):
    copy = app.test_client()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    copy.set_cookie(cookie.key, cookie.value)
    return copy


def _signed_in(client) -> bool:
    return client.get("/settings/").status_code == 200


def test_a_copied_cookie_stops_working_after_sign_out(app, client, auth):
    auth.login("auditor")
    stolen = _copy(app, client)
    assert _signed_in(stolen)
    auth.logout()
    assert not _signed_in(stolen)


def test_a_new_password_ends_the_other_sessions_but_not_this_one(app, users, session):
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login("auditor")
    AuthActions(phone).login("auditor")
    new = "another long passphrase"
    assert (
        laptop.post("/settings/password", data={"current": PASSWORD, "new": new, "confirm": new}).status_code
        == 302
    )
    assert _signed_in(laptop)
    assert not _signed_in(phone)


def test_deactivation_and_a_two_factor_reset_end_sessions(app, users, session):
    from tests.helpers import enrol_two_factor

    enrol_two_factor(app, users["admin"])
    enrol_two_factor(app, users["coordinator"])
    admin, coordinator, auditor = app.test_client(), app.test_client(), app.test_client()
    AuthActions(admin).login("admin")
    AuthActions(coordinator).login("coordinator")
    AuthActions(auditor).login("auditor")
    admin.post(
        f"/admin/users/{find_user(session, users['coordinator']).id}/reset-two-factor",
        data={"confirm": "yes"},
    )
    assert not _signed_in(coordinator)
    admin.post(f"/admin/users/{find_user(session, users['auditor']).id}/deactivate", data={"confirm": "yes"})
    admin.post(f"/admin/users/{find_user(session, users['auditor']).id}/activate")
    assert not _signed_in(auditor)
    assert _signed_in(admin)


def test_a_sign_in_expires(app, client, auth, session):
    auth.login("auditor")
    assert _signed_in(client)
    session.execute(update(UserSession).values(created_at=utcnow() - timedelta(hours=13)))
    session.commit()
    assert not _signed_in(client)


def test_only_a_hash_of_the_session_id_is_stored(app, client, auth, session):
    auth.login("auditor")
    with client.session_transaction() as cookie_session:
        sid = cookie_session["sid"]
    assert session.scalar(select(UserSession.token_hash)) not in (None, sid)
