"""Which state of the books a reader sees.

The public sees the books as the latest release published them
(``ledger.checkpoints.release``): the entries it and earlier releases published, each on
the day it counts in public figures (``PublishedEntry.counted_on``: a late gift or a
reversal counts in the open month, never in a month already published), and balances over
published entries only.  With no release yet the public sees nothing.  Signed-in staff see
the live books (``LIVE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, Subquery, false, select
from sqlalchemy.orm import Session

from ledger.books.models import AccountBalance, JournalEntry
from ledger.checkpoints.models import Checkpoint, PublishedBalance, PublishedEntry, Release


@dataclass(frozen=True)
class AsOf:
    checkpoint: Checkpoint | None = None
    live: bool = True

    @property
    def public(self) -> bool:
        return not self.live

    @property
    def sequence(self) -> int:
        """The release the public sees (0 before the first)."""
        return self.checkpoint.sequence if self.checkpoint is not None else 0

    @property
    def empty(self) -> bool:
        """The public view before the first checkpoint: nothing to show."""
        return not self.live and self.checkpoint is None

    @property
    def as_of_date(self) -> date | None:
        return self.checkpoint.created_at.date() if self.checkpoint is not None else None

    @property
    def cache_key(self) -> str:
        if self.live:
            return "live"
        if self.checkpoint is None:
            return "checkpoint:none"
        # The signature tells apart checkpoints of the same number in different databases.
        return f"checkpoint:{self.checkpoint.sequence}:{self.checkpoint.signature}"

    def covers(self, entry_id_column: SQLColumnExpression[int]) -> list[ColumnElement[bool]]:
        """SQL conditions: the entry is part of this state (published, in the public view)."""
        if self.live:
            return []
        if self.checkpoint is None:
            return [false()]
        published = PublishedEntry.__table__.alias("published_check")
        return [
            select(published.c.entry_id)
            .where(published.c.entry_id == entry_id_column, published.c.sequence <= self.sequence)
            .exists()
        ]


LIVE = AsOf()

# A select of any columns, given back joined (still the same columns).
Statement = TypeVar("Statement", bound=Select[*tuple[Any, ...]])


def latest_release(session: Session) -> Checkpoint | None:
    """The latest checkpoint that made a release (checkpoints signed before releases
    existed published nothing)."""
    return session.scalar(
        select(Checkpoint)
        .join(Release, Release.sequence == Checkpoint.sequence)
        .order_by(Checkpoint.sequence.desc())
        .limit(1)
    )


def public_as_of(session: Session) -> AsOf:
    return AsOf(latest_release(session), live=False)


def balance_rows(as_of: AsOf) -> Subquery:
    """A subquery of ``(account_id, currency, balance_minor)`` as of ``as_of``."""
    if as_of.live:
        return select(
            AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor
        ).subquery("balance")
    return (
        select(PublishedBalance.account_id, PublishedBalance.currency, PublishedBalance.balance_minor)
        .where(PublishedBalance.sequence == as_of.sequence)
        .subquery("balance")
    )


def dated(statement: Statement, as_of: AsOf) -> tuple[Statement, SQLColumnExpression[date]]:
    """``(statement, date expression)`` for a statement that selects from JournalEntry: the
    entry's date, or in the public view the day it counts on, published entries only."""
    if as_of.live:
        return statement, JournalEntry.entry_date
    statement = statement.join(
        PublishedEntry,
        (PublishedEntry.entry_id == JournalEntry.id) & (PublishedEntry.sequence <= as_of.sequence),
    )
    return statement, PublishedEntry.counted_on
