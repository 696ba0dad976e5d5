"""Signed, expiring links in donors' mails: no account, no password, only a token.

A token is ``itsdangerous``'s URL-safe timed signature (HMAC-SHA1 under the app's
``SECRET_KEY``, salted for this purpose) of the donor's id.  It opens a page where that donor
pauses, resumes or cancels their own monthly gifts and deletes their email.  A changed
character or an age above ``DONOR_LINK_DAYS`` makes it worthless; nothing else is stored.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "donor-link-v1"


class LinkRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def donor_token(secret: str, donor_id: int) -> str:
    return _serializer(secret).dumps({"d": int(donor_id)})


def donor_from_token(secret: str, token: str, *, max_age_days: int) -> int:
    """The donor's id, or LinkRefused("link_expired" | "link_invalid")."""
    if not isinstance(token, str) or len(token) > 300:
        raise LinkRefused("link_invalid")
    try:
        data = _serializer(secret).loads(token, max_age=max_age_days * 86400)
    except SignatureExpired:
        raise LinkRefused("link_expired") from None
    except BadSignature:
        raise LinkRefused("link_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("d"), int):
        raise LinkRefused("link_invalid")
    return data["d"]
