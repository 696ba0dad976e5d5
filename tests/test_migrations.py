"""Migrations keep the data (SecureDrop's pattern): a database is filled at each revision, then
upgraded through every later one, and every row must still be there; downgrades keep the rows
of the tables they do not drop.

The rows are made from the schema as it stands at the revision (reflected, not the models, which
describe only the newest schema): one row per table, each column given a value of its type,
with the values that the CHECK constraints demand written below.  A new migration is covered
without writing anything here; a new CHECK that the generic values break fails loudly, and its
value goes into ``VALUES``.

SQLite only, each case on its own database file: the PostgreSQL run shares one schema between
tests (the migrations' PostgreSQL branches run there every time the suite's database is built).
"""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DatabaseError

from ledger import create_app
from ledger.books import posting
from ledger.books.accounts import ensure_standard_accounts
from ledger.books.posting import reverse_entry
from ledger.books.verify import verify_ledger
from ledger.extensions import db
from tests.factories import bank_donation, new_prisoner, spending
from tests.helpers import POSTGRES_URL

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
REVISIONS = [
    script.revision
    for script in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions("base", "heads")))
]

# Values the CHECK constraints ask for, by (table, column) or by column.
VALUES: dict[tuple[str, str] | str, object] = {
    ("prisoners", "status"): "sentenced",
    ("pledges", "status"): "active",
    ("stripe_events", "status"): "processed",
    ("checkpoint_schedule", "every"): "daily",
    ("accounts", "kind"): "bank",
    ("donors", "locale"): "ru",
    ("mail_outbox", "status"): "queued",
    ("approvals", "kind"): "cash",
    ("facilities", "kind"): "colony",
    ("facilities", "regime"): "general",
    ("prisoners", "gender"): "female",
    ("prisoners", "conditions"): "ordinary",
    ("prisoners", "lifecycle_public"): "status",
    ("parcels", "kind"): "parcel",
    ("prisoner_events", "type"): "released",
    ("published_entries", "role"): "line",
    ("release_funds", "waiting"): "too_few",
    ("prisoner_events", "fund_policy"): "keep",
    ("parcel_outcomes", "outcome"): "delivered",
    ("approvals", "status"): "rejected",  # decided (decided_at is set), by nobody in particular
    ("commissary_runs", "status"): "prepared",
    ("commissary_transfers", "status"): "credited",  # settled (settled_on is set)
    ("commissary_run_lines", "skip_reason"): "fund_short",
    ("commissary_limits", "conditions"): "ordinary",
    "channel": "post",
    ("mail_outbox", "user_id"): 1,  # one recipient: a user (a donor id would need no user)
    ("donors", "email_encrypted"): None,  # a token only the app can write; downgrades decrypt it
    "role": "coordinator",
    "type": "asset",
    "source_type": "manual",
    "frequency": "monthly",
    "method": "bank",
    "content_type": "application/pdf",
    "category": "food",
    "currency": "EUR",
    "code": "EUR",
    "name": "test name",
}

pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="each case needs its own database: the SQLite run covers migrations"
)


def _value(table: Table, column) -> object:
    if (table.name, column.name) in VALUES:
        return VALUES[(table.name, column.name)]
    if column.name in VALUES:
        return VALUES[column.name]
    if column.foreign_keys and column.nullable:
        return None  # optional links (a reversal's original, an entry's author) may point back
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer | BigInteger | Numeric):
        return 1  # ids are 1, so every foreign key finds its row
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 2, 3, 4, 5)
    if isinstance(kind, Date):
        return date(2026, 1, 2)
    if isinstance(kind, LargeBinary):
        return b"\x00data"
    if isinstance(kind, String | Text):
        length = getattr(kind, "length", None) or 20
        return ("f" * 64)[:length] if length >= 64 else "t" * min(length, 12)
    raise AssertionError(f"no test value for {table.name}.{column.name} ({kind!r})")


def _reflect() -> MetaData:
    metadata = MetaData()
    metadata.reflect(db.engine)
    return metadata


def _fill_empty_tables() -> dict[str, dict]:
    """One row in every table that is still empty; returns the rows written, by table."""
    written = {}
    with db.engine.begin() as connection:
        for table in _reflect().sorted_tables:
            if table.name == "alembic_version" or connection.execute(select(table).limit(1)).first():
                continue  # rows the migrations seed themselves (currencies, ledger head …)
            row = {column.name: _value(table, column) for column in table.columns}
            connection.execute(table.insert().values(row))
            written[table.name] = row
    return written


def _rows_still_there(written: dict[str, dict]) -> None:
    metadata = _reflect()
    with db.engine.connect() as connection:
        for name, row in written.items():
            if name not in metadata.tables:
                continue
            table = metadata.tables[name]
            stored = [dict(r._mapping) for r in connection.execute(select(table))]
            kept = {column: value for column, value in row.items() if column in table.columns}
            assert [{c: r[c] for c in kept} for r in stored] == [kept], name


def _schema_matches_the_models() -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


@pytest.fixture
def empty_app(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(instance))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_chain_is_linear():
    assert len(ScriptDirectory(str(MIGRATIONS)).get_heads()) == 1
    assert REVISIONS[0] == "0001_ledger_core"


@pytest.mark.parametrize("revision", REVISIONS)
def test_data_loaded_at_a_revision_survives_every_later_upgrade(empty_app, revision):
    upgrade(revision=revision)
    written = _fill_empty_tables()
    assert written, f"{revision}: no table to fill"
    upgrade(revision="heads")
    _rows_still_there(written)
    _schema_matches_the_models()


