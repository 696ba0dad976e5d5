"""Spending: parcel details and receipts.

Revision ID: 0002_spending
Revises: 0001_ledger_core
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_spending"
down_revision = "0001_ledger_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parcels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=True),
        sa.Column("total_grams", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parcels"),
        sa.UniqueConstraint("entry_id", name="uq_parcels_entry_id"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name="fk_parcels_entry_id_journal_entries"
        ),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoners.id"], name="fk_parcels_prisoner_id_prisoners"),
        sa.ForeignKeyConstraint(["facility_id"], ["facilities.id"], name="fk_parcels_facility_id_facilities"),
        sa.CheckConstraint("total_grams > 0", name="ck_parcels_total_grams_positive"),
    )
    op.create_index("ix_parcels_prisoner_id", "parcels", ["prisoner_id"])
    op.create_index("ix_parcels_facility_id", "parcels", ["facility_id"])
    op.create_index("ix_parcels_sent_on", "parcels", ["sent_on"])

    op.create_table(
        "parcel_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("grams", sa.Integer(), nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parcel_items"),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"], name="fk_parcel_items_parcel_id_parcels"),
        sa.ForeignKeyConstraint(
            ["currency"], ["currencies.code"], name="fk_parcel_items_currency_currencies"
        ),
        sa.CheckConstraint("quantity > 0", name="ck_parcel_items_quantity_positive"),
        sa.CheckConstraint("grams >= 0", name="ck_parcel_items_grams_not_negative"),
        sa.CheckConstraint("cost_minor >= 0", name="ck_parcel_items_cost_not_negative"),
    )
    op.create_index("ix_parcel_items_parcel_id", "parcel_items", ["parcel_id"])

    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_receipts"),
        sa.UniqueConstraint("entry_id", "sha256", name="uq_receipts_entry_sha256"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name="fk_receipts_entry_id_journal_entries"
        ),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name="fk_receipts_uploaded_by_id_users"),
        sa.CheckConstraint("length(sha256) = 64", name="ck_receipts_sha256_length"),
        sa.CheckConstraint("size_bytes > 0", name="ck_receipts_size_positive"),
        sa.CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')",
            name="ck_receipts_content_type_known",
        ),
    )
    op.create_index("ix_receipts_entry_id", "receipts", ["entry_id"])
    op.create_index("ix_receipts_sha256", "receipts", ["sha256"])


def downgrade() -> None:
    op.drop_table("receipts")
    op.drop_table("parcel_items")
    op.drop_table("parcels")
