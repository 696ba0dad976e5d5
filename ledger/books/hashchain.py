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


# The canonical document is JSON with sorted keys, no whitespace and ensure_ascii=False:
# ``json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
# (``canonical_entry_reference`` below).  It is built here with one f-string instead,
# because verify and the exports serialise every entry of the journal: the keys are
# fixed and written in sorted order, and strings go through the json module's own C
# string encoder, so the bytes are the same as json.dumps gives, about twice as fast
# (tests/books/test_hashchain.py compares the two on generated entries).
_E = json.encoder.encode_basestring  # type: ignore[attr-defined]


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
        f'"description":{"null" if description is None else _E(description)},"id":{entry_id:d},'
        f'"idempotency_key":{"null" if idempotency_key is None else _E(idempotency_key)},'
        f'"postings":[{lines}],"rate":{"null" if conversion_rate is None else _E(conversion_rate)},'
        f'"recorded_at":"{recorded_at.replace(microsecond=0).isoformat()}",'
        f'"recorded_by":{"null" if recorded_by_id is None else f"{recorded_by_id:d}"},'
        f'"reverses":{"null" if reverses_id is None else f"{reverses_id:d}"},'
        f'"source":{"null" if source_type is None else _E(source_type)},'
        f'"source_ref":{"null" if source_ref is None else _E(source_ref)}}}'
    ).encode()


def canonical_entry_reference(**fields) -> bytes:
    """The definition of the canonical bytes, through ``json.dumps`` (slow; for tests)."""
    document = {
        "id": fields["entry_id"],
        "date": fields["entry_date"].isoformat(),
        "description": fields["description"],
        "recorded_at": fields["recorded_at"].replace(microsecond=0).isoformat(),
        "recorded_by": fields["recorded_by_id"],
        "source": fields["source_type"],
        "source_ref": fields["source_ref"],
        "idempotency_key": fields["idempotency_key"],
        "reverses": fields["reverses_id"],
        "advance": bool(fields["is_advance"]),
        "rate": fields["conversion_rate"],
        "postings": [
            [line_no, account, currency, str(amount), category, memo]
            for line_no, account, currency, amount, category, memo in sorted(fields["postings"])
        ],
    }
    if fields.get("approved_by_id") is not None:
        document["approved_by"] = fields["approved_by_id"]
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
