"""The worker's tables: a lease per scheduled job (who runs it, when it is next due) and the
log of each job's last runs (ledger/jobs).

Revision ID: 0024_jobs
Revises: 0023_letters
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_jobs"
down_revision = "0023_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("holder", sa.String(80), nullable=True),
        sa.Column("leased_until", sa.DateTime(), nullable=False),
        sa.Column("next_run_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_job_leases"),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(60), nullable=False),
        sa.Column("worker", sa.String(80), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_job_runs"),
    )
    op.create_index("ix_job_runs_job", "job_runs", ["job"])


def downgrade() -> None:
    op.drop_index("ix_job_runs_job", table_name="job_runs")
    op.drop_table("job_runs")
    op.drop_table("job_leases")
