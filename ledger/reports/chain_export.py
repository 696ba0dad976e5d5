"""The journal as JSON lines in the hash chain's canonical form, for independent checking.

Each line is the canonical document of one entry (``ledger.books.hashchain``) plus its
``prev_hash`` and ``hash``, so anyone can recompute ``sha256(prev_hash + canonical)``
line by line and compare the last hash and the line count with ``/api/v1/ledger/head``
(see docs/verifying.md and scripts/verify_export.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.hashchain import canonical_entry
from ledger.books.models import Account, JournalEntry, Posting


def export_chain_jsonl(session: Session, batch: int = 2000) -> Iterator[str]:
    """Yield one JSON line per entry, in chain order, streaming from the database."""
    entries = session.execute(
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.description,
            JournalEntry.recorded_at,
            JournalEntry.recorded_by_id,
            JournalEntry.source_type,
            JournalEntry.source_ref,
            JournalEntry.idempotency_key,
            JournalEntry.reverses_id,
            JournalEntry.is_advance,
            JournalEntry.conversion_rate,
            JournalEntry.approved_by_id,
            JournalEntry.prev_hash,
            JournalEntry.hash,
        )
        .order_by(JournalEntry.id)
        .execution_options(yield_per=batch)
    )
    postings = session.execute(
        select(
            Posting.entry_id,
            Posting.line_no,
            Account.name,
            Posting.currency,
            Posting.amount_minor,
            Posting.category,
            Posting.memo,
        )
        .join(Account, Account.id == Posting.account_id)
        .order_by(Posting.entry_id, Posting.line_no)
        .execution_options(yield_per=batch)
    )
    grouped = groupby(postings, key=lambda row: row[0])
    pending = next(grouped, None)
    for (
        entry_id,
        entry_date,
        description,
        recorded_at,
        recorded_by,
        source,
        source_ref,
        key,
        reverses,
        advance,
        rate,
        approved_by,
        prev_hash,
        entry_hash,
    ) in entries:
        rows: list[tuple] = []
        while pending is not None and pending[0] <= entry_id:
            if pending[0] == entry_id:
                rows = [tuple(row[1:]) for row in pending[1]]
            pending = next(grouped, None)
        document = json.loads(
            canonical_entry(
                entry_id=entry_id,
                entry_date=entry_date,
                description=description,
                recorded_at=recorded_at,
                recorded_by_id=recorded_by,
                source_type=source,
                source_ref=source_ref,
                idempotency_key=key,
                reverses_id=reverses,
                is_advance=advance,
                conversion_rate=rate,
                postings=rows,
                approved_by_id=approved_by,
            )
        )
        document["prev_hash"] = prev_hash
        document["hash"] = entry_hash
        yield json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
