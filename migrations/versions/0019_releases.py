"""Releases: what each checkpoint published (issue #26, docs/privacy.md "Releases").

A release records, for the checkpoint that signs it, which entries it published and on
which day they count in public figures, the public balances over published entries, each
fund's cell of gifts (or why the fund waits), and the public content exactly as signed.
All five tables are append-only, like the checkpoints.  Checkpoints made before this
migration have no release: public figures start with the next checkpoint.

Revision ID: 0019_releases
Revises: 0018_check_names
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from migrations.ddl import triggers_v1

revision = "0019_releases"
down_revision = "0018_check_names"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "releases",
    "published_entries",
    "published_balances",
    "release_funds",
    "release_cells",
    "release_lines",
)


def _triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            message = f"{table} are append-only: make a new checkpoint"
            for statement in triggers_v1.sqlite_append_only(table, message):
                op.execute(statement)
        return
    # ledger_checkpoints_append_only() is migration 0010's.
    for table in APPEND_ONLY:
        for statement in triggers_v1.postgresql_append_only(table, "ledger_checkpoints_append_only"):
            op.execute(statement)


def _drop_triggers() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in APPEND_ONLY:
        if sqlite:
            statements = triggers_v1.sqlite_drop_append_only(table)
        else:
            statements = triggers_v1.postgresql_drop_append_only(table)
        for statement in statements:
            op.execute(statement)


def _money_key(table: str) -> list:
    return [
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f(f"fk_{table}_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f(f"fk_{table}_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["sequence"], ["releases.sequence"], name=op.f(f"fk_{table}_sequence_releases")
        ),
        sa.PrimaryKeyConstraint("sequence", "account_id", "currency", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("min_gifts", sa.Integer(), nullable=False),
        sa.Column("dominance_percent", sa.Integer(), nullable=False),
        sa.Column("held_from", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.CheckConstraint("min_gifts > 0", name=op.f("ck_releases_min_gifts_positive")),
        sa.CheckConstraint(
            "dominance_percent > 0 AND dominance_percent <= 100", name=op.f("ck_releases_dominance_range")
        ),
        sa.CheckConstraint("length(digest) = 64", name=op.f("ck_releases_digest_length")),
        sa.ForeignKeyConstraint(
            ["sequence"], ["checkpoints.sequence"], name=op.f("fk_releases_sequence_checkpoints")
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_releases")),
    )
    op.create_table(
        "published_entries",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "role IN ('gift', 'line', 'unlisted')", name=op.f("ck_published_entries_role_known")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_published_entries_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["sequence"], ["releases.sequence"], name=op.f("fk_published_entries_sequence_releases")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_published_entries")),
    )
    op.create_index(op.f("ix_published_entries_sequence"), "published_entries", ["sequence"], unique=False)
    op.create_table(
        "published_balances",
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("balance_minor <> 0", name=op.f("ck_published_balances_balance_nonzero")),
        *_money_key("published_balances"),
    )
    op.create_table(
        "release_funds",
        sa.Column("gifts_minor", sa.BigInteger(), nullable=False),
        sa.Column("gift_count", sa.Integer(), nullable=False),
        sa.Column("closing_minor", sa.BigInteger(), nullable=False),
        sa.Column("waiting", sa.String(length=10), nullable=True),
        sa.Column("waiting_gifts", sa.Integer(), nullable=False),
        sa.Column("gifts_as_of", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "gift_count >= 0 AND waiting_gifts >= 0", name=op.f("ck_release_funds_counts_positive")
        ),
        sa.CheckConstraint(
            "waiting IS NULL OR waiting IN ('too_few', 'dominant', 'linked')",
            name=op.f("ck_release_funds_waiting_known"),
        ),
        *_money_key("release_funds"),
    )
    op.create_table(
        "release_cells",
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("gifts_minor", sa.BigInteger(), nullable=False),
        sa.Column("gift_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("gift_count >= 0", name=op.f("ck_release_cells_count_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_release_cells_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_release_cells_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["sequence"], ["releases.sequence"], name=op.f("fk_release_cells_sequence_releases")
        ),
        sa.PrimaryKeyConstraint(
            "sequence", "account_id", "currency", "counted_on", name=op.f("pk_release_cells")
        ),
    )
    op.create_table(
        "release_lines",
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sequence"], ["releases.sequence"], name=op.f("fk_release_lines_sequence_releases")
        ),
        sa.PrimaryKeyConstraint("sequence", "position", name=op.f("pk_release_lines")),
    )
    _triggers()


def downgrade() -> None:
    _drop_triggers()
    for table in ("release_lines", "release_cells", "release_funds", "published_balances"):
        op.drop_table(table)
    op.drop_index(op.f("ix_published_entries_sequence"), table_name="published_entries")
    op.drop_table("published_entries")
    op.drop_table("releases")
