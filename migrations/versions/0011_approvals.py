"""Two-person sign-off: thresholds per currency, pending items, the money they hold back,
their receipts, and the approver of a signed-off journal entry.

``journal_entries.approved_by_id`` is added with a plain ALTER TABLE on both databases:
a SQLite batch rebuild would drop the append-only triggers of migration 0001.

Revision ID: 0011_approvals
Revises: 0014_hardening
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_approvals"
down_revision = "0015_import_mappings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_thresholds",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_approval_thresholds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_approval_thresholds_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_approval_thresholds_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("currency", name=op.f("pk_approval_thresholds")),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "entry_id IS NULL OR status = 'approved'", name=op.f("ck_approvals_entry_only_when_approved")
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL AND decided_by_id IS NULL)",
            name=op.f("ck_approvals_decided_when_closed"),
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR (decided_by_id = author_id) = (status = 'withdrawn')",
            name=op.f("ck_approvals_second_person"),
        ),
        sa.CheckConstraint(
            "kind IN ('disbursement', 'cash', 'transfer')", name=op.f("ck_approvals_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')",
            name=op.f("ck_approvals_status_known"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_approvals_amount_positive")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_approvals_author_id_users")),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_approvals_currency_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_approvals_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_approvals_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["prisoner_id"], ["prisoners.id"], name=op.f("fk_approvals_prisoner_id_prisoners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_approvals_entry_id")),
    )
    op.create_index("ix_approvals_author_id", "approvals", ["author_id"])
    op.create_index("ix_approvals_prisoner_id", "approvals", ["prisoner_id"])
    op.create_index("ix_approvals_status", "approvals", ["status"])
    op.create_table(
        "approval_holds",
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_approval_holds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_approval_holds_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"], ["approvals.id"], name=op.f("fk_approval_holds_approval_id_approvals")
        ),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name=op.f("fk_approval_holds_currency_currencies")
        ),
        sa.PrimaryKeyConstraint("approval_id", "account_id", "currency", name=op.f("pk_approval_holds")),
    )
    op.create_index("ix_approval_holds_account_id", "approval_holds", ["account_id"])
    op.create_table(
        "approval_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')",
            name=op.f("ck_approval_receipts_content_type_known"),
        ),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_approval_receipts_sha256_length")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_approval_receipts_size_positive")),
        sa.ForeignKeyConstraint(
            ["approval_id"], ["approvals.id"], name=op.f("fk_approval_receipts_approval_id_approvals")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_approval_receipts_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_receipts")),
        sa.UniqueConstraint("approval_id", "sha256", name="uq_approval_receipts_approval_sha256"),
    )
    op.create_index("ix_approval_receipts_approval_id", "approval_receipts", ["approval_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE journal_entries ADD COLUMN approved_by_id INTEGER "
            "CONSTRAINT fk_journal_entries_approved_by_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("journal_entries", sa.Column("approved_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_journal_entries_approved_by_id_users", "journal_entries", "users", ["approved_by_id"], ["id"]
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite >= 3.35 drops a column in place: the append-only triggers stay.
        op.execute("ALTER TABLE journal_entries DROP COLUMN approved_by_id")
    else:
        op.drop_constraint("fk_journal_entries_approved_by_id_users", "journal_entries", type_="foreignkey")
        op.drop_column("journal_entries", "approved_by_id")
    op.drop_index("ix_approval_receipts_approval_id", table_name="approval_receipts")
    op.drop_table("approval_receipts")
    op.drop_index("ix_approval_holds_account_id", table_name="approval_holds")
    op.drop_table("approval_holds")
    op.drop_index("ix_approvals_status", table_name="approvals")
    op.drop_index("ix_approvals_prisoner_id", table_name="approvals")
    op.drop_index("ix_approvals_author_id", table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("approval_thresholds")
