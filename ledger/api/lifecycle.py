"""API: a prisoner's lifecycle events, parcel allowance and outcomes, who sends the next
parcel, and the parcel rules (shared/API.md; contract in ledger/api/contract/lifecycle.py)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ledger.access.models import READERS, WRITERS
from ledger.access.users import find_user
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.idempotency import idempotent_write
from ledger.api.parsing import (
    DateField,
    MoneyField,
    NameOrObject,
    Raw,
    Schema,
    Text,
    json_request,
    page_args,
)
from ledger.api.serialise import entry_json, money_json, parcel_json, receipt_json
from ledger.books.accounts import find_account
from ledger.checkpoints.as_of import public_as_of
from ledger.checkpoints.release import without_unpublished_moves
from ledger.edge.uploads import attach_upload
from ledger.extensions import db
from ledger.funds.lifecycle import lifecycle_of, lifecycle_view, record_event
from ledger.funds.models import Facility, Prisoner, PrisonerEvent
from ledger.funds.prisoners import facility_by_name, prisoner_by_slug, save_facility
from ledger.platform.database import utcnow
from ledger.spending.models import Parcel, ParcelRule
from ledger.spending.parcel_law import LIMIT_FIELDS, RULE_COLUMNS
from ledger.spending.parcel_outcomes import (
    assign_next_parcel,
    assignments,
    attach_inventory,
    parcels_of,
    record_outcome,
    record_parcel_refund,
)
from ledger.spending.parcel_plan import parcel_plan
from ledger.spending.parcel_quota import KindAllowance, parcel_allowance
from ledger.spending.parcel_rule_editing import all_rules, save_parcel_rule
from ledger.spending.receipts import ReceiptError


def _prisoner_or_404(slug: str) -> Prisoner:
    prisoner = prisoner_by_slug(db.session, slug)
    if prisoner is None:
        raise ApiError(404, "not_found")
    return prisoner


def facility_json(facility: Facility | None) -> dict | None:
    if facility is None:
        return None
    return {
        "id": facility.id,
        "name": facility.name,
        "address": facility.address,
        "region": facility.region,
        "kind": facility.kind,
        "regime": facility.regime,
    }


def event_json(event: PrisonerEvent, *, private: bool = True) -> dict:
    body = {
        "id": event.id,
        "type": event.type,
        "on": event.occurred_on.isoformat(),
        "facility": facility_json(event.facility),
        "fund_policy": event.fund_policy,
        "entry": event.entry_id,
    }
    if private:
        body.update(
            note=event.note,
            recorded_by=event.recorded_by.email if event.recorded_by else None,
            recorded_at=event.recorded_at.isoformat() + "Z",
        )
    return body


def lifecycle_json(prisoner: Prisoner, *, private: bool) -> dict | None:
    """Where the prisoner is and what happened, as much as the reader may see.

    The public sees what admins chose for the prisoner (``lifecycle_public``): nothing,
    the status (with what happened to the fund), or the history of places too.
    """
    view = lifecycle_view(db.session, prisoner, private=private)
    if not private:
        view = without_unpublished_moves(db.session, view, public_as_of(db.session).sequence)
    if view is None:
        return None
    body: dict = {
        "state": view.state,
        "since": view.since.isoformat() if view.since else None,
        "fund": [
            {
                "event": outcome.event.type,
                "on": outcome.event.occurred_on.isoformat(),
                "policy": outcome.event.fund_policy,
                "moved_to_general": [money_json(m) for m in outcome.moved],
                "reversed": outcome.reversed,
            }
            for outcome in view.fund
        ],
    }
    if view.history:
        body["facility"] = facility_json(prisoner.facility) if view.place.known else None
        body["events"] = [event_json(e, private=private) for e in view.events]
    return body


def _facility_from(value) -> Facility | None:
    """A facility by name, or ``{name, kind, regime, address, region}``: found by name (and
    its kind and regime updated when given) or created."""
    if value is None:
        return None
    if isinstance(value, str):
        facility = facility_by_name(db.session, value)
        if facility is None:
            raise ApiError(422, "unknown_facility", "facility")
        return facility
    if not isinstance(value, dict):
        raise ApiError(422, "unknown_facility", "facility")
    existing = facility_by_name(db.session, value.get("name"))
    if existing is not None and not ({"kind", "regime", "address", "region"} & set(value)):
        return existing
    return save_facility(
        db.session,
        existing,
        name=value.get("name"),
        address=value.get("address", existing.address if existing else None),
        region=value.get("region", existing.region if existing else None),
        max_parcel_grams=existing.max_parcel_grams if existing else None,
        max_parcels_per_month=existing.max_parcels_per_month if existing else None,
        kind=value.get("kind"),
        regime=value.get("regime"),
        actor=current_user,
    )


def today():
    return utcnow().date()


# The event's type and fund policy are checked by the domain; the facility is a name or an
# object of these fields (``_facility_from`` finds or creates it).
EVENT_FACILITY = Schema(name=Raw(), kind=Raw(), regime=Raw(), address=Raw(), region=Raw())
EVENT = Schema(
    type=Raw(required=True),
    on=DateField(default=today),
    facility=NameOrObject(EVENT_FACILITY, invalid="unknown_facility"),
    fund_policy=Raw(),
    note=Text(max_length=2000),
)


@bp.post("/prisoners/<slug>/events")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(EVENT)
def create_event(slug: str, body: dict):
    prisoner = _prisoner_or_404(slug)
    event = record_event(
        db.session,
        prisoner,
        type=body["type"],
        on=body["on"],
        facility=_facility_from(body.get("facility")),
        fund_policy=body.get("fund_policy"),
        note=body.get("note"),
        recorded_by=current_user,
    )
    return {
        "event": event_json(event),
        "entry": entry_json(event.entry) if event.entry is not None else None,
        "lifecycle": lifecycle_json(prisoner, private=True),
    }, 201


@bp.get("/prisoners/<slug>/events")
@api_role_required(*READERS)
def list_events(slug: str):
    prisoner = _prisoner_or_404(slug)
    return {"lifecycle": lifecycle_json(prisoner, private=True)}


def _kind_json(allowance: KindAllowance) -> dict:
    return {
        "used": allowance.used,
        "pending": allowance.pending,
        "allowed": allowance.allowed,
        "left": allowance.left,
        "max_grams": allowance.max_grams,
        "next_on": allowance.next_on.isoformat() if allowance.next_on else None,
    }


def rule_json(rule: ParcelRule | None) -> dict | None:
    if rule is None:
        return None
    return {
        "id": rule.id,
        **{name: getattr(rule, name) for name in RULE_COLUMNS if name != "exemptions"},
        "exemptions": sorted(rule.exempt),
    }


def allowance_json(allowance) -> dict:
    return {
        "rule": rule_json(allowance.rule),
        "exempt": allowance.exempt,
        "parcel": _kind_json(allowance.parcel),
        "small_parcel": _kind_json(allowance.small_parcel),
        "grams_this_month": allowance.grams_this_month,
        "max_grams_per_month": allowance.max_grams_per_month,
        "reachable": allowance.reachable,
    }


def full_parcel_json(parcel: Parcel) -> dict:
    body = parcel_json(parcel)
    body.update(id=parcel.id, entry=parcel.entry_id)
    return body


@bp.get("/prisoners/<slug>/parcels")
@api_role_required(*READERS)
def prisoner_parcels(slug: str):
    prisoner = _prisoner_or_404(slug)
    reachable = lifecycle_of(db.session, prisoner).parcels_allowed
    assignment = assignments(db.session).get(prisoner.id)
    return {
        "allowance": allowance_json(parcel_allowance(db.session, prisoner, reachable=reachable)),
        "next_parcel_by": assignment.user.email if assignment else None,
        "parcels": [full_parcel_json(p) for p in parcels_of(db.session, prisoner)],
    }


# ``coordinator``: the email of who sends the next parcel, or null for nobody.
ASSIGNMENT = Schema(coordinator=Raw())


@bp.put("/prisoners/<slug>/next-parcel")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(ASSIGNMENT)
def assign_parcel(slug: str, body: dict):
    prisoner = _prisoner_or_404(slug)
    if "coordinator" not in body:
        raise ApiError(422, "missing_field", "coordinator")
    user = None
    if body["coordinator"] is not None:
        user = find_user(db.session, body["coordinator"]) if isinstance(body["coordinator"], str) else None
        if user is None:
            raise ApiError(422, "not_a_coordinator", "coordinator")
    assign_next_parcel(db.session, prisoner, user, actor=current_user)
    return {"prisoner": prisoner.slug, "next_parcel_by": user.email if user else None}, 200


@bp.get("/parcel-plan")
@api_role_required(*READERS)
def parcel_plan_view():
    """Prisoners in the order their next parcel should be prepared, a page at a time."""
    page, per_page = page_args(100)
    plan = parcel_plan(db.session, offset=(page - 1) * per_page, limit=per_page)
    return {
        "prisoners": [
            {
                "slug": row.prisoner.slug,
                "name": row.prisoner.name,
                "facility": facility_json(row.prisoner.facility),
                "next_parcel_on": row.allowance.parcel.next_on.isoformat()
                if row.allowance.parcel.next_on
                else None,
                "next_small_parcel_on": row.allowance.small_parcel.next_on.isoformat()
                if row.allowance.small_parcel.next_on
                else None,
                "parcels_used": row.allowance.parcel.used,
                "parcels_allowed": row.allowance.parcel.allowed,
                "next_parcel_by": row.assignee.email if row.assignee else None,
            }
            for row in plan.rows
        ],
        "page": page,
        "per_page": per_page,
        "total": plan.total,
    }


def _parcel_or_404(parcel_id: int) -> Parcel:
    parcel = db.session.get(Parcel, parcel_id)
    if parcel is None:
        raise ApiError(404, "not_found")
    return parcel


OUTCOME = Schema(
    outcome=Raw(required=True),
    on=DateField(default=today),
    tracking_number=Text(max_length=64),
    note=Text(max_length=2000),
)


@bp.post("/parcels/<int:parcel_id>/outcome")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(OUTCOME)
def parcel_outcome(parcel_id: int, body: dict):
    parcel = _parcel_or_404(parcel_id)
    record_outcome(
        db.session,
        parcel,
        outcome=body["outcome"],
        on=body["on"],
        tracking_number=body.get("tracking_number"),
        note=body.get("note"),
        recorded_by=current_user,
    )
    return {"parcel": full_parcel_json(parcel)}, 200


@bp.post("/parcels/<int:parcel_id>/inventory")
@api_role_required(*WRITERS)
def parcel_inventory(parcel_id: int):
    """Multipart upload (``file``) of the inventory form's scan (опись вложения)."""
    parcel = _parcel_or_404(parcel_id)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "missing_field", "file")
    try:
        receipt = attach_upload(attach_inventory, parcel, upload)
    except ReceiptError as error:
        raise ApiError(422, error.code, "file", **error.params) from None
    return {"receipt": receipt_json(receipt), "parcel": full_parcel_json(parcel)}, 201


