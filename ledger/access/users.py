"""Creating users and API tokens, and finding who a bearer token belongs to."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.access.models import ApiToken, User
from ledger.access.passwords import MIN_PASSWORD_LENGTH, check_password, hash_password
from ledger.access.roles import ROLES, Role
from ledger.access.sessions import end_other_sessions
from ledger.platform.database import utcnow

if TYPE_CHECKING:  # books.posting imports access: the protocol is needed only for checking
    from ledger.books.posting import Recorder

TOKEN_PREFIX = "sl_"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AccessError(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def normalise_email(email: str) -> str:
    """A lower-cased address that is really one (RFC 5322 as email-validator reads it, no
    DNS look-up): ``<script>x</script>@example.org`` is not."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise AccessError("invalid_email")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise AccessError("invalid_email") from None
    return email


def create_user(
    session: Session, email: str, password: str, role: str, *, actor: Recorder | None = None
) -> User:
    """Add a user with an Argon2 password hash; the caller commits."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccessError("unknown_role", role=role)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError("password_too_short", min=MIN_PASSWORD_LENGTH)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise AccessError("email_taken")
    user = User(email=email, password_hash=hash_password(password), role=role, active=True)
    session.add(user)
    session.flush()
    record_audit(session, "user.created", user=actor, target=f"user:{user.id}", role=role)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    try:
        email = normalise_email(email)
    except AccessError:
        return None
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        check_password(_dummy_hash(), password)  # same time whether or not the user exists
        return None
    if not user.active or not check_password(user.password_hash, password):
        return None
    return user


def _token_digest(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough; a slow one would cost every request.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str = "cli", *, actor: Recorder | None = None) -> str:
    """Create an API token for ``user``; return the clear token (shown once, never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, name=name[:120], prefix=token[:10], token_hash=_token_digest(token)))
    session.flush()
    record_audit(session, "token.created", user=actor or user, target=f"user:{user.id}", name=name)
    return token


def live_token(session: Session, token: str) -> ApiToken | None:
    """The unrevoked token of an active user matching ``token``, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    api_token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if api_token is None or api_token.revoked_at is not None or not api_token.user.active:
        return None
    return api_token


def note_token_used(session: Session, api_token: ApiToken, *, every_seconds: int = 300) -> bool:
    """Update ``last_used_at`` at most every few minutes (not a write per request).
    Returns True if it changed, so the caller commits."""
    now = utcnow()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() >= every_seconds:
        api_token.last_used_at = now
        return True
    return False


def revoke_token(session: Session, api_token: ApiToken, *, actor: Recorder | None = None) -> None:
    api_token.revoked_at = utcnow()
    record_audit(session, "token.revoked", user=actor, target=f"token:{api_token.id}")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-used-for-timing")


def find_user(session: Session, email: str) -> User | None:
    try:
        email = normalise_email(email)
    except AccessError:
        return None
    return session.scalar(select(User).where(func.lower(User.email) == email))


def _active_admins(session: Session) -> int:
    return (
        session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True))) or 0
    )


def change_role(session: Session, user: User, role: str, *, actor: User | None) -> None:
    """Give ``user`` another role; the last active admin keeps theirs."""
    if role not in ROLES:
        raise AccessError("unknown_role", role=role)
    if role == user.role:
        return
    if user.role == Role.ADMIN and user.active and _active_admins(session) <= 1:
        raise AccessError("last_admin")
    previous, user.role = user.role, role
    session.flush()
    record_audit(
        session, "user.role_changed", user=actor, target=f"user:{user.id}", previous=previous, role=role
    )


def set_active(session: Session, user: User, active: bool, *, actor: User | None) -> None:
    """Deactivate (sign-in and tokens stop working) or reactivate a user."""
    if user.active == active:
        return
    if not active and user.role == Role.ADMIN and _active_admins(session) <= 1:
        raise AccessError("last_admin")
    user.active = active
    if not active:
        end_other_sessions(session, user)
    session.flush()
    record_audit(
        session, "user.activated" if active else "user.deactivated", user=actor, target=f"user:{user.id}"
    )


def live_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace the user's password after checking the current one."""
    if not check_password(user.password_hash, current):
        raise AccessError("wrong_password")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccessError("password_too_short", min=MIN_PASSWORD_LENGTH)
    user.password_hash = hash_password(new)
    session.flush()
    record_audit(session, "user.password_changed", user=user, target=f"user:{user.id}")
