"""A bank statement between its upload and the import: kept only while the preview lives.

The upload is encrypted (Fernet) under a key made from the instance's ``IMPORT_KEY`` and a
random token that only the preview page holds; the table keeps the token's SHA-256 and the
ciphertext, nothing else of the file.  So a copy of the database and of ``instance/`` together
still opens no statement.  The row is deleted when the import is posted or cancelled, and once
``expires_at`` has passed by the next request that touches previews or by the scheduled jobs
(``expire_statement_previews``, called by ``flask pledges update`` and ``flask imports clean``).
Nothing here writes payer names anywhere: no audit event, no log line, no file.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from cryptography.fernet import InvalidToken
from sqlalchemy import CursorResult, Executable, delete, func, select
from sqlalchemy.orm import Session

from ledger.books.posting import Recorder
from ledger.funds.bank_import import StatementError
from ledger.funds.models import StatementPreview
from ledger.platform.crypto import keyed_fernet
from ledger.platform.database import utcnow

PURPOSE = "statement-preview"
DEFAULT_LIFETIME = timedelta(hours=1)


def _run(session: Session, statement: Executable) -> CursorResult[Any]:
    return cast(CursorResult[Any], session.execute(statement))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def keep_statement(
    session: Session,
    data: bytes,
    *,
    key: bytes,
    lifetime: timedelta = DEFAULT_LIFETIME,
    created_by: Recorder | None = None,
    now: datetime | None = None,
) -> str:
    """Keep ``data`` encrypted until ``now + lifetime``; returns the token the preview page
    sends back (the only way to open it again)."""
    now = now or utcnow()
    expire_statement_previews(session, now)
    token = secrets.token_urlsafe(32)
    session.add(
        StatementPreview(
            token_hash=_hash(token),
            ciphertext=keyed_fernet(key, PURPOSE, token).encrypt(data).decode("ascii"),
            created_by_id=getattr(created_by, "id", None),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def _preview(session: Session, token: object, now: datetime) -> StatementPreview | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    preview = session.scalar(select(StatementPreview).where(StatementPreview.token_hash == _hash(token)))
    if preview is None or preview.expires_at <= now:
        return None
    return preview


def open_statement(session: Session, token: object, *, key: bytes, now: datetime | None = None) -> bytes:
    """The statement the preview holds, or StatementError("import_expired") when it was posted,
    cancelled, has expired, or the token is wrong."""
    now = now or utcnow()
    expire_statement_previews(session, now)
    preview = _preview(session, token, now)
    if preview is None:
        raise StatementError("import_expired")
    try:
        return keyed_fernet(key, PURPOSE, str(token)).decrypt(preview.ciphertext.encode("ascii"))
    except InvalidToken:  # the instance's import key changed since the upload
        raise StatementError("import_expired") from None


def drop_statement(session: Session, token: object) -> bool:
    """Delete the preview's statement (posted or cancelled); False when there was none."""
    if not isinstance(token, str):
        return False
    result = _run(
        session,
        delete(StatementPreview)
        .where(StatementPreview.token_hash == _hash(token))
        .execution_options(synchronize_session=False),
    )
    session.flush()
    return bool(result.rowcount)


def expire_statement_previews(session: Session, now: datetime | None = None) -> int:
    """Delete every preview whose time is up; returns how many.  For the scheduled jobs and
    any future worker; the caller commits."""
    now = now or utcnow()
    result = _run(
        session,
        delete(StatementPreview)
        .where(StatementPreview.expires_at <= now)
        .execution_options(synchronize_session=False),
    )
    session.flush()
    return int(result.rowcount or 0)


def remove_statement_files(instance_path: str | Path) -> int:
    """Delete the plain statement files that versions before 0020 left in ``instance/imports``
    (a preview abandoned there stayed for good); returns how many."""
    folder = Path(instance_path) / "imports"
    removed = 0
    if folder.is_dir():
        for path in folder.glob("*.csv"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def previews_waiting(session: Session) -> int:
    """How many statements are held for a preview right now (for the staff's page)."""
    return int(session.scalar(select(func.count(StatementPreview.id))) or 0)
