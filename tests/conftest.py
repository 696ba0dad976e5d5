"""Fixtures: an app on a fresh, migrated database (SQLite by default, PostgreSQL
when TEST_DATABASE_URL is set), clients, users and funded prisoners.

The app is built once per session and reset for each test (``app``: database, settings,
instance folder, page cache); ``make_app`` builds another for a test that needs its own."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from ledger import create_app
from ledger.access import passwords
from ledger.access import users as access_users
from ledger.books.accounts import ensure_standard_accounts
from ledger.extensions import db
from ledger.platform.crypto import register_donor_email_key
from ledger.platform.file_modes import sqlite_path
from ledger.web.page_cache import init_page_cache
from tests.helpers import FAST_PASSWORD_HASHER, PASSWORD, POSTGRES_URL, AuthActions, IsolatedClient

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


# Argon2id at its lowest cost in the tests (tests/helpers.py, FAST_PASSWORD_HASHER).
@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", FAST_PASSWORD_HASHER)
        yield


def _migrate(url: str, instance_path: str) -> None:
    from flask_migrate import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance_path)
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()


@pytest.fixture(scope="session")
def _database_folder(tmp_path_factory):
    """Where the SQLite files live: in memory (tmpfs) where the machine has one.  On a shared
    disk, every commit's fsync, every close's checkpoint and every reset's unlink waited on the
    other processes' writes (a third of the time of tests/books under load)."""
    shared_memory = Path("/dev/shm")  # noqa: S108  (a private folder is made in it by mkdtemp)
    if not (shared_memory.is_dir() and os.access(shared_memory, os.W_OK)):
        yield tmp_path_factory.mktemp("databases")
        return
    folder = Path(tempfile.mkdtemp(prefix="ledger-tests-", dir=shared_memory))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory, _database_folder):
    """Run the real migrations once; each test then starts from a copy of the result."""
    instance = str(tmp_path_factory.mktemp("instance-template"))
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(
                text(
                    f"DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS {SEED_SCHEMA} CASCADE"
                )
            )
        engine.dispose()
        _migrate(POSTGRES_URL, instance)
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            _POSTGRES_RESET[POSTGRES_URL] = _postgres_reset_sql(connection)
        engine.dispose()
        return POSTGRES_URL
    path = _database_folder / "template.sqlite3"
    _migrate(f"sqlite:///{path}", instance)
    return path


SEED_SCHEMA = "tests_seed"
_POSTGRES_RESET: dict[str, str] = {}  # url: the reset script, written once the migrations ran
_RESET_ENGINES: dict[str, Engine] = {}  # url: an engine kept for the session


def _postgres_reset_sql(connection) -> str:
    """Keep what the migrations wrote (parcel rules, letter services, limits, the ledger head…)
    in a schema of its own, and return one script that puts every table the tests write back to
    it: rows deleted, the migrations' rows copied back, the sequences where they were.

    DELETE, not TRUNCATE: a TRUNCATE gives each of some fifty tables new files, about half a
    second per test on a busy machine, where deleting a test's few rows costs milliseconds.
    The append-only triggers and the foreign keys (triggers too) are off for the script only
    (we are the superuser), so the order of the tables does not matter.  A table a new migration
    seeds needs nothing here."""
    tables = sorted(
        row[0]
        for row in connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        if row[0] not in SEEDED_TABLES
    )
    connection.execute(text(f"CREATE SCHEMA {SEED_SCHEMA}"))
    seeded = []
    for table in tables:
        if connection.execute(text(f'SELECT EXISTS (SELECT FROM "{table}")')).scalar():
            connection.execute(text(f'CREATE TABLE {SEED_SCHEMA}."{table}" AS SELECT * FROM "{table}"'))
            seeded.append(table)
    sequences = connection.execute(
        text(
            "SELECT seq FROM (SELECT pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq"
            " FROM information_schema.columns WHERE table_schema = 'public'"
            " AND table_name = ANY(:tables)) AS owned WHERE seq IS NOT NULL ORDER BY seq"
        ),
        {"tables": tables},
    ).scalars()
    positions = [
        (sequence, *connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one())
        for sequence in sequences
    ]
    return "; ".join(
        [
            "SET LOCAL session_replication_role = replica",
            *(f'DELETE FROM "{table}"' for table in tables),
            *(
                f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE SELECT * FROM {SEED_SCHEMA}."{table}"'
                for table in seeded
            ),
            *(f"SELECT setval('{sequence}', {value}, {called})" for sequence, value, called in positions),
            "SET LOCAL session_replication_role = DEFAULT",
        ]
    )


def _reset_postgres(url: str) -> None:
    engine = _RESET_ENGINES.get(url)
    if engine is None:
        engine = _RESET_ENGINES[url] = create_engine(url, pool_size=1, pool_pre_ping=True)
    with engine.begin() as connection:
        connection.exec_driver_sql(_POSTGRES_RESET[url])


def _dispose_reset_engines() -> None:
    for engine in _RESET_ENGINES.values():
        engine.dispose()
    _RESET_ENGINES.clear()


def _engines(app):
    with app.app_context():
        return list(db.engines.values())


@pytest.fixture(scope="session")
def _shared_app(migrated_database, tmp_path_factory, _database_folder):
    """The one app of the session (per database; building one costs more than most tests):
    each test gets it back as it was built, on a database reset to the migrated state and with
    a fresh instance folder (see ``app``)."""
    if POSTGRES_URL:
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{_database_folder / 'ledger.sqlite3'}"
    instance = tmp_path_factory.mktemp("instance-shared")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(instance))
    app.test_client_class = IsolatedClient
    app.extensions["tests.pristine_config"] = copy.deepcopy(dict(app.config))
    yield app
    for engine in _engines(app):
        engine.dispose()
    _dispose_reset_engines()


@pytest.fixture
def database_url(_shared_app, migrated_database):
    """The test's database, as the migrations left it: the session app's, reset."""
    url = _shared_app.config["SQLALCHEMY_DATABASE_URI"]
    for engine in _engines(_shared_app):
        engine.dispose()  # no pooled connection may outlive the reset
    if POSTGRES_URL:
        _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    path = Path(sqlite_path(url))
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(migrated_database, path)
    return url


def _restore(app, tmp_path) -> None:
    """Undo what a test may have changed in the session app: its settings, its instance
    folder (keys created on first use), the page cache, the donor email key."""
    app.config.clear()
    app.config.update(copy.deepcopy(app.extensions["tests.pristine_config"]))
    instance = tmp_path / "instance"
    instance.mkdir()
    app.instance_path = str(instance)
    # Settings the app derives from its instance folder follow it (config.py).
    app.config["MAIL_FILE_DIR"] = str(instance / "mail-outbox")
    if "page_cache" in app.extensions:
        init_page_cache(app)
    register_donor_email_key(app.config["DONOR_EMAIL_KEY"])


@pytest.fixture
def app(_shared_app, database_url, tmp_path):
    app = _shared_app
    _restore(app, tmp_path)
    with app.app_context():
        ensure_standard_accounts(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
    for engine in _engines(app):
        engine.dispose()
    # Another app of the test (make_app) may have registered its own key in the meantime.
    register_donor_email_key(app.extensions["tests.pristine_config"]["DONOR_EMAIL_KEY"])


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
