"""API tokens in a user's settings; user administration by admins; the audit log page."""

from __future__ import annotations

import re

from sqlalchemy import select

from ledger.access.models import ApiToken, AuditEvent, User
from ledger.access.users import find_user
from tests.helpers import PASSWORD, AuthActions, bearer


def _actions(session):
    return [event.action for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_token_made_in_settings_is_shown_once_carries_the_role_and_can_be_revoked(
    client, auth, session, app
):
    auth.login("auditor")
    response = client.post("/settings/tokens", data={"name": "laptop script"})
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(
        r'<code class="secret">(sl_[A-Za-z0-9_-]+)</code>', response.get_data(as_text=True)
    ).group(1)
    assert session.scalar(select(ApiToken.token_hash).where(ApiToken.name == "laptop script")) != token

    api = app.test_client()
    assert api.get("/api/v1/entries/999", headers=bearer(token)).status_code == 404  # an auditor may read
    assert api.get("/api/v1/journal", headers=bearer(token)).status_code == 200
    assert api.post("/api/v1/conversions", json={}, headers=bearer(token)).status_code == 403  # not write

    page = client.get("/settings/").get_data(as_text=True)
    assert "laptop script" in page
    assert token not in page
    api_token = session.scalar(select(ApiToken).where(ApiToken.name == "laptop script"))
    assert api_token.last_used_at is not None
    assert client.post(f"/settings/tokens/{api_token.id}/revoke").status_code == 302
    assert api.get("/api/v1/entries/999", headers=bearer(token)).status_code == 401
    assert "laptop script" not in client.get("/settings/").get_data(as_text=True)
    assert {"token.created", "token.revoked"} <= set(_actions(session))


def test_nobody_revokes_someone_elses_token(client, auth, tokens, session):
    auth.login("coordinator")
    admin_token = session.scalar(select(ApiToken).join(User).where(User.role == "admin"))
    assert client.post(f"/settings/tokens/{admin_token.id}/revoke").status_code == 404
    session.refresh(admin_token)
    assert admin_token.revoked_at is None


def test_a_token_name_needs_text(client, auth, session):
    auth.login("coordinator")
    response = client.post("/settings/tokens", data={"name": "bad\x07name"})
    assert response.status_code == 302
    assert session.scalar(select(ApiToken)) is None


def test_admin_creates_a_user_changes_the_role_and_deactivates(client, auth, session):
    auth.login("admin")
    assert "auditor@example.org" in client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users", data={"email": "New.Person@example.org", "role": "auditor", "password": PASSWORD}
    )
    assert response.status_code == 302
    user = find_user(session, "new.person@example.org")
    assert user.role == "auditor"

    client.post(f"/admin/users/{user.id}/role", data={"role": "coordinator"})
    session.refresh(user)
    assert user.role == "coordinator"

    asked = client.post(f"/admin/users/{user.id}/deactivate")
    assert asked.status_code == 200
    assert 'name="confirm" value="yes"' in asked.text
    session.refresh(user)
    assert user.active  # asking changes nothing
    client.post(f"/admin/users/{user.id}/deactivate", data={"confirm": "yes"})
    session.refresh(user)
    assert not user.active
    other = client.application.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200

    client.post(f"/admin/users/{user.id}/activate")
    session.refresh(user)
    assert user.active
    assert {"user.created", "user.role_changed", "user.deactivated", "user.activated"} <= set(
        _actions(session)
    )
    changed = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert changed.user.role == "admin"
    assert changed.target == f"user:{user.id}"
    assert '"previous": "auditor"' in changed.details


def test_a_deactivated_users_tokens_stop_working(client, auth, tokens, session, app):
    auth.login("admin")
    auditor = find_user(session, "auditor@example.org")
    client.post(f"/admin/users/{auditor.id}/deactivate", data={"confirm": "yes"})
    assert app.test_client().get("/api/v1/entries/1", headers=bearer(tokens["auditor"])).status_code == 401


def test_the_last_admin_stays_admin(client, auth, session):
    auth.login("admin")
    admin = find_user(session, "admin@example.org")
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "auditor"}, follow_redirects=True)
    assert "The last active admin cannot be demoted or deactivated." in response.get_data(as_text=True)
    client.post(f"/admin/users/{admin.id}/deactivate", data={"confirm": "yes"})
    session.refresh(admin)
    assert admin.role == "admin"
    assert admin.active


def test_bad_new_users_are_refused_with_messages(client, auth, session):
    auth.login("admin")
    response = client.post(
        "/admin/users", data={"email": "coordinator@example.org", "role": "auditor", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "A user with this email already exists." in response.get_data(as_text=True)
    response = client.post(
        "/admin/users", data={"email": "x@example.org", "role": "king", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert find_user(session, "x@example.org") is None


def test_audit_log_page_filters_by_action_and_user_and_pages(client, auth, session, users):
    from ledger.access.audit import record_audit

    auditor = find_user(session, users["auditor"])
    for number in range(60):
        record_audit(session, "test.event", user=auditor, target=f"thing:{number}")
    session.commit()
    auth.login("auditor")
    html = client.get("/audit?action=test.event").get_data(as_text=True)
    assert "60 events" in html
    assert "thing:59" in html
    assert "thing:9<" not in html
    assert "Page 1 of 2" in html
    assert "thing:9<" in client.get("/audit?action=test.event&page=2").get_data(as_text=True)
    admin = find_user(session, users["admin"])
    assert "0 events" in client.get(f"/audit?action=test.event&user={admin.id}").get_data(as_text=True)
    assert '<td data-label="Action">Signed in</td>' in client.get("/audit").get_data(as_text=True)


def test_coordinators_do_not_see_the_audit_log_or_users(client, auth):
    AuthActions(client).login("coordinator")
    assert client.get("/audit").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_a_user_changes_their_password_with_the_current_one(client, auth, session, runner):
    auth.login("auditor")
    new = "a brand new passphrase"
    response = client.post("/settings/password", data={"current": "wrong", "new": new, "confirm": new})
    assert response.status_code == 400
    assert "The current password is not right." in response.get_data(as_text=True)
    response = client.post("/settings/password", data={"current": PASSWORD, "new": new, "confirm": new + "x"})
    assert response.status_code == 400
    assert "The two new passwords differ." in response.get_data(as_text=True)
    assert (
        client.post("/settings/password", data={"current": PASSWORD, "new": new, "confirm": new}).status_code
        == 302
    )
    auth.logout()
    assert auth.login("auditor", password=new).status_code == 302
    assert "user.password_changed" in _actions(session)


def test_cli_resets_a_lost_second_factor(app, users, runner, session):
    from ledger.access.models import TwoFactorCredential
    from tests.helpers import enrol_two_factor

    enrol_two_factor(app, users["admin"])
    result = runner.invoke(args=["users", "reset-2fa", "admin@example.org"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(TwoFactorCredential)) is None
    assert runner.invoke(args=["users", "reset-2fa", "nobody@example.org"]).exit_code == 1
