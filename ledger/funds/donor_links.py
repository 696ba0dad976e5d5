"""Signed, expiring, revocable links in donors' mails: no account, no password, only a token.

A token is ``itsdangerous``'s URL-safe timed signature (HMAC-SHA1 under the app's
``SECRET_KEY``, salted for this purpose) of the donor's id and the donor's link generation
(``donors.link_generation``).  It opens a page where that donor pauses, resumes or cancels their
own monthly gifts and deletes their email.  A changed character or an age above
``DONOR_LINK_DAYS`` makes it worthless; so does raising the donor's generation, which revokes
every link mailed before ("delete my email", an admin's ``revoke``): such a link answers
"revoked" and shows nothing.  Tokens from before generations carry none and count as
generation 0.

The confirmation link (``confirm_token``) is signed with its own salt and lasts a day: the one
mail an address nobody has confirmed may get carries it, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "donor-link-v1"
CONFIRM_SALT = "donor-confirm-v1"
CONFIRM_MAX_AGE_SECONDS = 24 * 3600


class LinkRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class LinkClaim:
    donor_id: int
    generation: int


def _serializer(secret: str, salt: str = SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def donor_token(secret: str, donor_id: int, generation: int = 0) -> str:
    return _serializer(secret).dumps({"d": int(donor_id), "g": int(generation)})


def confirm_token(secret: str, donor_id: int, generation: int = 0) -> str:
    return _serializer(secret, CONFIRM_SALT).dumps({"d": int(donor_id), "g": int(generation)})


def _load(secret: str, token: object, salt: str, max_age: int) -> LinkClaim:
    if not isinstance(token, str) or len(token) > 300:
        raise LinkRefused("link_invalid")
    try:
        data = _serializer(secret, salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkRefused("link_expired") from None
    except BadSignature:
        raise LinkRefused("link_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("d"), int):
        raise LinkRefused("link_invalid")
    generation = data.get("g", 0)
    if not isinstance(generation, int):
        raise LinkRefused("link_invalid")
    return LinkClaim(data["d"], generation)


def link_claim(secret: str, token: object, *, max_age_days: int) -> LinkClaim:
    """The donor's id and the link's generation, or LinkRefused("link_expired" | "link_invalid").
    The caller compares the generation with the donor's (``check_generation``)."""
    return _load(secret, token, SALT, max_age_days * 86400)


def confirm_claim(secret: str, token: object) -> LinkClaim:
    return _load(secret, token, CONFIRM_SALT, CONFIRM_MAX_AGE_SECONDS)


def check_generation(claim: LinkClaim, current: int | None) -> None:
    """LinkRefused("link_revoked") when the donor's links were revoked after this one was made."""
    if claim.generation != (current or 0):
        raise LinkRefused("link_revoked")


def donor_from_token(secret: str, token: str, *, max_age_days: int) -> int:
    """The donor's id (the generation unchecked), or LinkRefused("link_expired" | "link_invalid")."""
    return link_claim(secret, token, max_age_days=max_age_days).donor_id
