"""Whether an entry has been reversed, as a SQL condition.

A correlated ``EXISTS`` on the unique index of ``journal_entries.reverses_id``: one index
lookup per row the query reads.  ``entry_id IN (SELECT reverses_id ...)`` built the list of
every reversal in the journal first, which a page showing fifty lines paid for on each
request (bench/README.md, the prisoner page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ledger.books.models import JournalEntry


def has_reversal(
    entry_id: Any, covers: Callable[[Any], Iterable[ColumnElement[bool]]] | None = None
) -> ColumnElement[bool]:
    """SQL: the entry ``entry_id`` (a column) has a reversal; with ``covers`` (an
    ``AsOf.covers``), only a reversal within that state of the books counts."""
    reversal = aliased(JournalEntry)
    conditions = list(covers(reversal.id)) if covers else []
    return exists().where(reversal.reverses_id == entry_id, *conditions)
