#!/usr/bin/env python3
"""Recompute the hash chain of a downloaded journal (JSON lines) and compare its head.

Standalone: needs only Python 3.9+, not the application.  Usage:

    python3 verify_export.py journal.jsonl                       # chain only
    python3 verify_export.py journal.jsonl --head HASH --entries N
    python3 verify_export.py journal.jsonl --url https://ledger.example.org/

Each line is one entry's canonical document plus ``prev_hash`` and ``hash``; for every
line this checks that ``prev_hash`` is the previous line's hash (the first one is 64
zeros), that entry ids run 1, 2, 3 …, that each entry's postings sum to zero per
currency, and that ``sha256(prev_hash + canonical JSON)`` equals ``hash``.  The
canonical JSON is the document without ``prev_hash`` and ``hash``, keys sorted, no
whitespace, UTF-8 (see docs/verifying.md).  Exit status 0 when everything matches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request

GENESIS_HASH = "0" * 64
FIELDS = {
    "id",
    "date",
    "description",
    "recorded_at",
    "recorded_by",
    "source",
    "source_ref",
    "idempotency_key",
    "reverses",
    "advance",
    "rate",
    "postings",
}
# In the document only when present: the second person of a two-person sign-off.
OPTIONAL_FIELDS = {"approved_by"}


def canonical(document: dict) -> bytes:
    """The bytes the ledger hashes for one entry (ledger/books/hashchain.py)."""
    postings = sorted(
        (int(line_no), account, currency, int(amount), category, memo)
        for line_no, account, currency, amount, category, memo in document["postings"]
    )
    body = {key: document[key] for key in FIELDS}
    body.update({key: document[key] for key in OPTIONAL_FIELDS if document.get(key) is not None})
    body["postings"] = [[n, a, c, str(m), cat, memo] for n, a, c, m, cat, memo in postings]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def verify_lines(lines) -> tuple[list[str], int, str]:
    """Problems found, number of entries, and the last hash."""
    problems: list[str] = []
    previous = GENESIS_HASH
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
            missing = (FIELDS | {"hash", "prev_hash"}) - set(document)
            if missing:
                raise ValueError("missing " + ", ".join(sorted(missing)))
            digest = hashlib.sha256(document["prev_hash"].encode("ascii") + canonical(document)).hexdigest()
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            problems.append(f"line {number}: unreadable entry ({error})")
            previous = None
            count += 1
            continue
        count += 1
        if document["id"] != count:
            problems.append(
                f"line {number}: entry id {document['id']}, expected {count} (an entry is missing or extra)"
            )
        if previous is not None and document["prev_hash"] != previous:
            problems.append(
                f"line {number}: entry {document['id']} does not follow the previous entry's hash"
            )
        if digest != document["hash"]:
            problems.append(
                f"line {number}: entry {document['id']} was changed (its hash does not match its content)"
            )
        sums: dict[str, int] = {}
        for _line, _account, currency, amount, _category, _memo in document["postings"]:
            sums[currency] = sums.get(currency, 0) + int(amount)
        if any(sums.values()):
            problems.append(f"line {number}: entry {document['id']} does not balance")
        previous = document["hash"]
    return problems, count, previous or ""


def fetch_head(url: str) -> tuple[int, str]:
    address = url.rstrip("/") + "/api/v1/ledger/head"
    with urllib.request.urlopen(address, timeout=30) as response:  # noqa: S310 (the auditor's own URL)
        head = json.load(response)
    return int(head["entries"]), head["head_hash"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="the downloaded journal, JSON lines")
    parser.add_argument("--head", help="the published head hash")
    parser.add_argument("--entries", type=int, help="the published number of entries")
    parser.add_argument("--url", help="the ledger's address; reads /api/v1/ledger/head from it")
    args = parser.parse_args(argv)

    with open(args.file, encoding="utf-8") as handle:
        problems, count, last = verify_lines(handle)
    expected_count, expected_head = args.entries, args.head
    if args.url:
        expected_count, expected_head = fetch_head(args.url)
    if expected_count is not None and expected_count != count:
        problems.append(f"the file has {count} entries; the ledger publishes {expected_count}")
    if expected_head is not None and expected_head != last:
        problems.append(f"the file ends at hash {last}; the ledger publishes {expected_head}")
    if problems:
        print("FAILED:", file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    print(f"OK: {count} entries, chain intact, head {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
