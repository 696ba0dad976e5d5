#!/usr/bin/env python3
"""Recompute the hash chain of a downloaded journal (JSON lines) and check it against the signed checkpoints.

Standalone: needs only Python 3.9+ and, to check signatures, the ``cryptography`` package
(``pip install cryptography``); not the application.  Usage:

    python3 verify_export.py journal.jsonl                       # chain only
    python3 verify_export.py journal.jsonl --head HASH --entries N
    python3 verify_export.py journal.jsonl --checkpoints checkpoints.json [--public-key KEY]
    python3 verify_export.py journal.jsonl --url https://ledger.example.org/
    python3 verify_export.py journal.jsonl --url https://ledger.example.org/ --entry 57

The public open books (``GET /open-books.jsonl``) are checked too: every release's signature,
that its lines are exactly the ones it signed (so no published line was changed or removed
since), that no release is missing, and each fund's arithmetic (opening + gifts + listed
entries = closing); see docs/verifying.md.

``--checkpoints`` takes the answer of ``GET /api/v1/checkpoints`` (or a list of
checkpoints, or one); ``--url`` downloads every checkpoint from the ledger.  Every
checkpoint is checked: its Ed25519 signature over its own canonical JSON, that entry
number ``entry_count`` has the signed ``head_hash``, and that the balances recomputed
from the file up to it give the signed ``balances_digest``.  A file that ends before a
checkpoint's last entry misses entries that checkpoint covers: it fails.  A failure names
the checkpoint it breaks; ``--entry N`` says which checkpoint seals entry N.  With
``--public-key`` (the key you trust, repeatable) a checkpoint must be signed by a trusted
key or by one the previous key endorsed on rotation.

Each line is one entry's canonical document plus ``prev_hash`` and ``hash``; for every
line this checks that ``prev_hash`` is the previous line's hash (the first one is 64
zeros), that entry ids run 1, 2, 3 …, that each entry's postings sum to zero per
currency, and that ``sha256(prev_hash + canonical JSON)`` equals ``hash``.  The
canonical JSON is the document without ``prev_hash`` and ``hash``, keys sorted, no
whitespace, UTF-8 (see docs/verifying.md).  Exit status 0 when everything matches.
"""

from __future__ import annotations

import argparse
import base64
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


class Journal:
    """What the checkpoints are checked against: each entry's hash, and the balances after
    each checkpoint's last entry."""

    def __init__(self, wanted_counts=()) -> None:
        self.hashes: list[str] = []
        self.wanted = set(wanted_counts)
        self.balances_at: dict[int, dict] = {}
        self._running: dict[tuple[str, str], int] = {}
        if 0 in self.wanted:
            self.balances_at[0] = {}

    def add(self, document: dict) -> None:
        self.hashes.append(document.get("hash", ""))
        for _line, account, currency, amount, _category, _memo in document.get("postings", []):
            key = (account, currency)
            self._running[key] = self._running.get(key, 0) + int(amount)
        if len(self.hashes) in self.wanted:
            self.balances_at[len(self.hashes)] = dict(self._running)

    def hash_at(self, count: int) -> str | None:
        if count == 0:
            return GENESIS_HASH
        return self.hashes[count - 1] if count <= len(self.hashes) else None


def balances_digest(running: dict) -> str:
    """As ledger/checkpoints/seal.py: sha256 of {account: {currency: "minor"}}, non-zero only."""
    document: dict = {}
    for (account, currency), minor in running.items():
        if minor:
            document.setdefault(account, {})[currency] = str(minor)
    payload = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def signed_bytes(checkpoint: dict, *leave_out: str) -> bytes:
    """API.md: the checkpoint without ``signature``, keys sorted, no whitespace, UTF-8."""
    body = {k: v for k, v in checkpoint.items() if k not in {"signature", *leave_out}}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature_valid(public_b64: str, payload: bytes, signature_b64: str) -> bool:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:  # pragma: no cover - the app's own environment has it
        raise SystemExit(
            "checking signatures needs the cryptography package: pip install cryptography"
        ) from None
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), payload)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def describe(checkpoint: dict) -> str:
    return (
        f"checkpoint #{checkpoint.get('sequence')} of {checkpoint.get('created_at')} "
        f"(entries 1–{checkpoint.get('entry_count')}, head {str(checkpoint.get('head_hash'))[:12]}…)"
    )


