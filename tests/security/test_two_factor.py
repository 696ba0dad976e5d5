"""TOTP two-factor: enrolment with a QR code and recovery codes, the two-step sign-in,
and that a password alone never signs an enrolled user in."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from ledger.access.models import AuditEvent, RecoveryCode, TwoFactorCredential
from ledger.access.two_factor import current_code, verify_second_factor
from ledger.access.users import find_user
from tests.helpers import PASSWORD, AuthActions, enrol_two_factor, next_totp_code


def _actions(session):
    return [event.action for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_coordinator_enrols_with_the_shown_key_and_gets_ten_recovery_codes_once(
    client, users, two_factor_required, session
):
    response = AuthActions(client).login("coordinator")
    assert response.headers["Location"] == "/settings/two-factor"
    page = client.get("/settings/two-factor")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="secret">([A-Z2-7]{32})</code>', html).group(1)
    assert "otpauth://totp/" in html
    qr = client.get("/settings/two-factor/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data
    assert b"<script" not in qr.data

    wrong = client.post("/settings/two-factor", data={"code": "000000"})
    assert "That code is not valid" in wrong.get_data(as_text=True)

    done = client.post("/settings/two-factor", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert done.headers["Cache-Control"] == "no-store"
    stored = session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    credential = session.scalar(select(TwoFactorCredential))
    assert secret not in credential.secret_encrypted
    assert credential.confirmed_at is not None
    assert "2fa.enrolled" in _actions(session)
    # enrolled now: the settings page is open and no longer shows the key
    assert client.get("/settings/").status_code == 200
    assert secret not in client.get("/settings/two-factor").get_data(as_text=True)
    assert client.get("/settings/two-factor/qr.svg").status_code == 404


def test_a_stolen_password_alone_does_not_sign_in(client, users, app, session):
    enrol_two_factor(app, users["coordinator"])
    response = client.post("/login", data={"email": users["coordinator"], "password": PASSWORD})
    assert response.headers["Location"] == "/login/two-factor"
    assert "coordinator@example.org" not in client.get("/").get_data(as_text=True)
    assert client.get("/settings/").status_code == 302  # not signed in yet

    response = client.post("/login/two-factor", data={"code": "123456"})
    assert "That code is not valid" in response.get_data(as_text=True)
    assert _actions(session)[-1] == "auth.2fa_failed"

    response = client.post("/login/two-factor", data={"code": next_totp_code(app, users["coordinator"])})
    assert response.headers["Location"] == "/"
    assert "coordinator@example.org" in client.get("/").get_data(as_text=True)
    assert _actions(session)[-1] == "auth.signed_in"


def test_the_second_step_without_the_first_goes_back_to_the_password(client, users, app):
    enrol_two_factor(app, users["coordinator"])
    response = client.post("/login/two-factor", data={"code": next_totp_code(app, users["coordinator"])})
    assert response.headers["Location"] == "/login"


def test_the_second_step_expires(client, users, app):
    enrol_two_factor(app, users["coordinator"])
    client.post("/login", data={"email": users["coordinator"], "password": PASSWORD})
    app.config["LOGIN_PENDING_SECONDS"] = -1
    response = client.post("/login/two-factor", data={"code": next_totp_code(app, users["coordinator"])})
    assert response.headers["Location"] == "/login"


def test_a_code_works_once(app, users, session):
    secret = enrol_two_factor(app, users["admin"])
    user = find_user(session, users["admin"])
    key = app.config["TWO_FACTOR_KEY"]
    code = current_code(secret, step_offset=1)
    assert verify_second_factor(session, user, key, code) == "totp"
    assert verify_second_factor(session, user, key, code) is None
    assert verify_second_factor(session, user, key, "12345") is None
    assert verify_second_factor(session, user, key, "abcdef") is None


def test_a_recovery_code_signs_in_once(client, users, two_factor_required, session, app):
    AuthActions(client).login("coordinator")
    secret = re.search(
        r'<code class="secret">([A-Z2-7]{32})</code>',
        client.get("/settings/two-factor").get_data(as_text=True),
    ).group(1)
    done = client.post("/settings/two-factor", data={"code": pyotp.TOTP(secret).now()})
    code = re.findall(r"<li><code>([a-z0-9-]{19})</code></li>", done.get_data(as_text=True))[3]
    client.post("/logout")

    for attempt in range(2):
        client.post("/login", data={"email": users["coordinator"], "password": PASSWORD})
        response = client.post("/login/two-factor", data={"code": code.upper()})
        if attempt == 0:
            assert response.headers["Location"] == "/"
            assert "9 recovery codes left" in client.get("/settings/").get_data(as_text=True)
            client.post("/logout")
        else:
            assert response.status_code == 200
            assert "That code is not valid" in response.get_data(as_text=True)
    assert "2fa.recovery_code_used" in _actions(session)


def test_new_recovery_codes_need_a_current_code_and_void_the_old(client, users, app, session):
    enrol_two_factor(app, users["admin"])
    auth = AuthActions(client)
    auth.login("admin")
    old = set(session.scalars(select(RecoveryCode.code_hash)))
    assert client.post("/settings/two-factor/recovery-codes", data={"code": "000000"}).status_code == 400
    response = client.post(
        "/settings/two-factor/recovery-codes", data={"code": next_totp_code(app, users["admin"])}
    )
    assert response.status_code == 200
    assert not old & set(session.scalars(select(RecoveryCode.code_hash)))


def test_secrets_do_not_open_with_another_key(app, users, session):
    import pytest

    from ledger.access.two_factor import decrypt_secret

    enrol_two_factor(app, users["admin"])
    credential = session.scalar(select(TwoFactorCredential))
    with pytest.raises(ValueError, match="does not open this secret"):
        decrypt_secret("another-key", credential.secret_encrypted)


def test_admin_resets_a_lost_second_factor(client, users, app, session):
    enrol_two_factor(app, users["admin"])
    enrol_two_factor(app, users["coordinator"])
    AuthActions(client).login("admin")
    coordinator = find_user(session, users["coordinator"])
    asked = client.post(f"/admin/users/{coordinator.id}/reset-two-factor")
    assert asked.status_code == 200
    assert "recovery codes stop working" in asked.text
    assert session.get(TwoFactorCredential, coordinator.id) is not None
    response = client.post(f"/admin/users/{coordinator.id}/reset-two-factor", data={"confirm": "yes"})
    assert response.status_code == 302
    assert session.get(TwoFactorCredential, coordinator.id) is None
    assert session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == coordinator.id)) is None
    assert "2fa.reset" in _actions(session)


def test_api_tokens_are_not_asked_for_a_second_factor(client, tokens, two_factor_required, session):
    from tests.helpers import bearer

    response = client.get("/api/v1/entries/1", headers=bearer(tokens["coordinator"]))
    assert response.status_code == 404  # through the role check, to a missing entry


def test_an_auditor_is_asked_to_set_up_two_factor_before_reading_anything(app, client, users, session):
    """Auditors read every donor record staff read: production requires their second factor too."""
    from config import Config

    assert "auditor" in Config.REQUIRE_2FA_ROLES
    app.config["REQUIRE_2FA_ROLES"] = Config.REQUIRE_2FA_ROLES
    response = AuthActions(client).login("auditor")
    assert response.headers["Location"] == "/settings/two-factor"
    for page in ("/reports/journal", "/manage/prisoners", "/donors"):
        answer = client.get(page, headers={"Accept-Language": "ru"})
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/settings/two-factor"
    asked = client.get("/settings/two-factor", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "настройте двухфакторный вход" in asked
    secret = re.search(r'<code class="secret">([A-Z2-7]{32})</code>', asked).group(1)
    done = client.post("/settings/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert client.get("/reports/journal").status_code == 200
