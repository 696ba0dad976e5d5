"""Fixtures: an app on a fresh, migrated database (SQLite by default, PostgreSQL
when TEST_DATABASE_URL is set), clients, users and funded prisoners."""

from __future__ import annotations

import contextvars
import os
import shutil
from datetime import date

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from ledger import create_app
from ledger.access.users import create_token, create_user
from ledger.books.accounts import ensure_standard_accounts, fund_account_for, get_or_create_account
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.extensions import db
from ledger.funds.models import Prisoner
from ledger.money import parse_amount

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"
# Tables that the migrations fill and tests keep between runs on PostgreSQL.
SEEDED_TABLES = {"currencies", "alembic_version", "content_version"}


def pytest_collection_modifyitems(config, items):
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run through make test)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def _migrate(url: str, instance_path: str) -> None:
    from flask_migrate import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance_path)
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Run the real migrations once; each test then starts from a copy of the result."""
    instance = str(tmp_path_factory.mktemp("instance-template"))
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        _migrate(POSTGRES_URL, instance)
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("db-template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}", instance)
    return path


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [
            row[0]
            for row in connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            if row[0] not in SEEDED_TABLES
        ]
        # Disables the append-only triggers for this cleanup only (we are the superuser).
        connection.execute(text("SET session_replication_role = replica"))
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        connection.execute(text("SET session_replication_role = DEFAULT"))
        connection.execute(
            text("INSERT INTO ledger_head (id, entry_count, head_hash) VALUES (1, 0, :h)"),
            {"h": "0" * 64},
        )
        # The parcel rules are seeded by migration 0012 and edited by tests: seed them again.
        from ledger.spending.models import ParcelRule
        from ledger.spending.parcel_rules import DEFAULT_RULES, RULE_COLUMNS

        connection.execute(
            ParcelRule.__table__.insert(),
            [dict(zip(RULE_COLUMNS, row, strict=True)) for row in DEFAULT_RULES],
        )
    engine.dispose()


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if POSTGRES_URL:
        _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path / "ledger.sqlite3"
    shutil.copy(migrated_database, path)
    return f"sqlite:///{path}"


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


@pytest.fixture
def app(database_url, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url}, instance_path=str(instance))
    app.test_client_class = IsolatedClient
    with app.app_context():
        ensure_standard_accounts(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app):
    """The domain's view: a SQLAlchemy session inside an app context."""
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One user per role; returns {role: email}."""
    with app.app_context():
        emails = {}
        for role in ("admin", "coordinator", "auditor"):
            user = create_user(db.session, f"{role}@example.org", PASSWORD, role)
            emails[role] = user.email
        db.session.commit()
    return emails


@pytest.fixture
def tokens(app, users):
    """A bearer token per role."""
    from ledger.access.models import User

    with app.app_context():
        result = {
            role: create_token(db.session, db.session.scalar(db.select(User).filter_by(email=email)))
            for role, email in users.items()
        }
        db.session.commit()
    return result


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def enrol_two_factor(app, email: str) -> str:
    """Enrol the user in TOTP two-factor as if through the settings page; return the secret."""
    import time

    from ledger.access.two_factor import begin_enrolment, confirm_enrolment, credential_for, current_code
    from ledger.access.users import find_user

    with app.app_context():
        user = find_user(db.session, email)
        secret = begin_enrolment(db.session, user, app.config["TWO_FACTOR_KEY"])
        confirm_enrolment(db.session, user, app.config["TWO_FACTOR_KEY"], current_code(secret))
        # As if enrolled a minute ago: the current and the next code are free for sign-ins.
        credential_for(db.session, user).last_used_step = int(time.time() // 30) - 2
        db.session.commit()
    return secret


def next_totp_code(app, email: str) -> str:
    """A code the server accepts now: the current step's, or the next one if that was used."""
    import time

    import pyotp

    from ledger.access.two_factor import credential_for, decrypt_secret
    from ledger.access.users import find_user

    with app.app_context():
        credential = credential_for(db.session, find_user(db.session, email))
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


@pytest.fixture
def auth(client, users):
    return AuthActions(client)


def make_prisoner(
    session, slug: str = "test-prisoner", *, public: bool = True, name: str = "Тест Тестов"
) -> Prisoner:
    prisoner = Prisoner(slug=slug, name=name, name_latin="Test Testov", status="sentenced", public=public)
    session.add(prisoner)
    session.flush()
    fund_account_for(session, prisoner)
    return prisoner


def donate(session, prisoner, amount: str, currency: str = "EUR", *, on: date = date(2026, 1, 10)):
    """Record a bank donation into the prisoner's fund (a test shortcut over post_entry)."""
    bank = get_or_create_account(session, f"assets:bank:{currency.lower()}-main")
    money = parse_amount(amount, currency)
    fund = fund_account_for(session, prisoner)
    return post_entry(
        session,
        EntryDraft(
            on,
            "Bank transfer",
            [PostingDraft(bank, money, "donation"), PostingDraft(fund, -money, "donation")],
        ),
    )


@pytest.fixture
def funded_prisoner(session):
    prisoner = make_prisoner(session)
    donate(session, prisoner, "500.00", "EUR")
    donate(session, prisoner, "20000.00", "RUB")
    session.commit()
    return prisoner


def seal(session, *, now=None):
    """Make a signed checkpoint as `ledger checkpoint` does, with the instance's key."""
    from flask import current_app

    from ledger.checkpoints.seal import create_checkpoint
    from ledger.checkpoints.signing import load_signing_key

    key = load_signing_key(current_app.instance_path, current_app.config.get("LEDGER_SIGNING_KEY"))
    checkpoint = create_checkpoint(session, key, now=now)
    session.commit()
    return checkpoint
