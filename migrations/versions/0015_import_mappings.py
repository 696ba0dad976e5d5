"""Saved bank-statement column mappings, one per bank account: the next import into that
account starts from the columns last used.

Revision ID: 0015_import_mappings
Revises: 0009_donor_mail
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_import_mappings"
down_revision = "0009_donor_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_mappings",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("date_column", sa.String(80), nullable=False),
        sa.Column("amount_column", sa.String(80), nullable=False),
        sa.Column("reference_column", sa.String(80), nullable=False),
        sa.Column("currency_column", sa.String(80), nullable=True),
        sa.Column("payer_column", sa.String(80), nullable=True),
        sa.Column("default_currency", sa.String(3), nullable=True),
        sa.Column("decimal_comma", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name="pk_import_mappings"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_import_mappings_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["default_currency"], ["currencies.code"], name="fk_import_mappings_default_currency_currencies"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name="fk_import_mappings_updated_by_id_users"
        ),
    )


def downgrade() -> None:
    op.drop_table("import_mappings")
