"""API: letters sent to prisoners, the letter services, and where to write (shared/API.md;
contract in ledger/api/contract/letters.py)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ledger.access.models import READERS, WRITERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.idempotency import idempotent_write
from ledger.api.parsing import Bool, DateField, Integer, ListOf, MoneyField, Name, Raw, Schema, json_request
from ledger.api.serialise import minor_json, money_json
from ledger.books.accounts import find_account
from ledger.extensions import db
from ledger.funds.prisoners import facility_by_name, prisoner_by_slug
from ledger.letters.addresses import letter_address
from ledger.letters.letters import (
    MAX_IMAGES,
    MAX_PAGES,
    letter_entry_id,
    letter_status,
    letters_for,
    record_letter,
    record_reply,
)
from ledger.letters.models import Letter, LetterService
from ledger.letters.services import list_services, price, save_service, service_by_key, services_reaching
from ledger.platform.database import utcnow
from ledger.reports.periods import month_end, parse_month


def today():
    return utcnow().date()


def service_json(service: LetterService) -> dict:
    def price_json(minor: int | None):
        money = price(minor)
        return money_json(money) if money is not None else None

    return {
        "key": service.key,
        "name": service.name,
        "name_ru": service.name_ru,
        "url": service.url,
        "letter_price": price_json(service.letter_price_minor),
        "reply_form_price": price_json(service.reply_form_price_minor),
        "image_price": price_json(service.image_price_minor),
        "serves_all": service.serves_all,
        "regions": service.region_list,
        "facilities": [facility.name for facility in service.facilities],
        "note": service.note,
        "active": service.active,
    }


def letter_json(letter: Letter) -> dict:
    return {
        "id": letter.id,
        "prisoner": letter.prisoner.slug,
        "service": letter.service.key,
        "sent_on": letter.sent_on.isoformat(),
        "pages": letter.pages,
        "images": letter.images,
        "reply_form": letter.reply_form,
        "cost": minor_json(letter.cost_minor, letter.currency),
        "paid_from": letter.paid_from.name if letter.paid_from is not None else None,
        "status": letter_status(letter),
        "entry": letter_entry_id(letter),
        "approval": letter.approval_id,
        "replied_on": letter.replied_on.isoformat() if letter.replied_on else None,
    }


LETTER = Schema(
    prisoner=Name(required=True),
    service=Name(required=True),
    sent_on=DateField(default=today),
    pages=Integer(minimum=1, maximum=MAX_PAGES, code="letter_bad_count", default=1),
    images=Integer(minimum=0, maximum=MAX_IMAGES, code="letter_bad_count", default=0),
    reply_form=Bool(),
    cost=MoneyField(allow_zero=True),
    paid_from=Name(),
)


@bp.post("/letters")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(LETTER)
def create_letter(body: dict):
    prisoner = prisoner_by_slug(db.session, body["prisoner"])
    if prisoner is None:
        raise ApiError(422, "unknown_prisoner", "prisoner")
    service = service_by_key(db.session, body["service"])
    if service is None:
        raise ApiError(422, "unknown_letter_service", "service")
    paid_from = None
    if body.get("paid_from") is not None:
        paid_from = find_account(db.session, body["paid_from"])
        if paid_from is None:
            raise ApiError(422, "bad_paid_from", "paid_from")
    letter = record_letter(
        db.session,
        prisoner=prisoner,
        service=service,
        sent_on=body["sent_on"],
        pages=body["pages"],
        images=body["images"],
        reply_form=body["reply_form"],
        cost=body.get("cost"),
        paid_from=paid_from,
        recorded_by=current_user,
    )
    return {"letter": letter_json(letter)}, (202 if letter_status(letter) == "pending" else 201)


@bp.get("/letters")
@api_role_required(*READERS)
def list_letters():
    """Letters, newest first: ``prisoner`` (slug), ``month`` (YYYY-MM), ``unanswered`` (true)."""
    prisoner = None
    if request.args.get("prisoner"):
        prisoner = prisoner_by_slug(db.session, request.args["prisoner"])
        if prisoner is None:
            raise ApiError(422, "unknown_prisoner", "prisoner")
    start = end = None
    if request.args.get("month"):
        start = parse_month(request.args["month"])
        if start is None:
            raise ApiError(422, "unknown_month", "month")
        end = month_end(start)
    if request.args.get("unanswered", "false") not in ("true", "false"):
        raise ApiError(422, "invalid_boolean", "unanswered")
    letters = letters_for(
        db.session,
        prisoner=prisoner,
        start=start,
        end=end,
        unanswered=request.args.get("unanswered") == "true",
        limit=1000,
    )
    return {"letters": [letter_json(letter) for letter in letters]}


REPLY = Schema(on=DateField(default=today))


@bp.post("/letters/<int:letter_id>/reply")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(REPLY, body_optional=True)
def reply_to_letter(letter_id: int, body: dict):
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise ApiError(404, "not_found")
    record_reply(db.session, letter, on=body["on"], recorded_by=current_user)
    return {"letter": letter_json(letter)}, 200


@bp.get("/letter-services")
def list_letter_services():
    """Public: the services that carry letters, what they charge, where they reach."""
    return {"services": [service_json(s) for s in list_services(db.session)]}


SERVICE_FIELDS = dict(
    name=Raw(),
    name_ru=Raw(),
    url=Raw(),
    letter_price=MoneyField(allow_zero=True),
    reply_form_price=MoneyField(allow_zero=True),
    image_price=MoneyField(allow_zero=True),
    serves_all=Raw(),
    regions=Raw(),
    facilities=ListOf(Name(), invalid="unknown_facility", max_items=1000),
    note=Raw(),
    active=Raw(),
)
NEW_SERVICE = Schema(key=Raw(required=True), **SERVICE_FIELDS)
SERVICE_CHANGE = Schema(**SERVICE_FIELDS)


def _service_values(body: dict) -> dict:
    values = {name: body[name] for name in SERVICE_FIELDS if name in body}
    if "facilities" in values:
        facilities = []
        for name in values["facilities"] or []:
            facility = facility_by_name(db.session, name)
            if facility is None:
                raise ApiError(422, "unknown_facility", "facilities")
            facilities.append(facility)
        values["facilities"] = facilities
    return values


@bp.post("/letter-services")
@api_role_required("admin")
@idempotent_write
@json_request(NEW_SERVICE)
def create_letter_service(body: dict):
    service = save_service(
        db.session, None, values={"key": body["key"], **_service_values(body)}, actor=current_user
    )
    return {"service": service_json(service)}, 201


@bp.patch("/letter-services/<key>")
@api_role_required("admin")
@idempotent_write
@json_request(SERVICE_CHANGE)
def update_letter_service(key: str, body: dict):
    service = service_by_key(db.session, key)
    if service is None:
        raise ApiError(404, "not_found")
    save_service(db.session, service, values=_service_values(body), actor=current_user)
    return {"service": service_json(service)}, 200


@bp.get("/prisoners/<slug>/letter-address")
def prisoner_letter_address(slug: str):
    """Public for public prisoners: where to write now, through which services, the channel."""
    prisoner = prisoner_by_slug(db.session, slug)
    readers = current_user.is_authenticated and current_user.role in READERS
    if prisoner is None or not (prisoner.public or readers):
        raise ApiError(404, "not_found")
    address = letter_address(db.session, prisoner)
    reachable = services_reaching(db.session, address.facility) if address.state in ("ok", "fallback") else []
    return {
        "address": {
            "state": address.state,
            "facility": address.facility.name if address.facility is not None else None,
            "since": address.since.isoformat() if address.since else None,
            "russian": address.russian,
            "latin": address.latin,
        },
        "services": [service_json(s) for s in reachable],
        "channel_url": prisoner.channel_url,
    }
