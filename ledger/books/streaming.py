"""Reading the whole journal in flat memory, fast: for verify and the exports.

The rows come straight from the DB-API cursor of the session's own connection (so a
caller's flushed, uncommitted rows are seen, as with any query of the session), a
batch at a time: on PostgreSQL through a server-side (named) cursor, on SQLite by
stepping the statement.  Neither loads the result into memory.  SQLAlchemy's row
objects cost about as much again as the DB-API's tuples, which is why verify and the
exports skip them; values the driver returns in storage form (dates on SQLite) are
converted with the dialect's own result processors (``converters``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Date, DateTime
from sqlalchemy.orm import Session

_names = itertools.count(1)


def stream_batches(
    session: Session, sql: str, params: tuple[Any, ...] = (), batch: int = 5000
) -> Iterator[list[tuple[Any, ...]]]:
    """Yield the rows of ``sql`` (plain SQL, ``%s``/``?`` marks as the driver wants) in lists
    of up to ``batch`` tuples."""
    connection = session.connection()
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = raw.cursor(name=f"ledger_stream_{next(_names)}")
        cursor.itersize = batch
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                return
            yield rows
    finally:
        cursor.close()


def stream_rows(
    session: Session, sql: str, params: tuple[Any, ...] = (), batch: int = 5000
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` one by one (see ``stream_batches``)."""
    return itertools.chain.from_iterable(stream_batches(session, sql, params, batch))


def mark(session: Session) -> str:
    """The driver's parameter mark."""
    return "?" if session.connection().dialect.paramstyle == "qmark" else "%s"


def _identity(value: Any) -> Any:
    return value


def converters(session: Session) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(to date, to datetime) for values of Date and DateTime columns as the driver returns them."""
    dialect = session.connection().dialect
    found = []
    for kind in (Date(), DateTime()):
        process = kind.dialect_impl(dialect).result_processor(dialect, None)
        found.append(process or _identity)
    return found[0], found[1]
