"""Signed checkpoints of the chain, the balances each one fixes (the public figures), and
the admins' checkpoint schedule.  Checkpoints and their balances are append-only.

Revision ID: 0010_checkpoints
Revises: 0007_content_version
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from migrations.ddl import triggers_v1

revision = "0010_checkpoints"
down_revision = "0007_content_version"
branch_labels = None
depends_on = None

APPEND_ONLY = ("checkpoints", "checkpoint_balances")


def _triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            message = f"{table} are append-only: make a new checkpoint"
            for statement in triggers_v1.sqlite_append_only(table, message):
                op.execute(statement)
    else:
        op.execute(
            triggers_v1.postgresql_append_only_function(
                "ledger_checkpoints_append_only", "make a new checkpoint"
            )
        )
        for table in APPEND_ONLY:
            for statement in triggers_v1.postgresql_append_only(table, "ledger_checkpoints_append_only"):
                op.execute(statement)


def _drop_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "sqlite":
            statements = triggers_v1.sqlite_drop_append_only(table)
        else:
            statements = triggers_v1.postgresql_drop_append_only(table)
        for statement in statements:
            op.execute(statement)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_checkpoints_append_only()")


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("balances_digest", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_checkpoints_sequence_positive")),
        sa.CheckConstraint("entry_count >= 0", name=op.f("ck_checkpoints_entry_count_positive")),
        sa.CheckConstraint("length(head_hash) = 64", name=op.f("ck_checkpoints_head_hash_length")),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_checkpoints")),
    )
    op.create_index(op.f("ix_checkpoints_entry_count"), "checkpoints", ["entry_count"], unique=False)
    op.create_table(
        "checkpoint_balances",
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("balance_minor <> 0", name=op.f("ck_checkpoint_balances_balance_nonzero")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_checkpoint_balances_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_checkpoint_balances_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["sequence"], ["checkpoints.sequence"], name=op.f("fk_checkpoint_balances_sequence_checkpoints")
        ),
        sa.PrimaryKeyConstraint("sequence", "account_id", "currency", name=op.f("pk_checkpoint_balances")),
    )
    op.create_table(
        "checkpoint_schedule",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("every", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_checkpoint_schedule_single_row")),
        sa.CheckConstraint(
            "every IN ('daily', 'weekly', 'monthly')", name=op.f("ck_checkpoint_schedule_every_known")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_checkpoint_schedule_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_schedule")),
    )
    _triggers()


def downgrade() -> None:
    _drop_triggers()
    op.drop_table("checkpoint_schedule")
    op.drop_table("checkpoint_balances")
    op.drop_index(op.f("ix_checkpoints_entry_count"), table_name="checkpoints")
    op.drop_table("checkpoints")
