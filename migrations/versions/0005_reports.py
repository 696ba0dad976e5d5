"""Reports: an index for filtering the journal by posting category.

Revision ID: 0005_reports
Revises: 0004_stripe
Create Date: 2026-11-26
"""

from alembic import op

revision = "0005_reports"
down_revision = "0004_stripe"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_postings_category_entry", "postings", ["category", "entry_id"])


def downgrade() -> None:
    op.drop_index("ix_postings_category_entry", table_name="postings")
