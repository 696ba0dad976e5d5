"""Content version: a counter bumped whenever profiles, facilities, donors or pledges
change, so cached public pages never outlive the data they show.

Revision ID: 0007_content_version
Revises: 0006_security
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_content_version"
down_revision = "0006_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_content_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("content_version")
