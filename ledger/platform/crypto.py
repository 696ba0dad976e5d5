"""Donors' emails at rest: Fernet (AES-128-CBC + HMAC-SHA256) under ``DONOR_EMAIL_KEY``.

The key comes from ``LEDGER_DONOR_EMAIL_KEY`` or ``instance/donor_email_key`` (created on
first run), as the two-factor key does (``ledger/access/two_factor.py``), and is kept apart
from ``SECRET_KEY`` and ``TWO_FACTOR_KEY``.  ``create_app`` registers it here; the column
type ``EncryptedText`` then encrypts on write and decrypts on read, so no code path can store
an address in clear.  Without a registered key nothing is written at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

_keys: dict[str, str] = {}


class MissingKey(RuntimeError):
    """No donor email key registered: refuse rather than store an address in clear."""


def register_donor_email_key(key: str) -> None:
    if not key:
        raise MissingKey("DONOR_EMAIL_KEY is empty")
    _keys["donor_email"] = key


def _fernet() -> Fernet:
    key = _keys.get("donor_email")
    if not key:
        raise MissingKey("DONOR_EMAIL_KEY is not registered")
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode("utf-8")).digest()))


def binding(kind: str, *facts: object) -> str:
    """A keyed digest (HMAC-SHA256 under a key derived from the instance's donor email key) of
    facts stored beside the journal that nothing else in the database can vouch for: a
    donation's donor, a receipt's entry, the audit log's chain.  Whoever edits the database
    without the instance's key cannot write a binding that ``ledger verify`` accepts."""
    key = _keys.get("donor_email")
    if not key:
        raise MissingKey("DONOR_EMAIL_KEY is not registered")
    derived = hashlib.sha256(b"ledger-binding\x00" + key.encode("utf-8")).digest()
    message = "\x1f".join([kind, *("" if fact is None else str(fact) for fact in facts)])
    return hmac.new(derived, message.encode("utf-8"), hashlib.sha256).hexdigest()


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str | None:
    """The clear text, or None when the key no longer opens it (a lost or changed key)."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return None


def keyed_fernet(key: bytes, purpose: str, secret: str) -> Fernet:
    """A Fernet whose key is an HMAC of ``purpose`` and ``secret`` under the instance ``key``:
    opening what it encrypted takes both the instance key and the secret (which the caller
    keeps elsewhere, e.g. only in the page that will send it back)."""
    material = hmac.new(key, f"{purpose}:{secret}".encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(material))


class EncryptedText(TypeDecorator[str]):
    """A text column stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt_text(str(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt_text(value)
