"""Hardening: the rows beside the journal that give it money or identity meaning become
append-only — receipts entirely; donations' links to entries, donors, pledges and funds
(a donor may only be forgotten, donor_id set to NULL); accounts' name, type, guarded flag,
prisoner, and where present kind, currency and closing (labels stay editable, a closed
account is never reopened). docs/security.md says why.

Revision ID: 0014_hardening
Revises: 0010_checkpoints
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_hardening"
down_revision = "0010_checkpoints"
branch_labels = None
depends_on = None

# Columns fixed once the row exists. Columns a later migration adds are guarded when they are
# there at this migration's time; a migration that rebuilds one of these tables (a SQLite
# batch rebuild drops triggers) must call create_guards() again.
FIXED = {
    "receipts": None,  # every column: no UPDATE at all
    "donations": (
        "entry_id",
        "pledge_id",
        "prisoner_id",
        "method",
        "amount_minor",
        "currency",
        "received_on",
        "created_at",
    ),
    "accounts": ("name", "type", "guarded", "prisoner_id", "kind", "currency", "created_at"),
}
MESSAGES = {
    "receipts": "receipts are append-only: attach a new receipt",
    "donations": "donations keep their links: record a reversal and a new donation",
    "accounts": "an account keeps its name, kind, currency and guard: open a new account",
}


def _columns(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns(table)}


def _changed(table: str, new: str, old: str, distinct: str) -> str:
    """The SQL condition under which an UPDATE changes what must not change."""
    present = _columns(table)
    parts = [f"{new}.{c} {distinct} {old}.{c}" for c in FIXED[table] or () if c in present]
    if table == "donations":  # forgetting a donor is allowed, re-pointing to another is not
        parts.append(f"({new}.donor_id {distinct} {old}.donor_id AND {new}.donor_id IS NOT NULL)")
    if table == "accounts" and "closed_at" in present:  # closed for good
        parts.append(f"({old}.closed_at IS NOT NULL AND {new}.closed_at {distinct} {old}.closed_at)")
    return " OR ".join(parts)


def create_guards() -> None:
    dialect = op.get_bind().dialect.name
    for table, message in MESSAGES.items():
        if dialect == "sqlite":
            condition = "" if FIXED[table] is None else f" WHEN {_changed(table, 'NEW', 'OLD', 'IS NOT')}"
            op.execute(
                f"CREATE TRIGGER {table}_guard_update BEFORE UPDATE ON {table}{condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_guard_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        elif dialect == "postgresql":
            condition = "TRUE" if FIXED[table] is None else _changed(table, "NEW", "OLD", "IS DISTINCT FROM")
            op.execute(
                f"""
                CREATE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'UPDATE' THEN
                        RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
                    END IF;
                    IF {condition} THEN
                        RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
                    END IF;
                    RETURN NEW;
                END
                $$
                """
            )
            op.execute(
                f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_guard_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_guard()"
            )
        else:  # pragma: no cover - we support SQLite and PostgreSQL only
            raise RuntimeError(f"unsupported database: {dialect}")


def drop_guards() -> None:
    dialect = op.get_bind().dialect.name
    for table in MESSAGES:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_guard_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_guard_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_guard_truncate ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_guard()")


def upgrade() -> None:
    create_guards()


def downgrade() -> None:
    drop_guards()
