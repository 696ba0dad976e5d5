"""The migrations build exactly the schema the models describe, and go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from ledger.extensions import db
from tests.conftest import POSTGRES_URL, donate, make_prisoner


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_append_only_triggers_exist(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            names = {
                row[0]
                for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            }
            assert {
                "journal_entries_no_update",
                "journal_entries_no_delete",
                "postings_no_update",
                "postings_no_delete",
            } <= names
        else:
            names = {
                row[0]
                for row in connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
            }
            assert {"journal_entries_append_only", "postings_append_only"} <= names


def test_every_migration_goes_down_and_up_with_data_in_it(app, session):
    if POSTGRES_URL:
        # Downgrading drops the shared test schema; the SQLite run covers the round trip.
        import pytest

        pytest.skip("round trip runs on SQLite, where each test has its own database file")
    prisoner = make_prisoner(session)
    donate(session, prisoner, "10.00")
    session.commit()
    session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(revision="heads")
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
