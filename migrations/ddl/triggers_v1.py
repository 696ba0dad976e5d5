"""Append-only triggers, version 1: refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).

Frozen: migrations 0001, 0010, 0019, 0021 and 0025 import it, and each must keep emitting
the SQL it emitted when it was written, byte for byte.  Never edit this module; different DDL
goes into ``triggers_v2.py``.  Each function returns the statements for ``op.execute``.
"""

from __future__ import annotations


def sqlite_append_only(table: str, message: str) -> list[str]:
    """Triggers ``<table>_no_update`` and ``<table>_no_delete`` that abort with ``message``."""
    return [
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for action in ("UPDATE", "DELETE")
    ]


def sqlite_drop_append_only(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def postgresql_append_only_function(function: str, remedy: str) -> str:
    """A trigger function that refuses the change: '<table> are append-only: <remedy>'."""
    return f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% are append-only: {remedy}', TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END
            $$
            """


def postgresql_append_only(table: str, function: str) -> list[str]:
    """Triggers ``<table>_append_only`` (rows) and ``<table>_no_truncate`` calling ``function``."""
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def postgresql_drop_append_only(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]
