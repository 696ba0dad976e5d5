"""Fixtures: an app on a fresh, migrated database (SQLite by default, PostgreSQL
when TEST_DATABASE_URL is set), clients, users and funded prisoners."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine, text

from ledger import create_app
from ledger.access import users as access_users
from ledger.books.accounts import ensure_standard_accounts
from ledger.extensions import db
from tests.helpers import PASSWORD, POSTGRES_URL, AuthActions, IsolatedClient

# The create_* fixtures (tests/factories.py) are available to every test.
pytest_plugins = ["tests.factories"]

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
        # So are the letter services (migration 0023).
        from ledger.letters.models import LetterService
        from ledger.letters.services import SEEDED_SERVICES

        connection.execute(LetterService.__table__.insert(), SEEDED_SERVICES)
        # So are the commissary limits (migration 0022).
        from ledger.commissary.limits import DEFAULT_LIMITS
        from ledger.commissary.models import CommissaryLimit

        connection.execute(
            CommissaryLimit.__table__.insert(),
            [
                {
                    "facility_kind": kind,
                    "regime": regime,
                    "conditions": conditions,
                    "currency": "RUB",
                    "amount_minor": None if rubles is None else rubles * 100,
                    "legal_basis": basis,
                }
                for kind, regime, conditions, rubles, basis in DEFAULT_LIMITS
            ],
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
def make_app(database_url, tmp_path):
    """Another app on the test database, with its own environment, settings or instance
    folder.  Its engine is disposed after the test: a pooled connection left to the garbage
    collector would be reported in whichever later test the collector happens to run in."""
    made = []

    def _make_app(environment: str = "testing", *, instance=None, **config):
        instance = instance or tmp_path / f"instance-{len(made) + 1}"
        app = create_app(
            environment, {"SQLALCHEMY_DATABASE_URI": database_url, **config}, instance_path=str(instance)
        )
        made.append(app)
        return app

    yield _make_app
    for made_app in made:
        with made_app.app_context():
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
            user = access_users.create_user(db.session, f"{role}@example.org", PASSWORD, role)
            emails[role] = user.email
        db.session.commit()
    return emails


@pytest.fixture
def tokens(app, users):
    """A bearer token per role."""
    from ledger.access.models import User

    with app.app_context():
        result = {
            role: access_users.create_token(
                db.session, db.session.scalar(db.select(User).filter_by(email=email))
            )
            for role, email in users.items()
        }
        db.session.commit()
    return result


@pytest.fixture
def auth(client, users):
    return AuthActions(client)


@pytest.fixture
def funded_prisoner(session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    create_donation(prisoner, "500.00", "EUR")
    create_donation(prisoner, "20000.00", "RUB")
    session.commit()
    return prisoner
