"""Lifecycle "found" events; what ``ledger verify`` needs to cover every fact beside the journal.

- prisoner_events: the type ``found`` (whereabouts known again), which may name a facility.

Revision ID: 0021_verify_coverage
Revises: 0018_check_names
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_verify_coverage"
down_revision = "0018_check_names"
branch_labels = None
depends_on = None

OLD_TYPES = "type IN ('transferred', 'whereabouts_unknown', 'released', 'died')"
NEW_TYPES = "type IN ('transferred', 'whereabouts_unknown', 'found', 'released', 'died')"
OLD_FACILITY = "(type = 'transferred') = (facility_id IS NOT NULL)"
NEW_FACILITY = (
    "(type = 'transferred' AND facility_id IS NOT NULL) OR type = 'found' "
    "OR (type NOT IN ('transferred', 'found') AND facility_id IS NULL)"
)


def _events(types: str, facility: str) -> sa.Table:
    """prisoner_events as it stands, with the given CHECKs, for SQLite's rebuild."""
    table = sa.Table(
        "prisoner_events",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("fund_policy", sa.String(10), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prisoner_events"),
        sa.UniqueConstraint("entry_id", name="uq_prisoner_events_entry_id"),
        sa.ForeignKeyConstraint(
            ["prisoner_id"], ["prisoners.id"], name="fk_prisoner_events_prisoner_id_prisoners"
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name="fk_prisoner_events_facility_id_facilities"
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name="fk_prisoner_events_entry_id_journal_entries"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name="fk_prisoner_events_recorded_by_id_users"
        ),
        sa.CheckConstraint(types, name="ck_prisoner_events_type_known"),
        sa.CheckConstraint(
            "fund_policy IS NULL OR fund_policy IN ('keep', 'general')",
            name="ck_prisoner_events_policy_known",
        ),
        sa.CheckConstraint(facility, name="ck_prisoner_events_facility_for_transfer"),
        sa.CheckConstraint(
            "(type IN ('released', 'died')) = (fund_policy IS NOT NULL)",
            name="ck_prisoner_events_policy_for_release_or_death",
        ),
    )
    sa.Index("ix_prisoner_events_prisoner_id", table.c.prisoner_id)
    sa.Index("ix_prisoner_events_facility_id", table.c.facility_id)
    return table


def _event_checks(types: str, facility: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, check in (("type_known", types), ("facility_for_transfer", facility)):
            op.execute(f"ALTER TABLE prisoner_events DROP CONSTRAINT ck_prisoner_events_{name}")
            op.execute(
                f"ALTER TABLE prisoner_events ADD CONSTRAINT ck_prisoner_events_{name} CHECK ({check})"
            )
    else:  # SQLite: the table is rebuilt with the new CHECKs, its rows copied
        with op.batch_alter_table("prisoner_events", copy_from=_events(types, facility), recreate="always"):
            pass


def upgrade() -> None:
    _event_checks(NEW_TYPES, NEW_FACILITY)


def downgrade() -> None:
    op.execute("DELETE FROM prisoner_events WHERE type = 'found'")
    _event_checks(OLD_TYPES, OLD_FACILITY)
