"""Fixtures for the security tests: two-factor required as in production, the
fictional demo data loaded, one signed-in client per role, and URL builders that
fill every route's parameters with existing objects."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ledger.access.models import User
from ledger.access.users import create_token, create_user
from ledger.extensions import db
from tests.helpers import PASSWORD, AuthActions, enrol_two_factor
from tests.security.helpers import ROLES, WALK_TARGET_EMAIL


@pytest.fixture
def two_factor_required(app):
    """The production rule: admins, coordinators and auditors must use two-factor."""
    app.config["REQUIRE_2FA_ROLES"] = ("admin", "coordinator", "auditor")
    return app


@pytest.fixture
def enrolled_users(app, users, two_factor_required):
    """Every role's user, admins, coordinators and auditors enrolled in two-factor."""
    for role in ("admin", "coordinator", "auditor"):
        enrol_two_factor(app, users[role])
    return users


@pytest.fixture
def demo(app, session, enrolled_users):
    """Fictional demo books plus objects for URL parameters: a spare user and a token."""
    from ledger.operations.demo import load_demo

    load_demo(session)
    target = create_user(session, WALK_TARGET_EMAIL, PASSWORD, "auditor")
    create_token(session, target, "walk")
    session.commit()
    return {"target_user_id": target.id}


class RoleClients:
    """One test client per role, signed in (two-factor passed), plus an anonymous one."""

    def __init__(self, app, users, tokens: dict | None = None):
        self.app = app
        self.users = users
        self.tokens = tokens or {}
        self.clients = {"anonymous": app.test_client()}
        for role in ROLES:
            self.clients[role] = app.test_client()
            self.sign_in(role)

    def sign_in(self, role: str) -> None:
        response = AuthActions(self.clients[role]).login(role)
        assert response.status_code == 302, f"{role} could not sign in"

    def copy_of(self, who: str):
        """A client holding ``who``'s session cookie."""
        copy = self.app.test_client()
        cookie = self.clients[who].get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        if cookie is not None:
            copy.set_cookie(cookie.key, cookie.value)
        return copy

    def request(self, who: str, method: str, url: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if url.startswith("/api/") and who in self.tokens:
            # Scripts use the API with bearer tokens; a fresh client carries no cookie.
            headers = {**headers, "Authorization": f"Bearer {self.tokens[who]}"}
            return self.app.test_client().open(url, method=method, headers=headers, **kwargs)
        return self.clients[who].open(url, method=method, headers=headers, **kwargs)


@pytest.fixture
def role_clients(app, demo, enrolled_users):
    with app.app_context():
        tokens = {
            role: create_token(db.session, db.session.scalar(select(User).where(User.email == email)), "walk")
            for role, email in enrolled_users.items()
        }
        db.session.commit()
    return RoleClients(app, enrolled_users, tokens)
