"""The migrations build exactly the schema the models describe (data through upgrades and
downgrades: tests/test_migrations.py)."""

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect, select, text

from ledger.books.kinds import Category, SourceType
from ledger.books.models import EntrySource, PostingCategory
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


def test_the_vocabulary_tables_hold_exactly_the_enums_members(app):
    """The journal's vocabularies are rows (0025_vocabularies), one per StrEnum member: a member
    added to an enum without its migration's INSERT, or an INSERT without the member, fails here."""
    with app.app_context():
        assert sorted(db.session.scalars(select(PostingCategory.code))) == sorted(Category)
        assert sorted(db.session.scalars(select(EntrySource.code))) == sorted(SourceType)


def test_the_journal_refers_to_its_vocabularies_by_foreign_key(app):
    with app.app_context():
        inspector = inspect(db.engine)
        keys = {
            (table, tuple(key["constrained_columns"]), key["referred_table"])
            for table in ("postings", "journal_entries")
            for key in inspector.get_foreign_keys(table)
        }
        checks = [
            check["name"]
            for table in ("postings", "journal_entries")
            for check in inspector.get_check_constraints(table)
        ]
    assert ("postings", ("category",), "categories") in keys
    assert ("journal_entries", ("source_type",), "source_types") in keys
    assert not [name for name in checks if name.endswith(("category_known", "source_type_known"))]


def _quoted(sql: str) -> set[str]:
    return set(re.findall(r"'([^']*)'", sql))


def test_the_database_checks_allow_exactly_the_models_vocabularies(app):
    """The models build their CHECKs from the StrEnums; the migrations write theirs out.  A
    member added to an enum without a migration fails here."""
    with app.app_context():
        inspector = inspect(db.engine)
        compared = 0
        sqlite = db.engine.dialect.name == "sqlite"
        for table in db.metadata.sorted_tables:
            in_db = {check["name"]: check["sqltext"] for check in inspector.get_check_constraints(table.name)}
            if sqlite:
                # Where SQLite could not add a CHECK without rebuilding the table (0012), a
                # trigger named after it refuses the same rows.
                for name, sql in db.session.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                    {"t": table.name},
                ):
                    if name.endswith("_insert"):
                        in_db.setdefault(name.removesuffix("_insert"), sql.split(" BEGIN ")[0])
            for constraint in table.constraints:
                if isinstance(constraint, CheckConstraint) and " IN (" in str(constraint.sqltext):
                    # SQLite keeps the twice-prefixed names 0001 and 0012 gave some CHECKs
                    # (ck_users_ck_users_role_known); 0018 renamed them on PostgreSQL only.
                    found = (
                        [n for n in in_db if n.endswith(str(constraint.name))]
                        if sqlite
                        else [constraint.name]
                    )
                    assert found[0] in in_db, (
                        f"{table.name}: no CHECK {constraint.name} in the database ({sorted(in_db)})"
                    )
                    name = found[0]
                    assert _quoted(in_db[name]) == _quoted(str(constraint.sqltext)), name
                    compared += 1
    assert compared >= 9  # roles, account types, categories, sources, statuses, methods …


@pytest.mark.postgres_only
def test_every_check_has_the_models_name_on_postgresql(app):
    """Each CHECK of the models is in the database under the model's name, and none is
    named twice over (0001 and 0012 did that; 0018 renamed them)."""
    with app.app_context():
        inspector = inspect(db.engine)
        for table in db.metadata.sorted_tables:
            in_db = {check["name"] for check in inspector.get_check_constraints(table.name)}
            assert not [name for name in in_db if name.startswith(f"ck_{table.name}_ck_")], table.name
            wanted = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
            assert wanted <= in_db, (table.name, sorted(wanted - in_db))
