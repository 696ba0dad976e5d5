"""Which state of the books a reader sees.

The public sees the books as the latest checkpoint sealed them: balances from the balances
stored with it, flows from the entries it covers (``entry_id <= entry_count``), and a
reversal counted on the date of the entry it reverses, so a reversed gift vanishes from
every total.  With no checkpoint yet the public sees nothing.  Signed-in staff see the
live books (``LIVE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ledger.books.models import AccountBalance, JournalEntry
from ledger.checkpoints.models import Checkpoint, CheckpointBalance
from ledger.checkpoints.seal import latest_checkpoint


@dataclass(frozen=True)
class AsOf:
    checkpoint: Checkpoint | None = None
    live: bool = True

    @property
    def public(self) -> bool:
        return not self.live

    @property
    def entry_limit(self) -> int | None:
        """The last entry counted, or None for the live books."""
        if self.live:
            return None
        return self.checkpoint.entry_count if self.checkpoint is not None else 0

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

    def covers(self, entry_id_column) -> list:
        """SQL conditions: the entry is part of this state."""
        limit = self.entry_limit
        return [] if limit is None else [entry_id_column <= limit]


LIVE = AsOf()


def public_as_of(session: Session) -> AsOf:
    return AsOf(latest_checkpoint(session), live=False)


def balance_rows(as_of: AsOf):
    """A subquery of ``(account_id, currency, balance_minor)`` as of ``as_of``."""
    if as_of.live:
        return select(
            AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor
        ).subquery("balance")
    sequence = as_of.checkpoint.sequence if as_of.checkpoint is not None else 0
    return (
        select(CheckpointBalance.account_id, CheckpointBalance.currency, CheckpointBalance.balance_minor)
        .where(CheckpointBalance.sequence == sequence)
        .subquery("balance")
    )


def dated(statement, as_of: AsOf):
    """``(statement, date expression)`` for a statement that selects from JournalEntry: the
    entry's date, or in the public view the date of the entry a reversal reverses."""
    if as_of.live:
        return statement, JournalEntry.entry_date
    original = aliased(JournalEntry, name="reversed_entry")
    statement = statement.outerjoin(original, original.id == JournalEntry.reverses_id)
    return statement, func.coalesce(original.entry_date, JournalEntry.entry_date)
