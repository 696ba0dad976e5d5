"""The declarative base shared by every area, with named constraints.

Constraint names matter: Alembic's SQLite batch mode drops unnamed CHECKs, and
the schema test compares names.  No Flask here, so the domain runs without an app.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import MetaData, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from ledger.platform.text import fold_for_search

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: Iterable[str]) -> str:
    """SQL for a CHECK that ``column`` holds one of ``values`` (a StrEnum's members)."""
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


def utc_today() -> date:
    """Today's date in UTC, the ledger's calendar (as ``utcnow()`` is its clock)."""
    return datetime.now(UTC).date()


def utcnow() -> datetime:
    """Naive UTC now: both SQLite and PostgreSQL store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# The driver's own connection (sqlite3 or psycopg, each with its own methods): typed Any.
@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: object) -> None:
    """Foreign keys on, WAL for concurrent readers, and wait instead of failing on locks."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # SQLite's lower() folds ASCII only: searches fold in Python, the same way as the query.
    dbapi_connection.create_function("search_fold", 1, fold_for_search, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Read-only or in-memory databases keep their journal mode.
    with contextlib.suppress(sqlite3.Error):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_custom_plans(dbapi_connection: Any, connection_record: object) -> None:
    """Plan every statement for the values it runs with.

    psycopg prepares a statement once it has run five times, and PostgreSQL then may keep a
    generic plan that cannot see which account and which dates are asked for: the prisoner
    report's flows went from 3 to 30 ms, p95 70 ms at a million postings (#17). Planning
    afresh costs well under a millisecond; the parsing stays saved.  Set outside a
    transaction, so that a rollback does not undo it.
    """
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.autocommit = autocommit


class search_fold(GenericFunction[str]):  # noqa: N801 (named as the SQL function it renders)
    """A column folded for searching, as :func:`ledger.platform.text.fold_for_search` folds the query."""

    type = String()
    inherit_cache = True


@compiles(search_fold, "postgresql")
def _search_fold_postgresql(element: search_fold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower(translate({compiler.process(element.clauses, **kw)}, 'Ёё', 'Ее'))"
