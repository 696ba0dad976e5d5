"""The letter services admins keep: who carries letters, where, and what they charge.

Seeded by migration 0023 (RosUznik, free; FSIN-pismo at 55 ₽ a letter, 55 ₽ a reply form and
35 ₽ an image, per shared/PRISONER-SUPPORT.md; Zonatelecom with its price left unknown, to be
set by an admin, and the post and "other", whose letters are costed one by one).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry
from ledger.books.posting import Recorder
from ledger.funds.models import Facility
from ledger.letters.models import LetterService
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text

PRICE_CURRENCY = "RUB"
KEY = re.compile(r"^[a-z0-9](?:[a-z0-9_]{0,38}[a-z0-9])?$")
PRICE_FIELDS = ("letter_price", "reply_form_price", "image_price")
# The services migration 0023 seeds (the migration keeps its own copy): for tests that empty
# the tables and for a fresh start.
SEEDED_SERVICES = [
    {
        "key": "rosuznik",
        "name": "RosUznik",
        "name_ru": "РосУзник",
        "url": "https://rosuznik.org/",
        "letter_price_minor": 0,
        "reply_form_price_minor": 0,
        "image_price_minor": 0,
        "note": "Free: volunteers print the letter and post it.",
    },
    {
        "key": "fsin_pismo",
        "name": "FSIN-pismo",
        "name_ru": "ФСИН-письмо",
        "url": "https://fsin-pismo.ru/",
        "letter_price_minor": 5500,
        "reply_form_price_minor": 5500,
        "image_price_minor": 3500,
        "note": None,
    },
    {
        "key": "zonatelecom",
        "name": "Zonatelecom",
        "name_ru": "Зонателеком",
        "url": "https://zonatelecom.ru/",
        "letter_price_minor": None,
        "reply_form_price_minor": None,
        "image_price_minor": None,
        "note": "Price not in our sources: check zonatelecom.ru and set it here, or give each letter's cost.",
    },
    {
        "key": "post",
        "name": "Russian Post",
        "name_ru": "Почта России",
        "url": None,
        "letter_price_minor": None,
        "reply_form_price_minor": None,
        "image_price_minor": None,
        "note": "Stamps and envelopes: give the cost.",
    },
    {
        "key": "other",
        "name": "Other",
        "name_ru": "Другое",
        "url": None,
        "letter_price_minor": None,
        "reply_form_price_minor": None,
        "image_price_minor": None,
        "note": None,
    },
]


def _text(value: object, field_name: str, *, max_length: int, required: bool = False) -> str | None:
    try:
        return clean_text(value, max_length=max_length, required=required) or None
    except TextError as error:
        raise InvalidEntry(error.code, field=field_name, reason=error.code, **error.params) from None


def clean_link(value: object, field_name: str) -> str | None:
    """An http(s) link to show (never fetched), or None; anything else is refused."""
    text = _text(value, field_name, max_length=300)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise InvalidEntry("bad link", field=field_name, reason="bad_link")
    return text


def list_services(session: Session, *, active_only: bool = False) -> list[LetterService]:
    query = select(LetterService).order_by(LetterService.id)
    if active_only:
        query = query.where(LetterService.active.is_(True))
    return list(session.scalars(query))


def service_by_key(session: Session, key: object) -> LetterService | None:
    if not isinstance(key, str) or len(key) > 40:
        return None
    return session.scalar(select(LetterService).where(LetterService.key == key))


def reaches(service: LetterService, facility: Facility | None) -> bool:
    """Whether the service says it delivers to ``facility``."""
    if service.serves_all:
        return True
    if facility is None:
        return False
    if facility.region and facility.region.casefold() in {r.casefold() for r in service.region_list}:
        return True
    return any(served.id == facility.id for served in service.facilities)


def services_reaching(session: Session, facility: Facility | None) -> list[LetterService]:
    """The active services with a link that reach ``facility`` (seeded order): what a writer can
    use.  The post and "other" have no link; they are for recording letters, not for the page."""
    return [s for s in list_services(session, active_only=True) if s.url and reaches(s, facility)]


def price(minor: int | None) -> Money | None:
    return Money.from_minor(minor, PRICE_CURRENCY) if minor is not None else None


def _price(value: object, field_name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, Money) or value.minor < 0:
        raise InvalidEntry("bad price", field=field_name, reason="invalid_amount")
    if value.currency != PRICE_CURRENCY:
        raise InvalidEntry("prices in roubles", field=field_name, reason="letter_price_currency")
    return value.minor


def save_service(
    session: Session,
    service: LetterService | None,
    *,
    values: dict[str, object],
    actor: Recorder | None = None,
) -> LetterService:
    """Create (``service`` None, ``key`` required) or update a service from ``values``: name,
    name_ru, url, letter_price, reply_form_price, image_price (Money in RUB or None),
    serves_all, regions (comma-separated), facilities (Facility list), note, active.
    Fields not in ``values`` stay as they are."""
    created = service is None
    if service is None:
        key = values.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            raise InvalidEntry("bad key", field="key", reason="bad_service_key")
        if service_by_key(session, key) is not None:
            raise InvalidEntry("key taken", field="key", reason="service_key_taken")
        service = LetterService(key=key, serves_all=True, active=True)
        if "name" not in values:
            raise InvalidEntry("name required", field="name", reason="required")
    if "name" in values:
        service.name = _text(values["name"], "name", max_length=120, required=True) or ""
    if "name_ru" in values or created:
        service.name_ru = _text(values.get("name_ru"), "name_ru", max_length=120) or service.name
    if "url" in values:
        service.url = clean_link(values["url"], "url")
    for name in PRICE_FIELDS:
        if name in values:
            setattr(service, f"{name}_minor", _price(values[name], name))
    for name in ("serves_all", "active"):
        if name in values:
            if not isinstance(values[name], bool):
                raise InvalidEntry("true or false", field=name, reason="not_boolean")
            setattr(service, name, values[name])
    if "regions" in values:
        regions = _text(values["regions"], "regions", max_length=2000)
        service.regions = ", ".join(r.strip() for r in (regions or "").split(",") if r.strip()) or None
    if "facilities" in values:
        facilities = values["facilities"] or []
        if not isinstance(facilities, list) or not all(isinstance(f, Facility) for f in facilities):
            raise InvalidEntry("unknown facility", field="facilities", reason="unknown_facility")
        service.facilities = list(facilities)
    if "note" in values:
        service.note = _text(values["note"], "note", max_length=1000)
    service.updated_at = utcnow()
    service.updated_by_id = getattr(actor, "id", None)
    session.add(service)
    session.flush()
    record_audit(
        session,
        "letter_service.created" if created else "letter_service.updated",
        user=actor,
        target=f"letter_service:{service.key}",
    )
    return service
