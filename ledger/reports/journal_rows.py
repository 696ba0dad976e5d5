"""Streaming the journal in chain order, entry by entry, for exports and checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.models import Account, JournalEntry, Posting
from ledger.funds.models import Prisoner


@dataclass(frozen=True)
class PostingRow:
    account: str
    account_type: str
    currency: str
    amount_minor: int
    category: str | None
    memo: str | None
    prisoner_slug: str | None


@dataclass(frozen=True)
class EntryRow:
    id: int
    entry_date: date
    description: str
    source_type: str
    reverses_id: int | None
    is_advance: bool
    conversion_rate: str | None
    hash: str
    prev_hash: str
    postings: list[PostingRow]


def iter_journal(session: Session, batch: int = 5000) -> Iterator[EntryRow]:
    """Every entry with its postings, in chain order, without loading the journal at once."""
    entries = session.execute(
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.description,
            JournalEntry.source_type,
            JournalEntry.reverses_id,
            JournalEntry.is_advance,
            JournalEntry.conversion_rate,
            JournalEntry.hash,
            JournalEntry.prev_hash,
        )
        .order_by(JournalEntry.id)
        .execution_options(yield_per=batch)
    )
    postings = session.execute(
        select(
            Posting.entry_id,
            Account.name,
            Account.type,
            Posting.currency,
            Posting.amount_minor,
            Posting.category,
            Posting.memo,
            Prisoner.slug,
        )
        .join(Account, Account.id == Posting.account_id)
        .outerjoin(Prisoner, Prisoner.id == Account.prisoner_id)
        .order_by(Posting.entry_id, Posting.line_no)
        .execution_options(yield_per=batch)
    )
    grouped = groupby(postings, key=lambda row: row[0])
    pending = next(grouped, None)
    for entry in entries:
        rows: list[PostingRow] = []
        while pending is not None and pending[0] <= entry.id:
            if pending[0] == entry.id:
                rows = [PostingRow(*row[1:]) for row in pending[1]]
            pending = next(grouped, None)
        yield EntryRow(*entry, postings=rows)


def parcel_tags(session: Session) -> dict[int, tuple[str, str]]:
    """Entry id -> (tag, value) for parcels with an outcome and for returned parcels'
    refunds, so exports say which spending was returned or confiscated (these facts are
    recorded after the entry and are not part of its hash)."""
    from ledger.spending.models import Parcel, ParcelOutcome

    tags: dict[int, tuple[str, str]] = {}
    rows = session.execute(
        select(Parcel.entry_id, ParcelOutcome.outcome, ParcelOutcome.refund_entry_id).join(
            ParcelOutcome, ParcelOutcome.parcel_id == Parcel.id
        )
    )
    for entry_id, outcome, refund_entry_id in rows:
        tags[entry_id] = ("parcel", outcome)
        if refund_entry_id is not None:
            tags[refund_entry_id] = ("refund_of", str(entry_id))
    return tags
