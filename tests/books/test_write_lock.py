"""``lock_ledger()``: a change that must not interleave with posting (a pending item's hold,
a decision on it) takes the ledger's write lock, and holds it until the caller commits."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from ledger.books.posting import lock_ledger

TOUCH_HEAD = text("UPDATE ledger_head SET entry_count = entry_count WHERE id = 1")


def _other_writer(url: str):
    """A second connection that gives up at once instead of waiting for a lock."""
    if url.startswith("sqlite"):
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _no_wait(connection, _record):
            connection.execute("PRAGMA busy_timeout = 0")

        return engine
    return create_engine(url, connect_args={"options": "-c lock_timeout=100"})


def test_no_other_writer_gets_in_until_the_lock_holder_commits(session, database_url, create_prisoner):
    create_prisoner()
    session.commit()
    other = _other_writer(database_url)
    try:
        lock_ledger(session)
        with pytest.raises(OperationalError), other.begin() as connection:
            connection.execute(TOUCH_HEAD)
        session.commit()
        with other.begin() as connection:
            assert connection.execute(TOUCH_HEAD).rowcount == 1
    finally:
        other.dispose()
