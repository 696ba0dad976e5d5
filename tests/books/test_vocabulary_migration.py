"""A new spending category is one INSERT in a migration (docs/architecture.md, "Adding a
spending category"): a throwaway revision on top of head adds "medicine", the journal's
``postings`` table is not rebuilt nor its triggers touched, and an entry posts with it.  On
both databases (the PostgreSQL run of the suite covers the second)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import stamp, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ledger.books import posting
from ledger.books.models import Posting
from ledger.books.verify import verify_ledger
from ledger.extensions import db
from ledger.funds.models import Prisoner
from tests.factories import bank_donation, new_prisoner, spending

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()
MEDICINE = '''"""Medicine: a spending category (the test's throwaway revision).

Revision ID: 0099_medicine
Revises: {head}
"""

from alembic import op

revision = "0099_medicine"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO categories (code) VALUES ('medicine')")


def downgrade() -> None:
    op.execute("DELETE FROM categories WHERE code = 'medicine'")
'''


def _postings_table(connection) -> list[tuple]:
    """Everything that says what ``postings`` is: its definition, indexes and triggers, and
    where its rows are stored (a rebuild moves them: a new root page, a new file)."""
    if connection.dialect.name == "sqlite":
        query = (
            "SELECT type, name, rootpage, sql FROM sqlite_master WHERE tbl_name = 'postings' ORDER BY name"
        )
    else:
        query = (
            "SELECT 'file', relname, relfilenode::text FROM pg_class WHERE relname = 'postings'"
            " UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE tgrelid = 'postings'::regclass"
            " UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'postings'::regclass"
            " UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE tablename = 'postings'"
            " ORDER BY 1, 2"
        )
    return [tuple(row) for row in connection.execute(text(query))]


@pytest.fixture
def migrations_with_medicine(tmp_path):
    """A copy of migrations/ with one more revision on top of head."""
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "0099_medicine.py").write_text(MEDICINE.format(head=HEAD))
    return str(copy)


def test_a_spending_category_added_by_an_insert_leaves_postings_as_it_was(
    app, session, monkeypatch, migrations_with_medicine
):
    prisoner = new_prisoner(session)
    bank_donation(session, prisoner, "100.00")
    session.commit()
    prisoner_id = prisoner.id
    # The code's edit that goes with the migration: the enum member (here, only its value).
    monkeypatch.setattr(posting, "CATEGORIES", (*posting.CATEGORIES, "medicine"))
    # Before the migration the database refuses it (posting writes through the driver).
    with pytest.raises((IntegrityError, db.engine.dialect.loaded_dbapi.IntegrityError)):
        spending(session, prisoner, "10.00", category="medicine")
    session.rollback()
    session.remove()
    with db.engine.connect() as connection:
        before = _postings_table(connection)

    try:
        upgrade(directory=migrations_with_medicine, revision="heads")
        with db.engine.connect() as connection:
            assert _postings_table(connection) == before
            assert connection.execute(text("SELECT code FROM categories WHERE code = 'medicine'")).scalar()

        spending(db.session, db.session.get(Prisoner, prisoner_id), "10.00", category="medicine")
        db.session.commit()
        assert db.session.scalars(
            db.select(Posting.category).where(Posting.category == "medicine")
        ).all() == [
            "medicine",
            "medicine",
        ]
        assert verify_ledger(db.session).ok
    finally:
        db.session.rollback()
        db.session.remove()
        # PostgreSQL keeps alembic_version between tests (the next test's reset removes the
        # row and the entry); SQLite's file is this test's own.
        stamp(directory=migrations_with_medicine, revision=HEAD)
