"""TOTP two-factor authentication (RFC 6238) and one-time recovery codes.

Plain Python over a SQLAlchemy session: the caller passes the instance's
two-factor key (``TWO_FACTOR_KEY``) and commits.  Secrets are stored encrypted
(Fernet, AES-128-CBC + HMAC-SHA256); recovery codes only as SHA-256 digests.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.access.models import RecoveryCode, TwoFactorCredential, User
from ledger.access.sessions import end_other_sessions
from ledger.platform.database import utcnow

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_STEP_SECONDS = 30


def _fernet(key: str) -> Fernet:
    # Any long random string from the instance folder or the environment becomes a Fernet key.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode("utf-8")).digest()))


def encrypt_secret(key: str, secret: str) -> str:
    return _fernet(key).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(key: str, token: str) -> str:
    try:
        return _fernet(key).decrypt(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:  # the key changed: the user must enrol again
        raise ValueError("two-factor key does not open this secret") from error


def credential_for(session: Session, user: User) -> TwoFactorCredential | None:
    return session.get(TwoFactorCredential, user.id)


def is_enrolled(session: Session, user: User) -> bool:
    credential = credential_for(session, user)
    return credential is not None and credential.confirmed_at is not None


def begin_enrolment(session: Session, user: User, key: str) -> str:
    """Start (or restart) enrolment with a fresh secret; return the secret to show.

    Refused for an enrolled user: they must reset first, so a hijacked session cannot
    silently replace the owner's authenticator.
    """
    credential = credential_for(session, user)
    if credential is not None and credential.confirmed_at is not None:
        raise ValueError("already enrolled")
    secret = pyotp.random_base32()
    if credential is None:
        credential = TwoFactorCredential(user_id=user.id, secret_encrypted="")
        session.add(credential)
    credential.secret_encrypted = encrypt_secret(key, secret)
    credential.created_at = utcnow()
    credential.last_used_step = None
    session.flush()
    return secret


def pending_secret(session: Session, user: User, key: str) -> str | None:
    """The secret of an enrolment in progress, to show again (the QR code, a reload)."""
    credential = credential_for(session, user)
    if credential is None or credential.confirmed_at is not None:
        return None
    return decrypt_secret(key, credential.secret_encrypted)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI that authenticator apps read from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def _matching_step(
    secret: str, code: str, last_used_step: int | None, now: float | None = None
) -> int | None:
    """The time step (±1 for clock drift) whose code equals ``code``, unless already used."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // _STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if secrets.compare_digest(totp.at(step * _STEP_SECONDS), code):
            return step
    return None


def confirm_enrolment(session: Session, user: User, key: str, code: str) -> list[str] | None:
    """Finish enrolment with a code from the app; return fresh recovery codes, or None
    if the code is wrong.  The codes are shown once and stored hashed."""
    credential = credential_for(session, user)
    if credential is None or credential.confirmed_at is not None:
        return None
    step = _matching_step(decrypt_secret(key, credential.secret_encrypted), code, None)
    if step is None:
        return None
    credential.confirmed_at = utcnow()
    credential.last_used_step = step
    codes = replace_recovery_codes(session, user)
    record_audit(session, "2fa.enrolled", user=user, target=f"user:{user.id}")
    return codes


def _recovery_digest(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _new_recovery_code() -> str:
    # 16 characters from 31 symbols: ~79 bits, so a fast hash is enough to store it.
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def replace_recovery_codes(session: Session, user: User) -> list[str]:
    """Invalidate the user's recovery codes and return ten new ones (shown once)."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    session.flush()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(code)) for code in codes)
    session.flush()
    return codes


def remaining_recovery_codes(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def verify_second_factor(
    session: Session, user: User, key: str, code: str, *, now: float | None = None
) -> str | None:
    """Check a TOTP code or an unused recovery code for an enrolled user.

    Returns ``"totp"`` or ``"recovery"`` on success (the code is then spent), else None.
    """
    credential = credential_for(session, user)
    if credential is None or credential.confirmed_at is None or not code:
        return None
    step = _matching_step(
        decrypt_secret(key, credential.secret_encrypted), code, credential.last_used_step, now
    )
    if step is not None:
        credential.last_used_step = step
        return "totp"
    if len(code) > 64:
        return None
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return None
    recovery.used_at = utcnow()
    record_audit(session, "2fa.recovery_code_used", user=user, target=f"user:{user.id}")
    return "recovery"


def reset_two_factor(session: Session, user: User, *, actor: User | None = None) -> None:
    """Remove the user's TOTP secret and recovery codes (a lost phone); an admin's act."""
    credential = credential_for(session, user)
    if credential is not None:
        session.delete(credential)
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    session.flush()
    end_other_sessions(session, user)  # signed-in sessions must pass the new second factor
    record_audit(session, "2fa.reset", user=actor or user, target=f"user:{user.id}")


def current_code(secret: str, *, step_offset: int = 0) -> str:
    """The code an authenticator shows now (for tests and the CLI)."""
    return pyotp.TOTP(secret).at(time.time() + step_offset * _STEP_SECONDS)