REFUND = Schema(asset=Raw(required=True), money=MoneyField(required=True), on=DateField(default=today))


@bp.post("/parcels/<int:parcel_id>/refund")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(REFUND)
def parcel_refund(parcel_id: int, body: dict):
    parcel = _parcel_or_404(parcel_id)
    asset = find_account(db.session, body["asset"]) if isinstance(body["asset"], str) else None
    if asset is None:
        raise ApiError(422, "bad_asset", "asset")
    entry = record_parcel_refund(
        db.session,
        parcel,
        money=body["money"],
        received_into=asset,
        on=body["on"],
        recorded_by=current_user,
    )
    return {"entry": entry_json(entry), "parcel": full_parcel_json(parcel)}, 201


@bp.get("/parcel-rules")
def list_parcel_rules():
    """Public: the rules are the law's (and the admins' corrections of it)."""
    return {"rules": [rule_json(rule) for rule in all_rules(db.session)]}


def _rule_values(data: dict) -> dict:
    values = dict(data)
    for name in LIMIT_FIELDS:
        if name in values and values[name] is not None and not isinstance(values[name], int):
            raise ApiError(422, "bad_limit", name)
    return values


# Limits, exemptions and the legal basis are checked by the domain (ledger/spending/parcel_rule_editing.py);
# a rule's kind, regime and conditions are given when it is created and never changed.
RULE_CHANGE = Schema(**{name: Raw() for name in RULE_COLUMNS[3:]})
NEW_RULE = Schema(**{name: Raw() for name in RULE_COLUMNS})


@bp.post("/parcel-rules")
@api_role_required("admin")
@idempotent_write
@json_request(NEW_RULE)
def create_parcel_rule(body: dict):
    rule = save_parcel_rule(db.session, None, _rule_values(body), actor=current_user)
    return {"rule": rule_json(rule)}, 201


@bp.patch("/parcel-rules/<int:rule_id>")
@api_role_required("admin")
@idempotent_write
@json_request(RULE_CHANGE)
def update_parcel_rule(rule_id: int, body: dict):
    rule = db.session.get(ParcelRule, rule_id)
    if rule is None:
        raise ApiError(404, "not_found")
    save_parcel_rule(db.session, rule, _rule_values(body), actor=current_user)
    return {"rule": rule_json(rule)}, 200
