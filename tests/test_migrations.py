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
    select,
)

from ledger import create_app
from ledger.extensions import db
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
