"""Repeated failed sign-ins lock the account (and a noisy client) for a while; the
counts live in the database under keyed hashes, never as emails or addresses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ledger.access import throttle
from ledger.access.models import AuditEvent, LoginAttempt
from ledger.platform.database import utcnow
from tests.helpers import PASSWORD, enrol_two_factor, next_totp_code


def _fail(client, email="coordinator@example.org", address="203.0.113.7"):
    return client.post(
        "/login", data={"email": email, "password": "wrong password!"}, environ_base={"REMOTE_ADDR": address}
    )


def _sign_in(client, email="coordinator@example.org", address="203.0.113.7"):
    return client.post(
        "/login", data={"email": email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": address}
    )


def _actions(session):
    return [event.action for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_five_failures_lock_the_account_even_for_the_right_password(client, users, session):
    for _ in range(5):
        assert _fail(client).status_code == 200
    response = _sign_in(client)
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in response.get_data(as_text=True)
    assert _actions(session).count("auth.locked") == 1
    # from another address too: the account itself is locked
    assert _sign_in(client, address="198.51.100.9").status_code == 429


def test_the_lock_opens_after_the_window_and_success_forgets_the_failures(client, users, session):
    for _ in range(5):
        _fail(client)
    session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    session.commit()
    assert _sign_in(client).status_code == 302
    account = throttle.account_key(client.application.config["SECRET_KEY"], "coordinator@example.org")
    assert session.scalars(select(LoginAttempt).where(LoginAttempt.account_key == account)).all() == []


def test_one_client_guessing_many_accounts_is_locked_out(app, client, users):
    app.config["LOGIN_MAX_FAILURES_PER_CLIENT"] = 3
    for number in range(3):
        _fail(client, email=f"nobody{number}@example.org")
    assert _sign_in(client, email="auditor@example.org").status_code == 429
    assert _sign_in(client, email="auditor@example.org", address="198.51.100.9").status_code == 302


def test_wrong_second_factor_codes_count_towards_the_lock(app, client, users):
    enrol_two_factor(app, users["coordinator"])
    for _ in range(5):
        _sign_in(client)
        client.post("/login/two-factor", data={"code": "000000"}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    _sign_in(client)
    response = client.post(
        "/login/two-factor",
        data={"code": next_totp_code(app, users["coordinator"])},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 429


def test_nothing_identifying_is_stored_for_throttling_or_in_the_audit_log(client, users, session):
    _fail(client, email="Stranger@Example.net")
    _fail(client)
    rows = session.scalars(select(LoginAttempt)).all()
    stored = " ".join(f"{row.account_key} {row.client_key}" for row in rows)
    assert len(rows) == 2
    assert "203.0.113.7" not in stored
    assert "example" not in stored.lower()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.failed")).all()
    text = " ".join(f"{event.target} {event.details}" for event in events)
    assert "stranger" not in text.lower()
    assert "203.0.113.7" not in text
    assert "account_hash" in text  # the unknown account is a hash, so repeats can be seen
    assert any(event.target and event.target.startswith("user:") for event in events)


def test_old_attempts_are_purged(app, session, users):
    policy = throttle.ThrottlePolicy()
    old = LoginAttempt(at=utcnow() - timedelta(days=2), account_key="a" * 64, client_key="b" * 64)
    session.add(old)
    session.commit()
    throttle.record_failure(session, policy, "c" * 64, "d" * 64)
    session.commit()
    assert [row.account_key for row in session.scalars(select(LoginAttempt))] == ["c" * 64]


def test_behind_a_trusted_proxy_clients_are_told_apart(make_app, users):
    app = make_app(TRUSTED_PROXY_HOPS=1, LOGIN_MAX_FAILURES_PER_CLIENT=2)
    client = app.test_client()

    def attempt(email, password, forwarded):
        return client.post(
            "/login",
            data={"email": email, "password": password},
            headers={"X-Forwarded-For": forwarded},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )

    attempt("nobody1@example.org", "x", "203.0.113.7")
    attempt("nobody2@example.org", "x", "203.0.113.7")
    assert attempt("auditor@example.org", PASSWORD, "203.0.113.7").status_code == 429
    assert attempt("auditor@example.org", PASSWORD, "198.51.100.9").status_code == 302
