"""Signed checkpoints as API.md defines them: the signature verifies with `cryptography`
from the checkpoint's own JSON; the key is made once in instance/ (0600) or taken from
LEDGER_SIGNING_KEY; rotation keeps old checkpoints verifiable."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.checkpoints.schedule import checkpoint_due, set_schedule
from ledger.checkpoints.seal import create_checkpoint
from ledger.checkpoints.signing import SigningKeyError, load_signing_key, rotate_signing_key
from ledger.checkpoints.verify import verify_everything
from tests.helpers import seal


def verify_as_api_md_says(checkpoint: dict) -> None:
    """Exactly the recipe of shared/API.md, with nothing of ours."""
    body = {key: value for key, value in checkpoint.items() if key != "signature"}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint["public_key"], validate=True))
    public.verify(base64.b64decode(checkpoint["signature"], validate=True), payload)  # raises if wrong


def test_latest_checkpoint_verifies_from_its_own_json(client, session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    create_donation(prisoner, "12.50")
    session.commit()
    assert client.get("/api/v1/checkpoints/latest").status_code == 404
    seal(session)
    checkpoint = client.get("/api/v1/checkpoints/latest").get_json()
    assert {"sequence", "entry_count", "head_hash", "created_at", "public_key", "signature"} <= set(
        checkpoint
    )
    assert checkpoint["sequence"] == 1
    assert checkpoint["entry_count"] == 1
    assert len(base64.b64decode(checkpoint["public_key"])) == 32
    assert len(base64.b64decode(checkpoint["signature"])) == 64
    assert checkpoint["signature"].endswith("==")  # standard alphabet, with padding
    verify_as_api_md_says(checkpoint)
    listed = client.get("/api/v1/checkpoints").get_json()
    assert listed["total"] == 1
    assert listed["checkpoints"][0] == checkpoint
    assert listed["public_keys"][0]["public_key"] == checkpoint["public_key"]

    forged = dict(checkpoint, entry_count=2)
    with pytest.raises(InvalidSignature):
        verify_as_api_md_says(forged)


def test_the_key_is_made_once_in_the_instance_folder_readable_by_the_owner_only(app, session):
    path = Path(app.instance_path) / "ledger_signing_key"
    assert not path.exists()
    first = seal(session)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second = seal(session)
    assert first.public_key == second.public_key
    with pytest.raises(SigningKeyError):
        load_signing_key(str(path.parent / "elsewhere"), None, create=False)


def test_a_key_from_the_environment_is_used_and_never_written(app, session):
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    app.config["LEDGER_SIGNING_KEY"] = base64.b64encode(seed).decode()
    checkpoint = seal(session)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert checkpoint.public_key == base64.b64encode(raw).decode()
    assert not (Path(app.instance_path) / "ledger_signing_key").exists()
    with pytest.raises(SigningKeyError) as refused:
        load_signing_key(app.instance_path, "not a key")
    assert refused.value.code == "signing_key_unreadable"


def test_rotation_keeps_old_checkpoints_verifiable_and_the_old_key_endorses_the_new(
    app, client, session, create_prisoner, create_donation
):
    prisoner = create_prisoner()
    create_donation(prisoner, "10.00")
    session.commit()
    old_checkpoint = seal(session)
    old, new = rotate_signing_key(app.instance_path, None)
    create_donation(prisoner, "5.00")
    rotated = create_checkpoint(session, new, previous_key=old)
    session.commit()
    assert rotated.public_key != old_checkpoint.public_key
    assert list(Path(app.instance_path).glob("ledger_signing_key.retired-*"))
    published = client.get("/api/v1/checkpoints").get_json()
    for checkpoint in published["checkpoints"]:
        verify_as_api_md_says(checkpoint)
    newest = published["checkpoints"][0]
    assert newest["previous_public_key"] == old_checkpoint.public_key
    endorsed = {k: v for k, v in newest.items() if k not in ("signature", "previous_key_signature")}
    Ed25519PublicKey.from_public_bytes(base64.b64decode(newest["previous_public_key"])).verify(
        base64.b64decode(newest["previous_key_signature"]),
        json.dumps(endorsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
    )
    assert [k["key_id"] for k in published["public_keys"]] == [old_checkpoint.key_id, rotated.key_id]
    assert verify_everything(session).ok
    with pytest.raises(SigningKeyError):
        rotate_signing_key(app.instance_path, "from-the-environment")


def test_the_schedule_is_daily_by_default_and_admins_may_choose(session):
    from datetime import datetime

    assert checkpoint_due(session, datetime(2026, 12, 1, 9))
    seal(session, now=datetime(2026, 12, 1, 0, 0, 5))
    assert not checkpoint_due(session, datetime(2026, 12, 1, 23, 59))
    assert checkpoint_due(session, datetime(2026, 12, 2, 0, 0, 1))
    set_schedule(session, "monthly")
    assert not checkpoint_due(session, datetime(2026, 12, 31, 23))
    assert checkpoint_due(session, datetime(2027, 1, 1, 0, 1))
    set_schedule(session, "weekly")
    assert not checkpoint_due(session, datetime(2026, 12, 6, 12))  # Sunday of the same ISO week
    assert checkpoint_due(session, datetime(2026, 12, 7, 0, 1))
    from ledger.books.errors import InvalidEntry

    with pytest.raises(InvalidEntry):
        set_schedule(session, "hourly")


def test_checkpoints_are_append_only(app, session, create_prisoner, create_donation):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    create_donation(create_prisoner(), "10.00")
    seal(session)
    for statement in (
        "UPDATE checkpoint_balances SET balance_minor = 1",
        "UPDATE checkpoints SET entry_count = 5",
        "DELETE FROM checkpoints",
        "DELETE FROM checkpoint_balances",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
