"""``Idempotency-Key`` for API writes (shared/API.md).

The same key with the same body (compared as parsed JSON) returns the first answer and records nothing
new; the same key with another body is a 409.  Write views decorated with
``@idempotent_write`` return ``(payload, status)`` and do not commit: the
decorator stores the answer and commits it in the same transaction as the
write, so a crash can't leave a write without its key or a key without its write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Response, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ledger.api.errors import ApiError
from ledger.api.models import IdempotentRequest
from ledger.extensions import db
from ledger.platform.json_input import JsonInputError, canonical_json, loads_limited
from ledger.platform.text import TextError, clean_text

P = ParamSpec("P")


def _request_hash() -> str:
    """The method, path and body; a JSON body by its parsed value, so a retry that spells
    the same JSON differently (spaces, key order, escapes) is the same request."""
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    raw = request.get_data(cache=True)
    try:
        body = canonical_json(loads_limited(raw)).encode()
    except JsonInputError:
        body = raw  # not JSON: the view refuses it; keep the bytes
    digest.update(body)
    return digest.hexdigest()


def _replay(stored: IdempotentRequest, request_hash: str) -> Response:
    if stored.request_hash != request_hash:
        raise ApiError(409, "idempotency_conflict", "Idempotency-Key")
    response = Response(stored.response_body, status=stored.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _find(key: str) -> IdempotentRequest | None:
    return db.session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.user_id == current_user.id, IdempotentRequest.key == key
        )
    )


def idempotent_write(view: Callable[P, tuple[object, int]]) -> Callable[P, Response]:
    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Response:
        raw_key = request.headers.get("Idempotency-Key")
        key = None
        if raw_key is not None:
            try:
                key = clean_text(raw_key, max_length=200, required=True)
            except TextError:
                raise ApiError(400, "bad_idempotency_key", "Idempotency-Key") from None
            request_hash = _request_hash()
            stored = _find(key)
            if stored is not None:
                return _replay(stored, request_hash)
        payload, status = view(*args, **kwargs)
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        if key is not None:
            db.session.add(
                IdempotentRequest(
                    user_id=current_user.id,
                    key=key,
                    request_hash=request_hash,
                    status_code=status,
                    response_body=body,
                )
            )
        try:
            db.session.commit()
        except IntegrityError:
            # The same key raced us and won: answer as it did, record nothing.
            db.session.rollback()
            stored = _find(key) if key is not None else None
            if stored is None:
                raise
            return _replay(stored, request_hash)
        return Response(body, status=status, mimetype="application/json")

    return wrapped