def test_each_downgrade_keeps_the_rows_of_the_tables_it_keeps_and_up_again(empty_app):
    upgrade(revision="heads")
    written = _fill_empty_tables()
    for _ in REVISIONS:
        downgrade(revision="-1")
        _rows_still_there(written)
    assert set(_reflect().tables) <= {"alembic_version"}
    upgrade(revision="heads")
    _schema_matches_the_models()


@pytest.mark.parametrize("path", sorted((MIGRATIONS / "versions").glob("*.py")), ids=lambda p: p.stem)
def test_a_migration_imports_nothing_from_the_app(path):
    """An old migration must not change when the code does: its lists are its own."""
    tree = ast.parse(path.read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    # ledger.platform.crypto is the one exception: 0009 encrypts the donors' stored emails, and the
    # tokens must be the ones the app reads (the key is the instance's, not the migration's).
    allowed = {
        "ledger.platform.crypto"
    }  # 0021 binds rows with its keyed digest (ledger.platform.crypto.binding)
    assert not [name for name in imported if name and name.split(".")[0] == "ledger" and name not in allowed]


def _journal(connection) -> tuple[list, list]:
    entries = connection.execute(
        text("SELECT id, prev_hash, hash, source_type FROM journal_entries ORDER BY id")
    )
    postings = connection.execute(
        text("SELECT id, entry_id, line_no, amount_minor, currency, category FROM postings ORDER BY id")
    )
    return [tuple(row) for row in entries], [tuple(row) for row in postings]


def _refuses_changes(connection) -> bool:
    for statement in ("UPDATE postings SET memo = 'changed'", "DELETE FROM journal_entries"):
        try:
            with connection.begin_nested():
                connection.execute(text(statement))
        except DatabaseError:
            continue
        return False
    return True


def test_the_vocabulary_tables_keep_the_chain_down_to_0022_and_up_again(empty_app):
    """0025_vocabularies rebuilds the journal's tables on SQLite: every row, hash and trigger
    stays, and ``ledger verify`` passes after the way down and up."""
    upgrade(revision="heads")
    ensure_standard_accounts(db.session)
    prisoner = new_prisoner(db.session)
    bank_donation(db.session, prisoner, "100.00")
    spent = spending(db.session, prisoner, "30.00", category="food")
    reverse_entry(db.session, spent, reason="Entered twice")
    db.session.commit()
    db.session.remove()
    with db.engine.connect() as connection:
        journal = _journal(connection)
    assert [len(rows) for rows in journal] == [3, 6]

    downgrade(revision="0022_commissary")
    with db.engine.connect() as connection:
        assert _journal(connection) == journal
        assert _refuses_changes(connection)
        assert "categories" not in inspect(connection).get_table_names()
    upgrade(revision="heads")
    with db.engine.connect() as connection:
        assert _journal(connection) == journal
        assert _refuses_changes(connection)
    assert verify_ledger(db.session).ok
    _schema_matches_the_models()


def test_0025_goes_down_only_when_0001_knows_every_category(empty_app, monkeypatch):
    upgrade(revision="heads")
    ensure_standard_accounts(db.session)
    prisoner = new_prisoner(db.session)
    bank_donation(db.session, prisoner, "100.00")
    db.session.execute(text("INSERT INTO categories (code) VALUES ('medicine')"))
    monkeypatch.setattr(posting, "CATEGORIES", (*posting.CATEGORIES, "medicine"))
    spending(db.session, prisoner, "10.00", category="medicine")
    db.session.commit()
    db.session.remove()

    # Alembic's own command: Flask-Migrate's would turn the error into an exit.
    config = empty_app.extensions["migrate"].migrate.get_config()
    with pytest.raises(RuntimeError, match=r"postings.category holds \['medicine'\]"):
        command.downgrade(config, "0022_commissary")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == REVISIONS[-1]
        assert "categories" in inspect(connection).get_table_names()


def test_the_frozen_trigger_ddl_emits_what_the_migrations_first_wrote():
    """migrations/ddl/triggers_v1.py is frozen: 0001, 0010, 0019, 0021 and 0025 import it, and
    each must keep writing what it wrote when it was made (a change goes into triggers_v2)."""
    from migrations.ddl import triggers_v1

    assert triggers_v1.sqlite_append_only("postings", "postings are append-only: record a reversal") == [
        "CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings "
        "BEGIN SELECT RAISE(ABORT, 'postings are append-only: record a reversal'); END",
        "CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings "
        "BEGIN SELECT RAISE(ABORT, 'postings are append-only: record a reversal'); END",
    ]
    assert triggers_v1.sqlite_drop_append_only("postings") == [
        "DROP TRIGGER IF EXISTS postings_no_update",
        "DROP TRIGGER IF EXISTS postings_no_delete",
    ]
    assert triggers_v1.postgresql_append_only_function("ledger_append_only", "record a reversal") == (
        "\n            CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "            BEGIN\n"
        "                RAISE EXCEPTION '% are append-only: record a reversal', TG_TABLE_NAME\n"
        "                    USING ERRCODE = 'restrict_violation';\n"
        "            END\n"
        "            $$\n"
        "            "
    )
    assert triggers_v1.postgresql_append_only("postings", "ledger_append_only") == [
        "CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings "
        "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()",
        "CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()",
    ]
    assert triggers_v1.postgresql_drop_append_only("postings") == [
        "DROP TRIGGER IF EXISTS postings_append_only ON postings",
        "DROP TRIGGER IF EXISTS postings_no_truncate ON postings",
    ]
