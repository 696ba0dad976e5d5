"""Login throttling: temporary lockout after repeated failures, per account and per client.

Kept in the database so every gunicorn worker sees the same counts.  Neither the
email nor the client address is stored: each is an HMAC under the app's secret,
usable only to count attempts.  Rows older than a day are purged as we go.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ledger.access.models import LoginAttempt
from ledger.platform.database import utcnow

KEEP_FOR = timedelta(days=1)


@dataclass(frozen=True)
class ThrottlePolicy:
    window_seconds: int = 15 * 60
    max_failures_per_account: int = 5
    max_failures_per_client: int = 20


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value``; ``purpose`` keeps account and client hashes apart."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def account_key(secret: str, email: str) -> str:
    return keyed_hash(secret, "account", (email or "").strip().lower())


def client_key(secret: str, address: str | None) -> str:
    return keyed_hash(secret, "client", address or "unknown")


def _failures_since(
    session: Session, column: InstrumentedAttribute[str], key: str, since: datetime
) -> tuple[int, datetime | None]:
    count, latest = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
            column == key, LoginAttempt.at >= since
        )
    ).one()
    return count or 0, latest


def locked_until(
    session: Session, policy: ThrottlePolicy, account: str, client: str, *, now: datetime | None = None
) -> datetime | None:
    """When sign-in opens again for this account or client, or None if it is open now.

    The lock lasts one window from the latest failure.  While locked, attempts are
    refused without checking the password and are not counted, so the lock ends.
    """
    now = now or utcnow()
    since = now - timedelta(seconds=policy.window_seconds)
    until = None
    for column, key, limit in (
        (LoginAttempt.account_key, account, policy.max_failures_per_account),
        (LoginAttempt.client_key, client, policy.max_failures_per_client),
    ):
        count, latest = _failures_since(session, column, key, since)
        if count >= limit and latest is not None:
            candidate = latest + timedelta(seconds=policy.window_seconds)
            until = candidate if until is None else max(until, candidate)
    return until


def record_failure(
    session: Session, policy: ThrottlePolicy, account: str, client: str, *, now: datetime | None = None
) -> bool:
    """Count a failed sign-in; return True if this failure locks the account or client."""
    now = now or utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_FOR))
    was_locked = locked_until(session, policy, account, client, now=now) is not None
    session.add(LoginAttempt(at=now, account_key=account, client_key=client))
    session.flush()
    return not was_locked and locked_until(session, policy, account, client, now=now) is not None


def clear_failures(session: Session, account: str) -> None:
    """A successful sign-in forgets the account's failures (the client's stay counted)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.account_key == account))
