"""Helpers for tests that are not fixtures: the test password, bearer headers, signing in
(with the two-factor step), TOTP codes.  Import them from here, never from a conftest.py."""

from __future__ import annotations

import contextvars
import os
import time

import pyotp
from argon2 import PasswordHasher
from flask import has_app_context
from flask.testing import FlaskClient

from ledger.access import passwords
from ledger.access.two_factor import (
    begin_enrolment,
    confirm_enrolment,
    credential_for,
    current_code,
    decrypt_secret,
)
from ledger.access.users import find_user
from ledger.extensions import db

# Set by scripts/throwaway-postgres.sh: the suite then runs on PostgreSQL.
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"

# Argon2id at its production cost (64 MiB, three passes: about 0.1 s a hash on an idle core,
# far more on a busy one) was most of the suite's time: every user made and every sign-in pays
# it.  The tests hash with the same algorithm at its lowest cost; the hashes still carry their
# parameters, so verification is the real one.  tests/security/test_password_hashing.py checks the
# production parameters.
SHIPPED_PASSWORD_HASHER = passwords._hasher  # before tests/conftest.py swaps it
FAST_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

# How often a test's HTTP server thread looks for shutdown(): at socketserver's default (0.5 s)
# every test that stops one waited half a second for nothing.
SHUTDOWN_POLL = 0.01


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, with its own database session, as in
    production: a view that forgets to commit, or a user cached in ``g``, shows up in tests.

    The test's own session (the ``session`` fixture) is committed first, so that its next
    query starts a new transaction and sees what the request wrote.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        # Streamed responses are read inside the request's own context too.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def enrol_two_factor(app, email: str) -> str:
    """Enrol the user in TOTP two-factor as if through the settings page; return the secret."""
    with app.app_context():
        user = find_user(db.session, email)
        assert user is not None, email
        secret = begin_enrolment(db.session, user, app.config["TWO_FACTOR_KEY"])
        confirm_enrolment(db.session, user, app.config["TWO_FACTOR_KEY"], current_code(secret))
        # As if enrolled a minute ago: the current and the next code are free for sign-ins.
        credential = credential_for(db.session, user)
        assert credential is not None
        credential.last_used_step = int(time.time() // 30) - 2
        db.session.commit()
    return secret


def next_totp_code(app, email: str) -> str:
    """A code the server accepts now: the current step's, or the next one if that was used."""
    with app.app_context():
        user = find_user(db.session, email)
        assert user is not None, email
        credential = credential_for(db.session, user)
        assert credential is not None, f"{email} is not enrolled in two-factor"
        secret = decrypt_secret(app.config["TWO_FACTOR_KEY"], credential.secret_encrypted)
        step = max(int(time.time() // 30), (credential.last_used_step or -1) + 1)
        db.session.rollback()
    return pyotp.TOTP(secret).at(step * 30)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, role: str = "coordinator", password: str = PASSWORD):
        """Sign in as ``role@example.org``, passing the two-factor step if the user is enrolled."""
        email = f"{role}@example.org"
        response = self._client.post("/login", data={"email": email, "password": password})
        if response.status_code == 302 and response.headers["Location"].startswith("/login/two-factor"):
            code = next_totp_code(self._client.application, email)
            response = self._client.post("/login/two-factor", data={"code": code})
        return response

    def logout(self):
        return self._client.post("/logout")


def seal(session, *, now=None):
    """Make a signed checkpoint as `ledger checkpoint` does, with the instance's key."""
    from flask import current_app

    from ledger.checkpoints.disclosure import rules_from_config
    from ledger.checkpoints.seal import create_checkpoint
    from ledger.checkpoints.signing import load_signing_key

    key = load_signing_key(current_app.instance_path, current_app.config.get("LEDGER_SIGNING_KEY"))
    checkpoint = create_checkpoint(session, key, now=now, rules=rules_from_config(current_app.config))
    session.commit()
    return checkpoint
