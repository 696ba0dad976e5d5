"""The journal's closed vocabularies in reference tables: posting categories in ``categories``
and entry sources in ``source_types``, one row per value, and a foreign key from
``postings.category`` and ``journal_entries.source_type`` instead of a CHECK that lists them.
From here on a new category (or source) is an INSERT in a migration, and ``postings`` is
never rebuilt for it (docs/architecture.md, "Adding a spending category").

The value stays in the row as text, so no hash of the chain changes.  PostgreSQL: ALTER TABLE
only (the rows are read to check the key, never rewritten).  SQLite cannot add a foreign key
in place: both tables are rebuilt this once, the rows copied as they are, and their
append-only triggers written again from migrations/ddl/triggers_v1; on the way their CHECKs
get the models' names (0001 had prefixed them twice, which 0018 mended on PostgreSQL only).

Downgrade brings 0001's CHECKs back and refuses while a row holds a value 0001 did not know
(the migration that added it goes down first and removes it).

Revision ID: 0025_vocabularies
Revises: 0022_commissary
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from migrations.ddl import triggers_v1

revision = "0025_vocabularies"
down_revision = "0022_commissary"
branch_labels = None
depends_on = None

# The values as of this migration (0001's lists); later ones come with their own migration.
CATEGORIES = (
    "donation",
    "fee",
    "food",
    "clothing",
    "parcels",
    "commissary",
    "letters",
    "transfer",
    "conversion",
    "refund",
    "other",
)
SOURCE_TYPES = ("manual", "stripe", "import", "reversal", "demo", "system")
# (table, column, reference table, its values, the CHECK it replaces, NULL allowed)
VOCABULARIES = (
    ("postings", "category", "categories", CATEGORIES, "category_known", True),
    ("journal_entries", "source_type", "source_types", SOURCE_TYPES, "source_type_known", False),
)
APPEND_ONLY_MESSAGE = "{table} are append-only: record a reversal"  # 0001's words


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _check_sql(column: str, values: tuple[str, ...], nullable: bool) -> str:
    condition = f"{column} IN ({_listed(values)})"
    return f"{column} IS NULL OR {condition}" if nullable else condition


def _journal_entries_sql(name: str, before: bool) -> str:
    """journal_entries as SQLite creates it: as 0001 and 0011 left it (``before``), or with the
    foreign key to source_types and the CHECK names the models give."""
    ck = "ck_journal_entries_ck_journal_entries_" if before else "ck_journal_entries_"
    if before:
        source = f"CONSTRAINT {ck}source_type_known CHECK ({_check_sql('source_type', SOURCE_TYPES, False)})"
    else:
        source = (
            "CONSTRAINT fk_journal_entries_source_type_source_types "
            "FOREIGN KEY(source_type) REFERENCES source_types (code)"
        )
    # approved_by_id keeps its key on the column, as 0011 added it: 0011's downgrade drops the
    # column in place, which SQLite refuses for a column named in a table-level key.
    return (
        f"CREATE TABLE {name} (\n"
        "\tid INTEGER NOT NULL, \n"
        "\tentry_date DATE NOT NULL, \n"
        "\tdescription VARCHAR(500) NOT NULL, \n"
        "\trecorded_at DATETIME NOT NULL, \n"
        "\trecorded_by_id INTEGER, \n"
        "\tsource_type VARCHAR(16) NOT NULL, \n"
        "\tsource_ref VARCHAR(200), \n"
        "\tidempotency_key VARCHAR(200), \n"
        "\treverses_id INTEGER, \n"
        "\tis_advance BOOLEAN NOT NULL, \n"
        "\tconversion_rate VARCHAR(40), \n"
        "\tprev_hash VARCHAR(64) NOT NULL, \n"
        "\thash VARCHAR(64) NOT NULL, "
        "approved_by_id INTEGER CONSTRAINT fk_journal_entries_approved_by_id_users REFERENCES users (id), \n"
        "\tCONSTRAINT pk_journal_entries PRIMARY KEY (id), \n"
        "\tCONSTRAINT uq_journal_entries_idempotency_key UNIQUE (idempotency_key), \n"
        "\tCONSTRAINT uq_journal_entries_reverses_id UNIQUE (reverses_id), \n"
        "\tCONSTRAINT uq_journal_entries_hash UNIQUE (hash), \n"
        "\tCONSTRAINT fk_journal_entries_recorded_by_id_users FOREIGN KEY(recorded_by_id) REFERENCES users (id), \n"
        "\tCONSTRAINT fk_journal_entries_reverses_id_journal_entries "
        "FOREIGN KEY(reverses_id) REFERENCES journal_entries (id), \n"
        f"\tCONSTRAINT {ck}id_positive CHECK (id > 0), \n"
        f"\tCONSTRAINT {ck}hash_length CHECK (length(hash) = 64), \n"
        f"\tCONSTRAINT {ck}prev_hash_length CHECK (length(prev_hash) = 64), \n"
        f"\t{source}, \n"
        f"\tCONSTRAINT {ck}reverses_earlier CHECK (reverses_id IS NULL OR reverses_id < id)\n"
        ")"
    )


def _postings_sql(name: str, before: bool) -> str:
    """postings as SQLite creates it, as ``_journal_entries_sql``."""
    ck = "ck_postings_ck_postings_" if before else "ck_postings_"
    if before:
        category = f"CONSTRAINT {ck}category_known CHECK ({_check_sql('category', CATEGORIES, True)})"
    else:
        category = (
            "CONSTRAINT fk_postings_category_categories FOREIGN KEY(category) REFERENCES categories (code)"
        )
    return (
        f"CREATE TABLE {name} (\n"
        "\tid INTEGER NOT NULL, \n"
        "\tentry_id INTEGER NOT NULL, \n"
        "\tline_no INTEGER NOT NULL, \n"
        "\taccount_id INTEGER NOT NULL, \n"
        "\tcurrency VARCHAR(3) NOT NULL, \n"
        "\tamount_minor BIGINT NOT NULL, \n"
        "\tcategory VARCHAR(16), \n"
        "\tmemo VARCHAR(500), \n"
        "\tCONSTRAINT pk_postings PRIMARY KEY (id), \n"
        "\tCONSTRAINT uq_postings_entry_line UNIQUE (entry_id, line_no), \n"
        "\tCONSTRAINT fk_postings_entry_id_journal_entries FOREIGN KEY(entry_id) REFERENCES journal_entries (id), \n"
        "\tCONSTRAINT fk_postings_account_id_accounts FOREIGN KEY(account_id) REFERENCES accounts (id), \n"
        "\tCONSTRAINT fk_postings_currency_currencies FOREIGN KEY(currency) REFERENCES currencies (code), \n"
        f"\tCONSTRAINT {ck}amount_nonzero CHECK (amount_minor <> 0), \n"
        f"\t{category}\n"
        ")"
    )


# The tables' indexes (0001, 0005, 0013, 0017): dropped with the old table, made again.
INDEXES = {
    "journal_entries": (
        "CREATE INDEX ix_journal_entries_entry_date ON journal_entries (entry_date)",
        "CREATE INDEX ix_journal_entries_source_ref ON journal_entries (source_ref)",
    ),
    "postings": (
        "CREATE INDEX ix_postings_account_currency_entry ON postings (account_id, currency, entry_id)",
        "CREATE INDEX ix_postings_category_entry ON postings (category, entry_id)",
        "CREATE INDEX ix_postings_account_currency_amount ON postings (account_id, currency, amount_minor)",
        "CREATE INDEX ix_postings_account_entry_line ON postings (account_id, entry_id, line_no)",
    ),
}


# The same columns in the same order before and after: the rows go over as they are.
COPY = {
    "journal_entries": "INSERT INTO _new_journal_entries SELECT * FROM journal_entries",
    "postings": "INSERT INTO _new_postings SELECT * FROM postings",
}


def _rebuild_sqlite(before: bool) -> None:
    """SQLite's way to change a table's constraints: a new table, the rows copied as they are
    (ids, values, hashes), the old one dropped, the new one renamed; then the indexes and the
    append-only triggers again.  Foreign keys are off while migrating (migrations/env.py)."""
    for table, create in (("journal_entries", _journal_entries_sql), ("postings", _postings_sql)):
        op.execute(create(f"_new_{table}", before))
        op.execute(COPY[table])
        op.execute(f"DROP TABLE {table}")
        op.execute(f"ALTER TABLE _new_{table} RENAME TO {table}")
        for statement in INDEXES[table]:
            op.execute(statement)
        for statement in triggers_v1.sqlite_append_only(table, APPEND_ONLY_MESSAGE.format(table=table)):
            op.execute(statement)


def upgrade() -> None:
    for _table, _column, reference, values, _ending, _nullable in VOCABULARIES:
        created = op.create_table(
            reference,
            sa.Column("code", sa.String(16), nullable=False),
            sa.PrimaryKeyConstraint("code", name=op.f(f"pk_{reference}")),
        )
        op.bulk_insert(created, [{"code": value} for value in values])
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(before=False)
        return
    for table, column, reference, _values, ending, _nullable in VOCABULARIES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_{ending}")
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{column}_{reference} "
            f"FOREIGN KEY ({column}) REFERENCES {reference} (code)"
        )


def _refuse_unknown_values() -> None:
    """A value added after this migration would break 0001's CHECK: say so, change nothing."""
    connection = op.get_bind()
    for table, column, _reference, values, _ending, _nullable in VOCABULARIES:
        held = sa.column(column)
        query = sa.select(held).distinct().select_from(sa.table(table, held)).where(held.not_in(values))
        unknown = connection.execute(query).scalars().all()
        if unknown:
            raise RuntimeError(
                f"cannot downgrade 0025_vocabularies: {table}.{column} holds {sorted(unknown)}, which "
                "0001's CHECK refuses; downgrade the migration that added them first"
            )


def downgrade() -> None:
    _refuse_unknown_values()
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(before=True)
    else:
        for table, column, reference, values, ending, nullable in VOCABULARIES:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_{column}_{reference}")
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{ending} "
                f"CHECK ({_check_sql(column, values, nullable)})"
            )
    for _table, _column, reference, _values, _ending, _nullable in VOCABULARIES:
        op.drop_table(reference)