def sealing(checkpoints: list[dict], entry_id: int) -> dict | None:
    """The first checkpoint that covers entry ``entry_id``."""
    for checkpoint in checkpoints:
        if int(checkpoint.get("entry_count", -1)) >= entry_id:
            return checkpoint
    return None


def cut_short(covered: int, ends_at: int) -> str:
    """Why a full journal that ends before a signed checkpoint's last entry fails: the
    checkpoint is the ledger's signed word that those entries exist, so a journal without
    them is missing something (cut off, or downloaded before the checkpoint: download it
    again, or check it against the checkpoints of its own time)."""
    missing = f"entry {covered}" if covered == ends_at + 1 else f"entries {ends_at + 1}–{covered}"
    return f"it signs entries 1–{covered}, the file ends at entry {ends_at}: {missing} it covers are missing"


def check_checkpoints(
    checkpoints: list[dict], journal: Journal, trusted: set[str]
) -> tuple[list[str], list[str]]:
    """(problems, notes) for every checkpoint, oldest first."""
    problems: list[str] = []
    notes: list[str] = []
    previous_key = None
    last_count = 0
    for checkpoint in checkpoints:
        try:
            count = int(checkpoint["entry_count"])
            head = checkpoint["head_hash"]
            public = checkpoint["public_key"]
            signature = checkpoint["signature"]
        except (KeyError, TypeError, ValueError):
            problems.append(f"{describe(checkpoint)} is unreadable (a field is missing)")
            continue
        broken = []
        if not signature_valid(public, signed_bytes(checkpoint), signature):
            broken.append("its signature does not verify with its public key")
        endorsed_by = checkpoint.get("previous_public_key")
        if endorsed_by is not None and not signature_valid(
            endorsed_by,
            signed_bytes(checkpoint, "previous_key_signature"),
            checkpoint.get("previous_key_signature", ""),
        ):
            broken.append("the previous key's endorsement of the new key does not verify")
        if trusted:
            if public not in trusted and not (
                endorsed_by is not None and endorsed_by == previous_key and previous_key in trusted
            ):
                broken.append("it is signed by a key you do not trust and no trusted key endorsed")
            elif not broken:
                trusted.add(public)
        if count < last_count:
            broken.append("it covers fewer entries than the checkpoint before it")
        stored = journal.hash_at(count)
        if stored is None:
            broken.append(cut_short(count, len(journal.hashes)))
        elif stored != head:
            broken.append(
                f"entry {count} in the file has hash {stored[:12]}…, the checkpoint signed {head[:12]}…: "
                "an entry it seals was changed, removed or inserted"
            )
        elif count in journal.balances_at and balances_digest(journal.balances_at[count]) != checkpoint.get(
            "balances_digest"
        ):
            broken.append("the balances recomputed from the file differ from the signed digest")
        for why in broken:
            problems.append(f"{describe(checkpoint)} is broken: {why}")
        previous_key = public
        last_count = max(last_count, count)
    return problems, notes


