"""Server-side records of signed-in browser sessions.

Flask keeps the session in a signed cookie, which stays valid after sign-out if
someone copied it.  Each sign-in therefore gets a random id, kept in the cookie
and (hashed) here; a session is live only while its row is, so signing out,
changing the password or resetting two-factor ends it for good.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ledger.access.models import User, UserSession
from ledger.platform.database import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start_session(session: Session, user: User, *, max_age: timedelta) -> str:
    """Record a new session for ``user``; return its id for the cookie.  Purges old rows."""
    now = utcnow()
    session.execute(
        delete(UserSession).where(
            or_(UserSession.created_at < now - max_age, UserSession.ended_at < now - timedelta(days=1))
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=_digest(token), created_at=now))
    session.flush()
    return token


def session_is_live(session: Session, user_id: int, token: object, *, max_age: timedelta) -> bool:
    if not isinstance(token, str) or not token or len(token) > 100:
        return False
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
    return (
        row is not None
        and row.user_id == user_id
        and row.ended_at is None
        and row.created_at >= utcnow() - max_age
    )


def end_session(session: Session, token: object) -> None:
    if isinstance(token, str) and token:
        session.execute(
            update(UserSession).where(UserSession.token_hash == _digest(token)).values(ended_at=utcnow())
        )


def end_other_sessions(session: Session, user: User, *, keep: object = None) -> None:
    """End every live session of ``user`` except ``keep`` (the one making the change)."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if isinstance(keep, str) and keep:
        query = query.where(UserSession.token_hash != _digest(keep))
    session.execute(query.values(ended_at=utcnow()))
