"""The journal as JSON lines in the hash chain's canonical form, for independent checking.

Each line is the canonical document of one entry (``ledger.books.hashchain``) plus its
``prev_hash`` and ``hash``, so anyone can recompute ``sha256(prev_hash + canonical)``
line by line and compare the last hash and the line count with ``/api/v1/ledger/head``
(see docs/verifying.md and scripts/verify_export.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.books.hashchain import (
    HASHED_ENTRY_COLUMNS,
    EntryFacts,
    PostingFacts,
    canonical_document,
    canonical_json,
)
from ledger.books.models import Account, JournalEntry, Posting


def export_chain_jsonl(session: Session, batch: int = 2000) -> Iterator[str]:
    """Yield one JSON line per entry, in chain order, streaming from the database."""
    entries = session.execute(
        select(
            *(getattr(JournalEntry, name) for name in HASHED_ENTRY_COLUMNS),
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
    for *hashed, prev_hash, entry_hash in entries:
        facts = EntryFacts(*hashed)
        rows: list[PostingFacts] = []
        while pending is not None and pending[0] <= facts.id:
            if pending[0] == facts.id:
                rows = [(n, a, c, m, cat, memo) for _, n, a, c, m, cat, memo in pending[1]]
            pending = next(grouped, None)
        document = canonical_document(facts, rows)
        document["prev_hash"] = prev_hash
        document["hash"] = entry_hash
        yield canonical_json(document) + "\n"