def load_checkpoints(text: str) -> list[dict]:
    text = text.strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        data = [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(data, dict):
        data = data.get("checkpoints", [data]) if "signature" not in data else [data]
    return sorted(data, key=lambda c: int(c.get("sequence", 0)))


def fetch_checkpoints(url: str) -> list[dict]:
    result: list[dict] = []
    page = 1
    while True:
        address = url.rstrip("/") + f"/api/v1/checkpoints?page={page}&per_page=500"
        with urllib.request.urlopen(address, timeout=30) as response:  # noqa: S310 (the auditor's own URL)
            body = json.load(response)
        result += body["checkpoints"]
        if page * body["per_page"] >= body["total"]:
            return sorted(result, key=lambda c: int(c["sequence"]))
        page += 1


def verify_lines(lines, journal: Journal | None = None) -> tuple[list[str], int, str]:
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
            if journal is not None:
                journal.add({})
            continue
        count += 1
        if journal is not None:
            journal.add(document)
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


# -- the public open books (GET /open-books.jsonl) ----------------------------------------


def _minor(amount: str) -> int:
    """``"-12.50"`` as signed minor units of its own precision (the line's currency)."""
    sign = -1 if amount.startswith("-") else 1
    whole, _, fraction = amount.lstrip("-").partition(".")
    return sign * int(whole + fraction)


def _place(document: dict) -> tuple:
    return (document.get("place"), document.get("prisoner"))


def verify_open_books(lines, checkpoints: list[dict], trusted: set[str]) -> tuple[list[str], str]:
    """Check the open books release by release: each release's checkpoint signature, that
    its lines are exactly those it signed (their sha256 is the checkpoint's
    ``release.digest``, so no published line was changed or removed later), that releases
    follow one another with none missing, and the arithmetic of every fund's figures
    (opening + gifts + the listed entries = closing).  With ``checkpoints`` (the ledger's
    own list), the file must hold every release they sign."""
    problems: list[str] = []
    releases: list[tuple[dict, list[str]]] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\n")
        if not text.strip():
            continue
        try:
            document = json.loads(text)
        except ValueError:
            problems.append(f"line {number}: not JSON")
            continue
        kind = document.get("type")
        if kind == "open_books":
            continue
        if kind == "release":
            releases.append((document.get("checkpoint") or {}, []))
        elif releases:
            releases[-1][1].append(text)
        else:
            problems.append(f"line {number}: a {kind} line before any release")
    general_closing: dict[str, int] = {}
    previous_sequence = None
    line_total = 0
    for checkpoint, release_lines in releases:
        name = describe(checkpoint)
        signed = checkpoint.get("release") or {}
        if not signature_valid(
            str(checkpoint.get("public_key")), signed_bytes(checkpoint), str(checkpoint.get("signature"))
        ):
            problems.append(f"{name}: the signature does not verify")
        elif trusted and checkpoint.get("public_key") not in trusted:
            problems.append(f"{name}: signed by a key you do not trust")
        sequence = checkpoint.get("sequence")
        if previous_sequence is not None and sequence != previous_sequence + 1:
            problems.append(f"{name}: follows release #{previous_sequence}; a release is missing")
        previous_sequence = sequence
        digest = hashlib.sha256("".join(line + "\n" for line in release_lines).encode("utf-8")).hexdigest()
        if digest != signed.get("digest") or len(release_lines) != signed.get("lines"):
            problems.append(
                f"{name}: its lines are not those it signed ({len(release_lines)} lines, "
                f"{signed.get('lines')} signed): a published line was changed, added or removed"
            )
            continue
        line_total += len(release_lines)
        moved: dict[tuple, int] = {}
        figures = []
        for text in release_lines:
            document = json.loads(text)
            if document.get("release") != sequence:
                problems.append(f"{name}: a line says it belongs to release {document.get('release')}")
            if document.get("type") == "entry":
                for posting in document.get("postings", []):
                    key = (*_place(posting), posting["money"]["currency"])
                    moved[key] = moved.get(key, 0) + _minor(posting["money"]["amount"])
            elif document.get("type") == "figures":
                figures.append(document)
        for figure in figures:
            key = (*_place(figure), figure["currency"])
            opening, gifts, closing = (_minor(figure[k]) for k in ("opening", "gifts", "closing"))
            if opening + gifts + moved.get(key, 0) != closing:
                problems.append(
                    f"{name}: {figure.get('prisoner') or figure.get('place')} {figure['currency']}: "
                    f"opening {figure['opening']} + gifts {figure['gifts']} + the listed entries "
                    f"is not the closing {figure['closing']}"
                )
            if figure.get("place") == "general_fund":
                before = general_closing.get(figure["currency"], 0)
                if opening != before:
                    problems.append(
                        f"{name}: the general fund's {figure['currency']} opening {figure['opening']} "
                        f"is not the closing of the release before"
                    )
                general_closing[figure["currency"]] = closing
    in_file = {c.get("sequence") for c, _lines in releases}
    for listed in checkpoints:
        if "release" in listed and listed.get("sequence") not in in_file:
            if not releases or listed.get("sequence", 0) <= max(in_file):
                problems.append(f"{describe(listed)}: its release is not in the file")
        for checkpoint, _lines in releases:
            if checkpoint.get("sequence") == listed.get("sequence") and checkpoint != listed:
                problems.append(f"{describe(listed)}: the file's copy differs from the ledger's")
    summary = f"{len(releases)} release(s), {line_total} published lines, signatures, digests and arithmetic verified"
    return problems, summary


def _is_open_books(path: str) -> bool:
    with open(path, encoding="utf-8") as handle:
        first = handle.readline()
    try:
        return json.loads(first).get("type") == "open_books"
    except (ValueError, AttributeError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="the downloaded journal, JSON lines")
    parser.add_argument("--head", help="a head hash you recorded (the file must end there)")
    parser.add_argument("--entries", type=int, help="the number of entries of that head")
    parser.add_argument("--checkpoints", help="a file with the signed checkpoints (GET /api/v1/checkpoints)")
    parser.add_argument("--url", help="the ledger's address; downloads its signed checkpoints")
    parser.add_argument("--public-key", action="append", default=[], help="a checkpoint key you trust")
    parser.add_argument("--entry", type=int, help="say which checkpoint seals this entry")
    args = parser.parse_args(argv)

    checkpoints: list[dict] = []
    if args.checkpoints:
        with open(args.checkpoints, encoding="utf-8") as handle:
            checkpoints = load_checkpoints(handle.read())
    if args.url:
        checkpoints = fetch_checkpoints(args.url)
    if _is_open_books(args.file):
        with open(args.file, encoding="utf-8") as handle:
            problems, summary = verify_open_books(handle, checkpoints, set(args.public_key))
        if problems:
            print("FAILED:", file=sys.stderr)
            for problem in problems:
                print("  " + problem, file=sys.stderr)
            return 1
        print(f"OK: open books, {summary}")
        return 0
    journal = Journal(int(c.get("entry_count", -1)) for c in checkpoints)
    with open(args.file, encoding="utf-8") as handle:
        problems, count, last = verify_lines(handle, journal)
    # An entry that was changed names the checkpoint that seals it.
    for index, problem in enumerate(problems):
        words = problem.split()
        if len(words) > 3 and words[2] == "entry" and words[3].isdigit():
            sealed_by = sealing(checkpoints, int(words[3]))
            if sealed_by is not None:
                problems[index] = f"{problem}; it is sealed by {describe(sealed_by)}"
    checkpoint_problems, notes = check_checkpoints(checkpoints, journal, set(args.public_key))
    problems += checkpoint_problems
    if args.entries is not None and args.entries != count:
        problems.append(f"the file has {count} entries; the ledger publishes {args.entries}")
    if args.head is not None and args.head != last:
        problems.append(f"the file ends at hash {last}; the ledger publishes {args.head}")
    for note in notes:
        print("Note: " + note)
    if args.entry is not None:
        sealed_by = sealing(checkpoints, args.entry)
        if sealed_by is None:
            print(f"Entry {args.entry} is not sealed by any checkpoint yet.")
        else:
            print(f"Entry {args.entry} is sealed by {describe(sealed_by)}.")
    if problems:
        print("FAILED:", file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    covered = [c for c in checkpoints if journal.hash_at(int(c["entry_count"])) is not None]
    sealed = f", {len(covered)} signed checkpoint(s) verified" if checkpoints else ""
    print(f"OK: {count} entries, chain intact{sealed}, head {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
