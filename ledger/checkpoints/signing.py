"""The organisation's Ed25519 signing key, and signing or checking a checkpoint document.

The key comes from ``LEDGER_SIGNING_KEY`` (a PEM private key, or the 32-byte seed in
base64) or from ``instance/ledger_signing_key`` (PEM, mode 0600, created on first use).
It never goes into git, the database or a backup.  Rotating keeps the old key's public
half in every checkpoint it signed, so old checkpoints stay verifiable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "ledger_signing_key"


class SigningKeyError(Exception):
    """The configured key cannot be used; ``code`` is a message code."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def canonical_bytes(document: dict[str, object]) -> bytes:
    """What a signature covers: the document without ``signature``, as API.md defines."""
    body = {key: value for key, value in document.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_id(public_b64: str) -> str:
    """A short name for a public key: the first 16 hex digits of sha256 of its 32 bytes."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    return base64.b64encode(key.sign(payload)).decode("ascii")


def signature_valid(public_b64: str, payload: bytes, signature_b64: str) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), payload)
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True


def _key_from_text(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error):
        raise SigningKeyError("signing_key_unreadable") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError("signing_key_unreadable")
    return key


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def key_path(instance_path: str) -> Path:
    return Path(instance_path) / KEY_FILE


def load_signing_key(instance_path: str, env_value: str | None, *, create: bool = True) -> Ed25519PrivateKey:
    """The key from the environment, else the instance file (created when ``create``)."""
    if env_value:
        return _key_from_text(env_value)
    path = key_path(instance_path)
    if not path.exists():
        if not create:
            raise SigningKeyError("signing_key_missing")
        _write_private(path, Ed25519PrivateKey.generate())
    return _key_from_text(path.read_text())


def rotate_signing_key(
    instance_path: str, env_value: str | None
) -> tuple[Ed25519PrivateKey, Ed25519PrivateKey]:
    """Replace the instance key by a new one; the old file is kept as ``…retired-<key id>``
    (mode 0600) until an admin deletes it.  Returns (old, new)."""
    if env_value:
        raise SigningKeyError("signing_key_from_environment")
    old = load_signing_key(instance_path, None)
    path = key_path(instance_path)
    retired = path.with_name(f"{KEY_FILE}.retired-{key_id(public_key_b64(old))}")
    os.replace(path, retired)
    new = Ed25519PrivateKey.generate()
    _write_private(path, new)
    return old, new
