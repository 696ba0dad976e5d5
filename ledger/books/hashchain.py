"""The hash chain: ``hash = sha256(prev_hash + canonical serialisation)``.

The serialisation is JSON with sorted keys and no whitespace, so anyone can
recompute it from an export.  It holds the entry's ledger facts only: no donor
data ever goes into it (a hashed email can be brute-forced).

This module is the one place that says which facts of an entry are hashed and
how: ``EntryFacts`` lists them (the names are ``JournalEntry`` column names),
``PostingFacts`` the hashed columns of a posting, ``canonical_document()``
maps them to the document and ``canonical_json()`` serialises it: that pair is
the definition (what docs/verifying.md describes).  ``canonical_entry()`` writes
the same bytes with one f-string, about twice as fast, and is what posting, bulk
posting, ``verify`` and the chain export call, from plain values, so a change to
the format cannot reach one of them only.  tests/books/test_hashchain.py holds a
known-answer vector and compares the two on generated entries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

GENESIS_HASH = "0" * 64


class EntryFacts(NamedTuple):
    """The hashed facts of one journal entry; field names are ``JournalEntry`` columns."""

    id: int
    entry_date: date
    description: str
    recorded_at: datetime
    recorded_by_id: int | None
    source_type: str
    source_ref: str | None
    idempotency_key: str | None
    reverses_id: int | None
    is_advance: bool
    conversion_rate: str | None
    # The second person who signed the entry off (two-person sign-off): in the document only
    # when there is one, so entries recorded before sign-off existed keep their bytes and hashes.
    approved_by_id: int | None = None


# The JournalEntry columns that are hashed, in EntryFacts order (select them in this order).
HASHED_ENTRY_COLUMNS: tuple[str, ...] = EntryFacts._fields

# One hashed posting: (line_no, account name, currency, amount in minor units, category, memo).
PostingFacts = tuple[int, str, str, int, str | None, str | None]


def entry_facts(entry: Any) -> EntryFacts:
    """The hashed facts of any object with the ``JournalEntry`` attributes (a model or a row)."""
    return EntryFacts(*(getattr(entry, name) for name in HASHED_ENTRY_COLUMNS))


def canonical_document(entry: EntryFacts, postings: Iterable[PostingFacts]) -> dict[str, Any]:
    """The canonical document of an entry (what docs/verifying.md describes)."""
    document: dict[str, Any] = {
        "id": entry.id,
        "date": entry.entry_date.isoformat(),
        "description": entry.description,
        "recorded_at": entry.recorded_at.replace(microsecond=0).isoformat(),
        "recorded_by": entry.recorded_by_id,
        "source": entry.source_type,
        "source_ref": entry.source_ref,
        "idempotency_key": entry.idempotency_key,
        "reverses": entry.reverses_id,
        "advance": bool(entry.is_advance),
        "rate": entry.conversion_rate,
        "postings": [
            [line_no, account, currency, str(amount), category, memo]
            for line_no, account, currency, amount, category, memo in sorted(postings)
        ],
    }
    if entry.approved_by_id is not None:
        document["approved_by"] = entry.approved_by_id
    return document


def canonical_json(document: dict[str, Any]) -> str:
    """Keys sorted, no whitespace, non-ASCII written as itself (UTF-8 once encoded)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# Strings go through the json module's own C string encoder, the one
# ``json.dumps(ensure_ascii=False)`` uses, so they are escaped exactly as json.dumps does.
_E = json.encoder.encode_basestring


def canonical_entry(entry: EntryFacts, postings: Iterable[PostingFacts]) -> bytes:
    """The bytes that are hashed for one entry: ``canonical_json(canonical_document(...))``
    in UTF-8, written with one f-string.  Verify and the exports serialise every entry of the
    journal: the keys are fixed and written here in sorted order."""
    (
        entry_id,
        entry_date,
        description,
        recorded_at,
        recorded_by_id,
        source_type,
        source_ref,
        idempotency_key,
        reverses_id,
        is_advance,
        conversion_rate,
        approved_by_id,
    ) = entry
    lines = ",".join(
        [
            f"[{line_no:d},{_E(account)},{_E(currency)},{_E(str(amount))},"
            f"{'null' if category is None else _E(category)},{'null' if memo is None else _E(memo)}]"
            for line_no, account, currency, amount, category, memo in sorted(postings)
        ]
    )
    approved = "" if approved_by_id is None else f'"approved_by":{approved_by_id:d},'
    return (
        f'{{"advance":{"true" if is_advance else "false"},{approved}"date":"{entry_date.isoformat()}",'
        f'"description":{_E(description)},"id":{entry_id:d},'
        f'"idempotency_key":{"null" if idempotency_key is None else _E(idempotency_key)},'
        f'"postings":[{lines}],"rate":{"null" if conversion_rate is None else _E(conversion_rate)},'
        f'"recorded_at":"{recorded_at.replace(microsecond=0).isoformat()}",'
        f'"recorded_by":{"null" if recorded_by_id is None else f"{recorded_by_id:d}"},'
        f'"reverses":{"null" if reverses_id is None else f"{reverses_id:d}"},'
        f'"source":{_E(source_type)},'
        f'"source_ref":{"null" if source_ref is None else _E(source_ref)}}}'
    ).encode()


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def entry_hash(prev_hash: str, entry: EntryFacts, postings: Iterable[PostingFacts]) -> str:
    """``sha256(prev_hash + canonical bytes)`` of one entry, as hex."""
    return chain_hash(prev_hash, canonical_entry(entry, postings))
