"""The journal as JSON lines in the hash chain's canonical form, for independent checking.

Each line is the canonical document of one entry (``ledger.books.hashchain``) plus its
``prev_hash`` and ``hash``, so anyone can recompute ``sha256(prev_hash + canonical)``
line by line and compare the last hash and the line count with ``/api/v1/ledger/head``
(see docs/verifying.md and scripts/verify_export.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from ledger.books.hashchain import HASHED_ENTRY_COLUMNS, EntryFacts, PostingFacts, canonical_entry
from ledger.books.streaming import converters
from ledger.reports.journal_rows import account_facts, journal_batches


def _with_hashes(canonical: str, prev_hash: str, entry_hash: str) -> str:
    """The canonical document with ``hash`` and ``prev_hash`` added, keys still sorted:
    what ``json.dumps({**document, "hash": …, "prev_hash": …}, sort_keys=True, …)`` gives.

    The keys are written in sorted order and every string value is JSON-escaped (a ``"``
    inside one is always ``\\"``), so ``,"id":`` and ``,"rate":`` first occur where those
    keys are; ``hash`` sorts just before ``id``, ``prev_hash`` just before ``rate``.
    """
    at_id = canonical.index(',"id":')
    at_rate = canonical.index(',"rate":', at_id)
    return (
        f'{canonical[:at_id]},"hash":"{entry_hash}"{canonical[at_id:at_rate]}'
        f',"prev_hash":"{prev_hash}"{canonical[at_rate:]}\n'
    )


def export_chain_jsonl(session: Session, batch: int = 2000) -> Iterator[str]:
    """Yield the JSON lines in chain order, a chunk of whole lines per batch of entries,
    streaming from the database."""
    to_date, to_datetime = converters(session)
    names = {account_id: name for account_id, (name, _type, _slug) in account_facts(session).items()}
    hashed = len(HASHED_ENTRY_COLUMNS)
    for rows in journal_batches(
        session,
        f"{', '.join(HASHED_ENTRY_COLUMNS)}, prev_hash, hash",
        "entry_id, line_no, account_id, currency, amount_minor, category, memo",
        batch,
    ):
        out = []
        for entry, lines in rows:
            facts = EntryFacts(entry[0], to_date(entry[1]), entry[2], to_datetime(entry[3]), *entry[4:hashed])
            postings: list[PostingFacts] = [(r[1], names[r[2]], r[3], r[4], r[5], r[6]) for r in lines]
            canonical = canonical_entry(facts, postings)
            out.append(_with_hashes(canonical.decode(), entry[hashed], entry[hashed + 1]))
        yield "".join(out)
