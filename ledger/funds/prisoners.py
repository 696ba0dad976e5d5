"""Creating and editing prisoners' profiles and facilities.

Profiles are not ledger data: editing one never touches an entry.  Every prisoner gets a
fund account when created; the slug is fixed from then on because account names and
exported journals refer to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import fund_account_for, general_fund
from ledger.books.errors import InvalidEntry
from ledger.books.models import Account
from ledger.books.posting import Recorder
from ledger.funds.kinds import (
    CONDITIONS,
    FACILITY_KINDS,
    GENDERS,
    GENERAL,
    LIFECYCLE_PUBLICATION,
    PRISONER_STATUSES,
    REGIMES,
    FacilityKind,
    LifecyclePublication,
    PrisonerStatus,
    Regime,
)
from ledger.funds.models import Facility, Prisoner
from ledger.money import Money
from ledger.platform.database import utc_today
from ledger.platform.text import clean_text

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
# Field -> maximum length, for the free-text profile fields.
TEXT_FIELDS = {
    "name": 200,
    "name_latin": 200,
    "address": 1000,
    "region": 120,
    "charges": 500,
    "sentence": 200,
    "bio_en": 5000,
    "bio_ru": 5000,
}
PROFILE_FIELDS = (
    *TEXT_FIELDS,
    "status",
    "public",
    "facility",
    "monthly_need",
    "gender",
    "juvenile",
    "conditions",
    "lifecycle_public",
    "birth_date",
    "letter_birth_date_consent",
    "channel_url",
)


class ProfileError(InvalidEntry):
    """A profile field is not acceptable; ``params["reason"]`` names why."""


@dataclass
class ProfileChanges:
    """The fields to set; anything not in ``values`` stays as it is."""

    values: dict[str, object] = field(default_factory=dict)


def _text(name: str, value: object) -> str | None:
    from ledger.platform.text import TextError

    try:
        cleaned = clean_text(value, max_length=TEXT_FIELDS[name], required=name == "name")
    except TextError as error:
        raise ProfileError(error.code, field=name, reason=error.code, **error.params) from None
    return cleaned or None


def validate_slug(session: Session, slug: object) -> str:
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise ProfileError("bad slug", field="slug", reason="bad_slug")
    if slug == GENERAL or session.scalar(select(Prisoner.id).where(Prisoner.slug == slug)) is not None:
        raise ProfileError("slug taken", field="slug", reason="slug_taken")
    return slug


def _apply(
    session: Session, prisoner: Prisoner, values: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """Validate and set ``values`` on ``prisoner``; return {field: (old, new)} of changes."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ProfileError("unknown field", field=sorted(unknown)[0], reason="unknown_field")
    changes: dict[str, tuple[object, object]] = {}

    def put(name: str, new: object) -> None:
        old = getattr(prisoner, name)
        if old != new:
            changes[name] = (old, new)
            setattr(prisoner, name, new)

    for name in TEXT_FIELDS:
        if name in values:
            put(name, _text(name, values[name]))
    if "status" in values:
        if values["status"] not in PRISONER_STATUSES:
            raise ProfileError("unknown status", field="status", reason="unknown_status")
        put("status", values["status"])
    if "public" in values:
        if not isinstance(values["public"], bool):
            raise ProfileError("public is true or false", field="public", reason="not_boolean")
        put("public", values["public"])
    if "facility" in values:
        facility = values["facility"]
        if facility is not None and not isinstance(facility, Facility):
            raise ProfileError("unknown facility", field="facility", reason="unknown_facility")
        if (facility.id if facility else None) != prisoner.facility_id:
            changes["facility"] = (
                prisoner.facility.name if prisoner.facility else None,
                facility.name if facility else None,
            )
            prisoner.facility = facility
    for name, known, reason in (
        ("gender", GENDERS, "unknown_gender"),
        ("conditions", CONDITIONS, "unknown_conditions"),
    ):
        if name in values:
            if values[name] is not None and values[name] not in known:
                raise ProfileError(f"unknown {name}", field=name, reason=reason)
            put(name, values[name])
    if "juvenile" in values:
        if not isinstance(values["juvenile"], bool):
            raise ProfileError("juvenile is true or false", field="juvenile", reason="not_boolean")
        put("juvenile", values["juvenile"])
    if "lifecycle_public" in values:
        if values["lifecycle_public"] not in LIFECYCLE_PUBLICATION:
            raise ProfileError("unknown publication", field="lifecycle_public", reason="unknown_publication")
        put("lifecycle_public", values["lifecycle_public"])
    if "birth_date" in values:
        born = values["birth_date"]
        if born is not None and (not isinstance(born, date) or not date(1900, 1, 1) <= born <= utc_today()):
            raise ProfileError("bad birth date", field="birth_date", reason="invalid_date")
        put("birth_date", born)
    if "letter_birth_date_consent" in values:
        if not isinstance(values["letter_birth_date_consent"], bool):
            raise ProfileError("true or false", field="letter_birth_date_consent", reason="not_boolean")
        put("letter_birth_date_consent", values["letter_birth_date_consent"])
    if "channel_url" in values:
        from ledger.letters.services import clean_link

        put("channel_url", clean_link(values["channel_url"], "channel_url"))
    if "monthly_need" in values:
        need = values["monthly_need"]
        if need is not None and (not isinstance(need, Money) or need.minor < 0):
            raise ProfileError("bad monthly need", field="monthly_need", reason="invalid_amount")
        put("monthly_need_minor", need.minor if need else None)
        put("monthly_need_currency", need.currency if need else None)
    return changes


