"""The hash chain: ``hash = sha256(prev_hash + canonical serialisation)``.

The serialisation is JSON with sorted keys and no whitespace, so anyone can
recompute it from an export.  It holds the entry's ledger facts only: no donor
data ever goes into it (a hashed email can be brute-forced).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime

GENESIS_HASH = "0" * 64


def canonical_entry(
    *,
    entry_id: int,
    entry_date: date,
    description: str,
    recorded_at: datetime,
    recorded_by_id: int | None,
    source_type: str,
    source_ref: str | None,
    idempotency_key: str | None,
    reverses_id: int | None,
    is_advance: bool,
    conversion_rate: str | None,
    postings: Iterable[tuple],
    approved_by_id: int | None = None,
) -> bytes:
    """Canonical bytes of an entry.  ``postings`` rows are
    ``(line_no, account_name, currency, amount_minor, category, memo)``.

    ``approved_by`` (the second person of a two-person sign-off) is in the document
    only when there is one: entries recorded before sign-off existed keep the bytes,
    and so the hashes, they were chained with."""
    document = {
        "id": entry_id,
        "date": entry_date.isoformat(),
        "description": description,
        "recorded_at": recorded_at.replace(microsecond=0).isoformat(),
        "recorded_by": recorded_by_id,
        "source": source_type,
        "source_ref": source_ref,
        "idempotency_key": idempotency_key,
        "reverses": reverses_id,
        "advance": bool(is_advance),
        "rate": conversion_rate,
        "postings": [
            [line_no, account, currency, str(amount), category, memo]
            for line_no, account, currency, amount, category, memo in sorted(postings)
        ],
    }
    if approved_by_id is not None:
        document["approved_by"] = approved_by_id
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def entry_canonical(entry) -> bytes:
    """Canonical bytes of a stored JournalEntry (postings loaded)."""
    return canonical_entry(
        entry_id=entry.id,
        entry_date=entry.entry_date,
        description=entry.description,
        recorded_at=entry.recorded_at,
        recorded_by_id=entry.recorded_by_id,
        source_type=entry.source_type,
        source_ref=entry.source_ref,
        idempotency_key=entry.idempotency_key,
        reverses_id=entry.reverses_id,
        is_advance=entry.is_advance,
        conversion_rate=entry.conversion_rate,
        postings=[
            (p.line_no, p.account.name, p.currency, p.amount_minor, p.category, p.memo)
            for p in entry.postings
        ],
        approved_by_id=getattr(entry, "approved_by_id", None),
    )
