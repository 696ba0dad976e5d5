"""One domain operation, one transaction: the single place where HTML views and CLI commands
commit (the JSON API commits with its stored answer in ``ledger/api/idempotency.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

# Tables a read may touch: sign-in bookkeeping (when a token was last used), not the books.
BOOKKEEPING_TABLES = frozenset({"api_tokens"})


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    """Commit what the block wrote when it ends; roll everything back when it raises."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    session.commit()


def finish(session: Session, *, keep: bool) -> None:
    """End the request's transaction: commit it when ``keep``, else roll it back."""
    if keep:
        session.commit()
    else:
        session.rollback()


def written_tables(session: Session) -> set[str]:
    """Tables the session has written (flushed or pending) since it last committed or rolled back."""
    pending = {_table_of(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    return set(session.info.get("written_tables", set())) | {name for name in pending if name}


def _table_of(obj: object) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


@event.listens_for(Session, "after_flush")
def _remember_writes(session: Session, _flush_context: object) -> None:
    names = session.info.setdefault("written_tables", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = _table_of(obj)
        if name:
            names.add(name)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_writes(session: Session, *_args: object) -> None:
    session.info.pop("written_tables", None)
