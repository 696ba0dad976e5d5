"""The migrations build exactly the schema the models describe (data through upgrades and
downgrades: tests/test_migrations.py)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from ledger.extensions import db


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
