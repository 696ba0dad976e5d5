"""Checking the checkpoints against the journal: ``ledger verify`` runs this after the
chain checks of ``ledger.books.verify``.

For every checkpoint: its signature (and a rotation's endorsement by the previous key),
that the signed fields are the stored ones, that entry number ``entry_count`` still has the
signed head hash, and that the balances recomputed from the postings up to it give the
signed digest (and the stored public balances).  One streaming pass over the postings.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import Result, select
from sqlalchemy.orm import Session

from ledger.books.hashchain import GENESIS_HASH
from ledger.books.models import Account, JournalEntry, Posting
from ledger.books.verify import Problem, VerifyResult, verify_ledger
from ledger.checkpoints.models import Checkpoint, CheckpointBalance
from ledger.checkpoints.seal import balances_digest, endorsement_bytes, sealing_checkpoint
from ledger.checkpoints.signing import canonical_bytes, key_id, signature_valid


def describe(checkpoint: Checkpoint) -> str:
    return (
        f"checkpoint #{checkpoint.sequence} of {checkpoint.created_at:%Y-%m-%d %H:%M} UTC "
        f"(entries 1–{checkpoint.entry_count}, head {checkpoint.head_hash[:12]}…)"
    )


def _broken(checkpoint: Checkpoint, why: str, entry_id: int | None = None) -> Problem:
    return Problem("checkpoint_broken", f"{describe(checkpoint)} is broken: {why}", entry_id)


def _signed_fields(checkpoint: Checkpoint) -> Problem | None:
    try:
        document = json.loads(checkpoint.document)
    except ValueError:
        return _broken(checkpoint, "its stored document is not JSON")
    if canonical_bytes(document) != checkpoint.document.encode("utf-8"):
        return _broken(checkpoint, "its stored document is not in canonical form")
    if not signature_valid(checkpoint.public_key, checkpoint.document.encode("utf-8"), checkpoint.signature):
        return _broken(checkpoint, "the signature does not verify with its public key")
    expected = {
        "sequence": checkpoint.sequence,
        "entry_count": checkpoint.entry_count,
        "head_hash": checkpoint.head_hash,
        "public_key": checkpoint.public_key,
        "key_id": checkpoint.key_id,
        "balances_digest": checkpoint.balances_digest,
    }
    for name, value in expected.items():
        if document.get(name) != value:
            return _broken(checkpoint, f"the stored {name} differs from the signed one")
    if key_id(checkpoint.public_key) != checkpoint.key_id:
        return _broken(checkpoint, "the key id does not belong to the public key")
    previous = document.get("previous_public_key")
    if previous is not None and not signature_valid(
        previous, endorsement_bytes(document), document.get("previous_key_signature", "")
    ):
        return _broken(checkpoint, "the previous key's endorsement does not verify")
    return None


def verify_checkpoints(session: Session) -> list[Problem]:
    checkpoints = list(session.scalars(select(Checkpoint).order_by(Checkpoint.sequence)))
    if not checkpoints:
        return []
    problems: list[Problem] = []
    last_count = 0
    for expected_sequence, checkpoint in enumerate(checkpoints, start=1):
        if checkpoint.sequence != expected_sequence:
            return [
                Problem(
                    "checkpoint_gap",
                    f"expected checkpoint #{expected_sequence}, found #{checkpoint.sequence}",
                )
            ]
        problem = _signed_fields(checkpoint)
        if problem is None and checkpoint.entry_count < last_count:
            problem = _broken(checkpoint, "it covers fewer entries than the checkpoint before it")
        if problem is None:
            stored = (
                session.scalar(select(JournalEntry.hash).where(JournalEntry.id == checkpoint.entry_count))
                if checkpoint.entry_count
                else GENESIS_HASH
            )
            if stored != checkpoint.head_hash:
                found = f"{stored[:12]}…" if stored else "missing"
                problem = _broken(
                    checkpoint,
                    f"entry #{checkpoint.entry_count} is {found}, the checkpoint signed "
                    f"{checkpoint.head_hash[:12]}…: an entry it seals was changed, removed or inserted",
                    checkpoint.entry_count,
                )
        if problem is not None:
            problems.append(problem)
            return problems
        last_count = checkpoint.entry_count
    problems += _check_balances(session, checkpoints)
    return problems


def _check_balances(session: Session, checkpoints: list[Checkpoint]) -> list[Problem]:
    """Stops at the first broken checkpoint; the streamed postings are closed then, so no
    server-side cursor is left open on PostgreSQL."""
    names = dict(session.execute(select(Account.id, Account.name)).all())
    rows = session.execute(
        select(Posting.entry_id, Posting.account_id, Posting.currency, Posting.amount_minor)
        .order_by(Posting.entry_id, Posting.id)
        .execution_options(yield_per=5000)
    )
    try:
        return _compare_balances(session, checkpoints, names, rows)
    finally:
        rows.close()


def _compare_balances(
    session: Session, checkpoints: list[Checkpoint], names: dict[int, str], rows: Result[int, int, str, int]
) -> list[Problem]:
    running: dict[tuple[int, str], int] = defaultdict(int)
    pending = next(rows, None)
    for checkpoint in checkpoints:
        while pending is not None and pending[0] <= checkpoint.entry_count:
            running[(pending[1], pending[2])] += int(pending[3])
            pending = next(rows, None)
        by_name: dict[str, dict[str, int]] = {}
        for (account_id, currency), minor in running.items():
            if minor:
                by_name.setdefault(names[account_id], {})[currency] = minor
        if balances_digest(by_name) != checkpoint.balances_digest:
            return [
                _broken(
                    checkpoint,
                    "the balances recomputed from the postings it seals differ from the signed digest: "
                    "a sealed posting was edited",
                )
            ]
        stored = {
            (account_id, currency): int(minor)
            for account_id, currency, minor in session.execute(
                select(
                    CheckpointBalance.account_id, CheckpointBalance.currency, CheckpointBalance.balance_minor
                ).where(CheckpointBalance.sequence == checkpoint.sequence)
            )
        }
        if stored != {key: minor for key, minor in running.items() if minor}:
            return [
                _broken(checkpoint, "the public balances stored with it differ from the postings it seals")
            ]
    return []


def verify_everything(session: Session) -> VerifyResult:
    """The chain checks, then the checkpoints; a problem at an entry names the checkpoint
    that seals it."""
    result = verify_ledger(session)
    problems: list[Problem] = []
    for problem in result.problems:
        sealing = sealing_checkpoint(session, problem.entry_id) if problem.entry_id is not None else None
        if sealing is not None:
            problem = Problem(
                problem.code, f"{problem.message}; it is sealed by {describe(sealing)}", problem.entry_id
            )
        problems.append(problem)
    problems += verify_checkpoints(session)
    problems += verify_releases(session)
    return VerifyResult(result.entries, result.postings, result.head_hash, problems)


def verify_releases(session: Session) -> list[Problem]:
    """Every release's stored lines still have the digest its checkpoint signed (the open
    books the public downloads are those lines), and the release row agrees."""
    from ledger.checkpoints.models import Release, ReleaseLine
    from ledger.checkpoints.release import release_digest

    problems: list[Problem] = []
    releases = {r.sequence: r for r in session.scalars(select(Release))}
    for checkpoint in session.scalars(select(Checkpoint).order_by(Checkpoint.sequence)):
        signed = json.loads(checkpoint.document).get("release")
        release = releases.get(checkpoint.sequence)
        if signed is None and release is None:
            continue
        if signed is None or release is None:
            problems.append(_broken(checkpoint, "its release is missing or was not signed"))
            continue
        lines = list(
            session.scalars(
                select(ReleaseLine.body)
                .where(ReleaseLine.sequence == checkpoint.sequence)
                .order_by(ReleaseLine.position)
            )
        )
        if release_digest(lines) != signed.get("digest") or release.digest != signed.get("digest"):
            problems.append(
                _broken(checkpoint, "the open books it published were changed since it signed them")
            )
        elif len(lines) != signed.get("lines"):
            problems.append(_broken(checkpoint, "a line of the open books it published is missing"))
    return problems
