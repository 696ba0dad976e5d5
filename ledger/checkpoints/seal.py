"""Making, reading and checking signed checkpoints (API.md, "Signed checkpoints").

A checkpoint signs the chain's entry count and head hash, when it was made, the public key
and a digest of every account's balances at that point.  ``create_checkpoint`` takes the
ledger's write lock, so the count, the head and the balances it copies belong together.
It flushes; the caller commits.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from ledger.books.hashchain import GENESIS_HASH
from ledger.books.models import Account, AccountBalance, LedgerHead
from ledger.checkpoints.disclosure import FLOOR, DisclosureRules
from ledger.checkpoints.models import Checkpoint, CheckpointBalance
from ledger.checkpoints.release import prepare_release
from ledger.checkpoints.signing import canonical_bytes, key_id, public_key_b64, sign
from ledger.platform.database import utcnow

FORMAT_VERSION = 1
_head = cast(Table, LedgerHead.__table__)


def balances_digest(balances: dict[str, dict[str, int]]) -> str:
    """sha256 of ``{account: {currency: "minor units"}}`` (non-zero balances only) as
    canonical JSON: keys sorted, no whitespace, UTF-8."""
    document = {
        account: {currency: str(minor) for currency, minor in sorted(by_currency.items()) if minor}
        for account, by_currency in balances.items()
        if any(by_currency.values())
    }
    payload = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def created_at_text(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def _lock_head(session: Session) -> tuple[int, str]:
    row = session.execute(
        update(_head)
        .where(_head.c.id == 1)
        .values(entry_count=_head.c.entry_count)
        .returning(_head.c.entry_count, _head.c.head_hash)
    ).first()
    if row is None:
        session.execute(insert(_head).values(id=1, entry_count=0, head_hash=GENESIS_HASH))
        return 0, GENESIS_HASH
    return int(row[0]), row[1]


def create_checkpoint(
    session: Session,
    key: Ed25519PrivateKey,
    *,
    now: datetime | None = None,
    previous_key: Ed25519PrivateKey | None = None,
    rules: DisclosureRules = FLOOR,
) -> Checkpoint:
    """Sign the ledger as it stands, and make the release the public sees
    (``ledger.checkpoints.release``: its digest is signed with the chain's head).  With
    ``previous_key`` (a rotation), the old key also signs the new checkpoint, so a verifier
    who trusted the old key can trust the new one."""
    entry_count, head_hash = _lock_head(session)
    sequence = (session.scalar(select(func.max(Checkpoint.sequence))) or 0) + 1
    moment = (now or utcnow()).replace(microsecond=0, tzinfo=None)
    release = prepare_release(
        session,
        sequence=sequence,
        entry_count=entry_count,
        released_on=moment.date(),
        receipts_until=moment,
        rules=rules,
    )
    rows = session.execute(
        select(Account.id, Account.name, AccountBalance.currency, AccountBalance.balance_minor)
        .join(Account, Account.id == AccountBalance.account_id)
        .where(AccountBalance.balance_minor != 0)
        .order_by(Account.id, AccountBalance.currency)
    ).all()
    by_name: dict[str, dict[str, int]] = {}
    for _account_id, name, currency, minor in rows:
        by_name.setdefault(name, {})[currency] = int(minor)
    public = public_key_b64(key)
    document: dict[str, object] = {
        "version": FORMAT_VERSION,
        "sequence": sequence,
        "entry_count": entry_count,
        "head_hash": head_hash,
        "created_at": created_at_text(moment),
        "public_key": public,
        "key_id": key_id(public),
        "balances_digest": balances_digest(by_name),
        "release": release.signed_fields(),
    }
    if previous_key is not None and public_key_b64(previous_key) != public:
        document["previous_public_key"] = public_key_b64(previous_key)
        document["previous_key_signature"] = sign(previous_key, endorsement_bytes(document))
    payload = canonical_bytes(document)
    checkpoint = Checkpoint(
        sequence=sequence,
        entry_count=entry_count,
        head_hash=head_hash,
        created_at=moment,
        public_key=public,
        key_id=document["key_id"],
        balances_digest=document["balances_digest"],
        document=payload.decode("utf-8"),
        signature=sign(key, payload),
    )
    session.add(checkpoint)
    session.flush()
    # The head row remembers the latest checkpoint: deleting it is noticed (``ledger verify``).
    session.execute(
        update(_head)
        .where(_head.c.id == 1)
        .values(checkpoint_sequence=sequence, checkpoint_digest=document_digest(checkpoint.document))
    )
    if rows:
        session.execute(
            insert(CheckpointBalance),
            [
                {"sequence": sequence, "account_id": account_id, "currency": currency, "balance_minor": minor}
                for account_id, _name, currency, minor in rows
            ],
        )
    release.store(session)
    return checkpoint


def document_digest(document: str) -> str:
    """The SHA-256 of a checkpoint's signed document, as the ledger's head row keeps it."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def endorsement_bytes(document: dict[str, object]) -> bytes:
    """What the previous key signs on a rotation: the document without either signature."""
    return canonical_bytes({k: v for k, v in document.items() if k != "previous_key_signature"})


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, object]:
    """The checkpoint as published: the signed document plus its ``signature``."""
    document: dict[str, object] = json.loads(checkpoint.document)
    document["signature"] = checkpoint.signature
    return document


def latest_checkpoint(session: Session) -> Checkpoint | None:
    return session.scalar(select(Checkpoint).order_by(Checkpoint.sequence.desc()).limit(1))


def checkpoints_page(session: Session, *, page: int = 1, per_page: int = 50) -> tuple[list[Checkpoint], int]:
    """Newest first, and how many there are."""
    total = session.scalar(select(func.count()).select_from(Checkpoint)) or 0
    items = session.scalars(
        select(Checkpoint).order_by(Checkpoint.sequence.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(items), total


def public_keys(session: Session) -> list[tuple[str, str, int, int, datetime, datetime]]:
    """Every key that signed a checkpoint: (key id, public key, first and last sequence,
    first and last time), oldest first."""
    rows = session.execute(
        select(
            Checkpoint.key_id,
            Checkpoint.public_key,
            func.min(Checkpoint.sequence),
            func.max(Checkpoint.sequence),
            func.min(Checkpoint.created_at),
            func.max(Checkpoint.created_at),
        )
        .group_by(Checkpoint.key_id, Checkpoint.public_key)
        .order_by(func.min(Checkpoint.sequence))
    )
    return cast(list[tuple[str, str, int, int, datetime, datetime]], [tuple(row) for row in rows])


def sealing_checkpoint(session: Session, entry_id: int) -> Checkpoint | None:
    """The first checkpoint that covers entry ``entry_id`` (None: not sealed yet)."""
    return session.scalar(
        select(Checkpoint).where(Checkpoint.entry_count >= entry_id).order_by(Checkpoint.sequence).limit(1)
    )
