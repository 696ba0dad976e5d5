"""API: the signed checkpoints (shared/API.md, "Signed checkpoints"); public."""

from __future__ import annotations

from ledger.api import bp
from ledger.api.errors import ApiError
from ledger.api.parsing import page_args
from ledger.checkpoints.seal import checkpoint_json, checkpoints_page, latest_checkpoint, public_keys
from ledger.extensions import db


def public_keys_json() -> list[dict]:
    return [
        {
            "key_id": key,
            "public_key": public,
            "first_checkpoint": first,
            "last_checkpoint": last,
            "first_used": first_at.isoformat() + "Z",
            "last_used": last_at.isoformat() + "Z",
        }
        for key, public, first, last, first_at, last_at in public_keys(db.session)
    ]


@bp.get("/checkpoints")
def list_checkpoints():
    """Every checkpoint, newest first, with the keys that signed them."""
    page, per_page = page_args(100)
    items, total = checkpoints_page(db.session, page=page, per_page=per_page)
    return {
        "checkpoints": [checkpoint_json(item) for item in items],
        "public_keys": public_keys_json(),
        "page": page,
        "per_page": per_page,
        "total": total,
    }


@bp.get("/checkpoints/latest")
def latest_checkpoint_view():
    checkpoint = latest_checkpoint(db.session)
    if checkpoint is None:
        raise ApiError(404, "no_checkpoint")
    return checkpoint_json(checkpoint)
