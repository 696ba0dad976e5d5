"""Donor safety (issue 27): bank statements kept only encrypted while their preview lives,
donors' addresses confirmed before anything but the confirmation mail goes to them, and
donors' links revocable.

- ``statement_previews``: the uploaded statement as ciphertext, until posted, cancelled or
  expired (the preview's file under ``instance/imports/`` is gone: ``flask imports clean``
  deletes any left from before).
- ``donors.email_confirmed_at``: addresses already stored count as confirmed (they were given
  before confirmation existed, and staff recorded many of them).
- ``donors.link_generation``: every link in a donor's mail carries it; raising it revokes them.

Revision ID: 0020_donor_safety
Revises: 0019_releases
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_donor_safety"
down_revision = "0019_releases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statement_previews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statement_previews"),
        sa.UniqueConstraint("token_hash", name="uq_statement_previews_token_hash"),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_statement_previews_created_by_id_users"
        ),
    )
    op.create_index("ix_statement_previews_expires_at", "statement_previews", ["expires_at"])
    with op.batch_alter_table("donors") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("link_generation", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE donors SET email_confirmed_at = email_added_at WHERE email_added_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("donors") as batch:
        batch.drop_column("link_generation")
        batch.drop_column("email_confirmed_at")
    op.drop_index("ix_statement_previews_expires_at", table_name="statement_previews")
    op.drop_table("statement_previews")