def create_prisoner(
    session: Session, slug: object, values: dict[str, object], *, actor: Recorder | None = None
) -> Prisoner:
    """A new prisoner (hidden unless ``public`` is given) with a fund account."""
    prisoner = Prisoner(
        slug=validate_slug(session, slug),
        status=PrisonerStatus.AWAITING_TRIAL,
        public=False,
        lifecycle_public=LifecyclePublication.STATUS,
    )
    _check_publication_choice(prisoner, values, actor)
    if "name" not in values:
        raise ProfileError("name required", field="name", reason="required")
    _apply(session, prisoner, values)
    session.add(prisoner)
    session.flush()
    fund_account_for(session, prisoner)
    record_audit(
        session, "prisoner.created", user=actor, target=f"prisoner:{prisoner.slug}", public=prisoner.public
    )
    return prisoner


def _check_publication_choice(prisoner: Prisoner, values: dict[str, object], actor: Recorder | None) -> None:
    """Only admins choose what the public page shows of a prisoner's lifecycle."""
    if "lifecycle_public" in values and values["lifecycle_public"] != prisoner.lifecycle_public:
        if getattr(actor, "role", None) != "admin":
            raise ProfileError("admins only", field="lifecycle_public", reason="admins_only")


def update_prisoner(
    session: Session, prisoner: Prisoner, values: dict[str, object], *, actor: Recorder | None = None
) -> dict[str, tuple[object, object]]:
    """Change profile fields; the audit log keeps which fields changed (not their text)."""
    _check_publication_choice(prisoner, values, actor)
    changes = _apply(session, prisoner, values)
    if changes:
        session.flush()
        record_audit(
            session,
            "prisoner.updated",
            user=actor,
            target=f"prisoner:{prisoner.slug}",
            fields=sorted(changes),
            public=prisoner.public,
        )
    return changes


def facility_by_id(session: Session, facility_id: object) -> Facility | None:
    if not isinstance(facility_id, int) or isinstance(facility_id, bool):
        return None
    return session.get(Facility, facility_id)


