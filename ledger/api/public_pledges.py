"""API: a donor's own bank-transfer pledge, without an account (shared/API.md)."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import get_locale

from ledger.api import bp
from ledger.api.errors import ApiError
from ledger.api.parsing import MoneyField, Raw, Schema, json_request, required
from ledger.api.serialise import minor_json
from ledger.edge.messages import BANK_VISIBILITY_WARNING
from ledger.extensions import db
from ledger.funds.prisoners import prisoner_by_slug
from ledger.funds.public_pledges import PledgeThrottle, make_public_pledge, pledge_client_key

# Scalars checked below; the money is read through its own schema (unknown fields refused).
PUBLIC_PLEDGE = Schema(
    prisoner=Raw(),
    money=MoneyField(required=True),
    frequency=Raw(),
    email=Raw(),
    may_name_prisoner=Raw(),
    language=Raw(),
)


def throttle_policy() -> PledgeThrottle:
    config = current_app.config
    return PledgeThrottle(
        max_pledges=int(config.get("PUBLIC_PLEDGE_MAX") or 5),
        window_seconds=int(config.get("PUBLIC_PLEDGE_WINDOW_SECONDS") or 3600),
        max_pledges_per_hour=int(config.get("PUBLIC_PLEDGE_MAX_PER_HOUR") or 30),
        max_unconfirmed_mails_per_hour=int(config.get("UNCONFIRMED_MAIL_MAX_PER_HOUR") or 10),
    )


def client_key() -> str:
    return pledge_client_key(current_app.config["SECRET_KEY"], request.remote_addr)


def public_pledge_json(pledge, details, locale: str) -> dict:
    """What the donor needs to pay: the code, the amount, the bank details; nothing of the
    donor (not even the email they gave) and no internal ids."""
    return {
        "pledge": {
            "reference": pledge.reference,
            "prisoner": pledge.prisoner.slug if pledge.prisoner else None,
            "money": minor_json(pledge.amount_minor, pledge.currency),
            "frequency": pledge.frequency,
            "starts_on": pledge.starts_on.isoformat(),
            "status": pledge.status,
        },
        "bank_details": {"currency": details.currency, "text": details.text_for(locale)},
        "warning": str(BANK_VISIBILITY_WARNING),
    }


@bp.post("/public-pledges")
@json_request(PUBLIC_PLEDGE)
def create_public_pledge(body: dict):
    """Public; the request boundary (ledger/web/boundary.py) commits a 201 and rolls back a refusal."""
    data = body
    slug = data.get("prisoner")
    prisoner = None
    if slug is not None:
        prisoner = prisoner_by_slug(db.session, slug) if isinstance(slug, str) else None
        if prisoner is None or not prisoner.public:
            raise ApiError(422, "unknown_prisoner", "prisoner")
    money = data["money"]
    frequency = required(data, "frequency")
    may_name = data.get("may_name_prisoner", False)
    if not isinstance(may_name, bool):
        raise ApiError(422, "invalid_boolean", "may_name_prisoner")
    email = data.get("email")
    if email is not None and not isinstance(email, str):
        raise ApiError(422, "invalid_email", "email")
    language = data.get("language") or str(get_locale() or "en")
    if language not in ("en", "ru"):
        raise ApiError(422, "unknown_field", "language")
    pledge, details = make_public_pledge(
        db.session,
        prisoner=prisoner,
        money=money,
        frequency=frequency if isinstance(frequency, str) else "",
        email=email.strip() if email else None,
        locale=language,
        may_name_prisoner=may_name,
        client_key=client_key(),
        throttle=throttle_policy(),
    )
    return public_pledge_json(pledge, details, language), 201
