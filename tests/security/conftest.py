"""Fixtures for the security tests: two-factor required as in production, the
fictional demo data loaded, one signed-in client per role, and URL builders that
fill every route's parameters with existing objects."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ledger.access.models import ApiToken, User
from ledger.access.users import create_token, create_user
from ledger.books.models import JournalEntry
from ledger.extensions import db
from tests.conftest import PASSWORD, AuthActions, enrol_two_factor

ROLES = ("admin", "coordinator", "auditor")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
WALK_TARGET_EMAIL = "walk-target@example.org"


@pytest.fixture
def two_factor_required(app):
    """The production rule: admins and coordinators must use two-factor."""
    app.config["REQUIRE_2FA_ROLES"] = ("admin", "coordinator")
    return app


@pytest.fixture
def enrolled_users(app, users, two_factor_required):
    """Every role's user, admins and coordinators enrolled in two-factor."""
    for role in ("admin", "coordinator"):
        enrol_two_factor(app, users[role])
    return users


@pytest.fixture
def demo(app, session, enrolled_users):
    """Fictional demo books plus objects for URL parameters: a spare user and a token."""
    from ledger.demo import load_demo

    load_demo(session)
    target = create_user(session, WALK_TARGET_EMAIL, PASSWORD, "auditor")
    create_token(session, target, "walk")
    session.commit()
    return {"target_user_id": target.id}


def url_values(session) -> dict:
    """A value for every URL parameter name used by the app's routes.

    A new route with a new parameter name fails the walk until a value is added here.
    """
    entry_id = session.scalar(select(JournalEntry.id).order_by(JournalEntry.id))
    target = session.scalar(select(User).where(User.email == WALK_TARGET_EMAIL))
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == target.id))
    values = {
        "filename": "style.css",
        "code": "en",
        "entry_id": entry_id,
        "user_id": target.id,
        "token_id": token_id,
    }
    from ledger.funds.models import Facility, Prisoner

    prisoner = session.scalar(select(Prisoner).where(Prisoner.public.is_(True)).order_by(Prisoner.id))
    if prisoner is not None:
        values.update(slug=prisoner.slug, prisoner_id=prisoner.id, prisoner_slug=prisoner.slug)
    from ledger.funds.models import Pledge
    from ledger.spending.models import Receipt

    values["reference"] = session.scalar(select(Pledge.reference).order_by(Pledge.id)) or "SL-NOSUCHPLEDGE"
    values["receipt_id"] = session.scalar(select(Receipt.id).order_by(Receipt.id)) or 1
    from ledger.books.holds import Approval

    values["approval_id"] = session.scalar(select(Approval.id).order_by(Approval.id)) or 1
    values["event_id"] = "evt_not_held"
    values["name"] = "assets:stripe"  # an asset account (admin accounts page, API)
    values["fmt"] = "hledger"
    from ledger.spending.models import Parcel, ParcelRule

    values["parcel_id"] = session.scalar(select(Parcel.id).order_by(Parcel.id)) or 1
    values["rule_id"] = session.scalar(select(ParcelRule.id).order_by(ParcelRule.id)) or 1
    facility_id = session.scalar(select(Facility.id).order_by(Facility.id))
    if facility_id is not None:
        values["facility_id"] = facility_id
    from flask import current_app

    from ledger.funds.donor_links import donor_token
    from ledger.funds.models import Donor

    donor_id = session.scalar(select(Donor.id).order_by(Donor.id)) or 1
    values["token"] = donor_token(current_app.config["SECRET_KEY"], donor_id)  # a donor's signed link
    values["action"] = "pause"
    values["donor_id"] = donor_id
    values["message_id"] = 1
    values["currency"] = "EUR"
    return values


def walkable_rules(app):
    """(rule, method) for every rule and method, HEAD and OPTIONS aside; signing out last,
    since it ends the session on the server."""
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule, r.endpoint))
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def build_url(app, rule, values: dict) -> str:
    missing = set(rule.arguments) - set(values)
    assert not missing, (
        f"{rule.endpoint}: add a value for {sorted(missing)} to url_values() in tests/security/conftest.py"
    )
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


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