def facility_by_name(session: Session, name: object) -> Facility | None:
    """The facility called ``name``, ignoring case in any script (SQLite's lower() only folds
    ASCII, so "сизо-1" is matched here, not in SQL)."""
    if not isinstance(name, str) or len(name) > 200:
        return None
    wanted = name.strip()
    exact = session.scalar(select(Facility).where(Facility.name == wanted))
    if exact is not None:
        return exact
    folded = wanted.casefold()
    for facility in session.scalars(
        select(Facility).where(func.length(Facility.name) == len(wanted)).order_by(Facility.id)
    ):
        if facility.name.casefold() == folded:
            return facility
    return None


def _limit(label: str, limit: object) -> int | None:
    """A facility's limit: a positive whole number, or None for no limit."""
    if limit is None:
        return None
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        raise ProfileError("bad limit", field=label, reason="bad_limit")
    return limit


def save_facility(
    session: Session,
    facility: Facility | None,
    *,
    name: object,
    address: object = None,
    region: object = None,
    max_parcel_grams: object = None,
    max_parcels_per_month: object = None,
    kind: object = None,
    regime: object = None,
    postal_address_ru: object = ...,
    postal_address_latin: object = ...,
    actor: Recorder | None = None,
) -> Facility:
    """Create (``facility`` None) or update a facility; limits are positive whole numbers or None.

    ``kind`` and ``regime`` choose the parcel rules (None keeps the current ones; a new
    facility is "other" with no regime until told).  ``postal_address_ru`` and
    ``postal_address_latin`` are where letters go (``...`` keeps the current ones).
    """
    from ledger.platform.text import TextError

    try:
        clean_name = clean_text(name, max_length=200, required=True)
        clean_address = clean_text(address, max_length=1000) or None
        clean_region = clean_text(region, max_length=120) or None
    except TextError as error:
        raise ProfileError(error.code, field="name", reason=error.code, **error.params) from None
    postal = {}
    for label, value in (
        ("postal_address_ru", postal_address_ru),
        ("postal_address_latin", postal_address_latin),
    ):
        if value is ...:
            postal[label] = getattr(facility, label, None) if facility is not None else None
            continue
        try:
            postal[label] = clean_text(value, max_length=500) or None
        except TextError as error:
            raise ProfileError(error.code, field=label, reason=error.code, **error.params) from None
    grams = _limit("max_parcel_grams", max_parcel_grams)
    parcels = _limit("max_parcels_per_month", max_parcels_per_month)
    if kind is not None and kind not in FACILITY_KINDS:
        raise ProfileError("unknown kind", field="kind", reason="unknown_facility_kind")
    if regime is not None and regime not in REGIMES:
        raise ProfileError("unknown regime", field="regime", reason="unknown_regime")
    existing = facility_by_name(session, clean_name)
    if existing is not None and existing is not facility:
        raise ProfileError("facility exists", field="name", reason="facility_taken")
    created = facility is None
    facility = facility or Facility()
    facility.name, facility.address, facility.region = clean_name, clean_address, clean_region
    facility.max_parcel_grams, facility.max_parcels_per_month = grams, parcels
    facility.kind = str(kind or facility.kind or FacilityKind.OTHER)
    facility.regime = str(regime or facility.regime or Regime.NONE)
    facility.postal_address_ru = postal["postal_address_ru"]
    facility.postal_address_latin = postal["postal_address_latin"]
    session.add(facility)
    session.flush()
    record_audit(
        session,
        "facility.created" if created else "facility.updated",
        user=actor,
        target=f"facility:{facility.id}",
    )
    return facility


def prisoner_by_slug(session: Session, slug: object) -> Prisoner | None:
    if not isinstance(slug, str) or len(slug) > 80:
        return None
    return session.scalar(select(Prisoner).where(Prisoner.slug == slug))


def fund_by_name(session: Session, name: object) -> Account | None:
    """The fund a request names: ``GENERAL`` or a prisoner's slug."""
    if name == GENERAL:
        return general_fund(session)
    prisoner = prisoner_by_slug(session, name)
    return fund_account_for(session, prisoner) if prisoner is not None else None
