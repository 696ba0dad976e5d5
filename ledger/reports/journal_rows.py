"""Streaming the journal in chain order, entry by entry, for exports and checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.models import Account
from ledger.books.streaming import converters, stream_batches, stream_rows
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
    recorded_by_id: int | None
    approved_by_id: int | None
    postings: list[PostingRow]


def journal_batches(
    session: Session, entry_columns: str, posting_columns: str, batch: int = 2000
) -> Iterator[list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]]:
    """The whole journal in chain order, ``batch`` entries at a time, in flat memory.

    Each item is ``(entry, postings)``: ``entry`` the row of ``entry_columns`` of
    ``journal_entries`` (the first must be ``id``), ``postings`` the rows of
    ``posting_columns`` of ``postings`` (the first must be ``entry_id``) in line order.
    Rows are the DB-API's tuples (see ``ledger.books.streaming``): dates on SQLite are
    in storage form, so convert them with ``converters()``.
    """
    entries = stream_batches(session, f"SELECT {entry_columns} FROM journal_entries ORDER BY id", batch=batch)
    postings = stream_rows(
        session, f"SELECT {posting_columns} FROM postings ORDER BY entry_id, line_no", batch=batch * 3
    )
    pending = next(postings, None)
    for rows in entries:
        out = []
        for entry in rows:
            entry_id = entry[0]
            while pending is not None and pending[0] < entry_id:
                pending = next(postings, None)  # postings of no entry: verify reports them
            lines = []
            while pending is not None and pending[0] == entry_id:
                lines.append(pending)
                pending = next(postings, None)
            out.append((entry, lines))
        yield out


def account_facts(session: Session) -> dict[int, tuple[str, str, str | None]]:
    """Every account's (name, type, prisoner slug) by id."""
    return {
        account_id: (name, account_type, slug)
        for account_id, name, account_type, slug in session.execute(
            select(Account.id, Account.name, Account.type, Prisoner.slug).outerjoin(
                Prisoner, Prisoner.id == Account.prisoner_id
            )
        )
    }


def iter_journal(session: Session, batch: int = 2000) -> Iterator[EntryRow]:
    """Every entry with its postings, in chain order, without loading the journal at once."""
    accounts = account_facts(session)
    to_date, _ = converters(session)
    for rows in journal_batches(
        session,
        "id, entry_date, description, source_type, reverses_id, is_advance, conversion_rate, hash, prev_hash, "
        "recorded_by_id, approved_by_id",
        "entry_id, account_id, currency, amount_minor, category, memo",
        batch,
    ):
        for entry, lines in rows:
            yield EntryRow(
                entry[0],
                to_date(entry[1]),
                entry[2],
                entry[3],
                entry[4],
                bool(entry[5]),
                entry[6],
                entry[7],
                entry[8],
                entry[9],
                entry[10],
                [
                    PostingRow(
                        accounts[account_id][0],
                        accounts[account_id][1],
                        currency,
                        amount,
                        category,
                        memo,
                        accounts[account_id][2],
                    )
                    for _, account_id, currency, amount, category, memo in lines
                ],
            )


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
