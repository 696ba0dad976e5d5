"""Lifecycle "found" events; what ``ledger verify`` needs to cover every fact beside the journal.

- prisoner_events: the type ``found`` (whereabouts known again), which may name a facility.
- audit_events: a chain (prev_hash, hash: a keyed digest of the previous hash and the event's
  facts), append-only; the ledger head keeps the number of events and the last hash. Existing
  events are chained in id order.
- ledger_head: the latest checkpoint's sequence and the SHA-256 of its signed document.
- donations.donor_binding and receipts.binding: keyed bindings of a donation's donor and a
  receipt's entry (ledger/checkpoints/bindings.py), filled for the rows there are.

The keyed digests use ``ledger.platform.crypto.binding`` (the instance's key), as 0009 uses its
encryption: they must be the ones the app computes.

Revision ID: 0021_verify_coverage
Revises: 0024_jobs
Create Date: 2026-12-07
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from ledger.platform.crypto import binding
from migrations.ddl import triggers_v1

revision = "0021_verify_coverage"
down_revision = "0024_jobs"
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


GENESIS = "0" * 64
AUDIT_MESSAGE = "audit events are append-only"

_audit = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime()),
    sa.column("user_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("target", sa.String()),
    sa.column("details", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _audit_hash(prev: str, at: datetime, user_id, action: str, target, details) -> str:
    # as ledger/access/audit.py's audit_hash
    return binding("audit", prev, at.isoformat(), user_id, action, target, details)


def _chain_audit_events(connection) -> None:
    """Chain the events there are and set the head."""
    prev, count = GENESIS, 0
    rows = connection.execute(
        sa.select(
            _audit.c.id, _audit.c.at, _audit.c.user_id, _audit.c.action, _audit.c.target, _audit.c.details
        ).order_by(_audit.c.id)
    ).all()
    for event_id, at, user_id, action, target, details in rows:
        digest = _audit_hash(prev, at, user_id, action, target, details)
        connection.execute(_audit.update().where(_audit.c.id == event_id).values(prev_hash=prev, hash=digest))
        prev, count = digest, count + 1
    connection.execute(
        sa.text("UPDATE ledger_head SET audit_count = :c, audit_hash = :h WHERE id = 1"),
        {"c": count, "h": prev},
    )


def _audit_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        statements = triggers_v1.sqlite_append_only("audit_events", AUDIT_MESSAGE)
    else:  # ledger_append_only() of 0001
        statements = triggers_v1.postgresql_append_only("audit_events", "ledger_append_only")
    for statement in statements:
        op.execute(statement)


def _drop_audit_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        statements = triggers_v1.sqlite_drop_append_only("audit_events")
    else:
        statements = triggers_v1.postgresql_drop_append_only("audit_events")
    for statement in statements:
        op.execute(statement)


def _bind_rows(connection) -> None:
    """The keyed bindings of the donations with a donor and of every receipt (as
    ledger/checkpoints/bindings.py writes them)."""
    for donation_id, entry_id, donor_id in connection.execute(
        sa.text("SELECT id, entry_id, donor_id FROM donations WHERE donor_id IS NOT NULL")
    ).all():
        connection.execute(
            sa.text("UPDATE donations SET donor_binding = :b WHERE id = :i"),
            {"b": binding("donation-donor", entry_id, donor_id), "i": donation_id},
        )
    receipts = connection.execute(sa.text("SELECT id, entry_id, sha256 FROM receipts")).all()
    if not receipts:
        return
    sqlite = connection.dialect.name == "sqlite"
    # receipts refuse every UPDATE (0014): the guard steps aside for this one fill
    if sqlite:
        op.execute("DROP TRIGGER receipts_guard_update")
    else:
        op.execute("ALTER TABLE receipts DISABLE TRIGGER receipts_guard")
    for receipt_id, entry_id, sha256 in receipts:
        connection.execute(
            sa.text("UPDATE receipts SET binding = :b WHERE id = :i"),
            {"b": binding("receipt-entry", entry_id, sha256), "i": receipt_id},
        )
    if sqlite:
        op.execute(
            "CREATE TRIGGER receipts_guard_update BEFORE UPDATE ON receipts "
            "BEGIN SELECT RAISE(ABORT, 'receipts are append-only: attach a new receipt'); END"
        )
    else:
        op.execute("ALTER TABLE receipts ENABLE TRIGGER receipts_guard")


def upgrade() -> None:
    _event_checks(NEW_TYPES, NEW_FACILITY)
    connection = op.get_bind()
    op.add_column("ledger_head", sa.Column("audit_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "ledger_head", sa.Column("audit_hash", sa.String(64), nullable=False, server_default=GENESIS)
    )
    op.add_column(
        "ledger_head", sa.Column("checkpoint_sequence", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("ledger_head", sa.Column("checkpoint_digest", sa.String(64), nullable=True))
    op.add_column("audit_events", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("audit_events", sa.Column("hash", sa.String(64), nullable=True))
    op.add_column("donations", sa.Column("donor_binding", sa.String(64), nullable=True))
    op.add_column("receipts", sa.Column("binding", sa.String(64), nullable=True))
    if connection.execute(sa.text("SELECT count(*) FROM ledger_head")).scalar() == 0:
        connection.execute(
            sa.text("INSERT INTO ledger_head (id, entry_count, head_hash) VALUES (1, 0, :h)"), {"h": GENESIS}
        )
    _chain_audit_events(connection)
    latest = connection.execute(
        sa.text("SELECT sequence, document FROM checkpoints ORDER BY sequence DESC LIMIT 1")
    ).first()
    if latest is not None:
        import hashlib

        connection.execute(
            sa.text("UPDATE ledger_head SET checkpoint_sequence = :s, checkpoint_digest = :d WHERE id = 1"),
            {"s": latest[0], "d": hashlib.sha256(latest[1].encode("utf-8")).hexdigest()},
        )
    _bind_rows(connection)
    _audit_triggers()


def downgrade() -> None:
    _drop_audit_triggers()
    op.drop_column("receipts", "binding")
    op.drop_column("donations", "donor_binding")
    op.drop_column("audit_events", "hash")
    op.drop_column("audit_events", "prev_hash")
    for column in ("checkpoint_digest", "checkpoint_sequence", "audit_hash", "audit_count"):
        op.drop_column("ledger_head", column)
    op.execute("DELETE FROM prisoner_events WHERE type = 'found'")
    _event_checks(OLD_TYPES, OLD_FACILITY)
