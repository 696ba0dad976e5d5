"""API: prisoners' profiles, donations received, transfers between funds and pledges
(shared/API.md)."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_login import current_user
from sqlalchemy import select

from ledger.access.models import READERS, WRITERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.idempotency import idempotent_write
from ledger.api.lifecycle import lifecycle_json
from ledger.api.parsing import (
    BirthDateField,
    DateField,
    MoneyField,
    Name,
    Object,
    Raw,
    Schema,
    Text,
    json_request,
    page_args,
)
from ledger.api.serialise import entry_json, minor_json, money_json, pending_payload
from ledger.books.accounts import find_account
from ledger.books.holds import Approval
from ledger.edge.visibility import as_of_json, request_as_of
from ledger.extensions import db
from ledger.funds.donations import DonationDraft, record_donation
from ledger.funds.kinds import DONATION_METHODS, GENERAL
from ledger.funds.models import Pledge, Prisoner
from ledger.funds.pledges import (
    cancel_pledge,
    create_pledge,
    make_donor,
    pledge_by_reference,
    received_by_pledge,
)
from ledger.funds.prisoners import (
    PROFILE_FIELDS,
    TEXT_FIELDS,
    create_prisoner,
    facility_by_name,
    prisoner_by_slug,
    update_prisoner,
)
from ledger.funds.schedules import PledgeState, Policy, pledge_state, pledge_states, policy_of
from ledger.funds.transfers import TransferBetweenFunds, record_transfer
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.reports.overview import public_prisoners_page
from ledger.reports.prisoner_report import fund_balances

PRIVATE_PROFILE_FIELDS = ("gender", "juvenile", "conditions", "lifecycle_public", "letter_birth_date_consent")


def profile_json(prisoner: Prisoner, *, private: bool = False) -> dict:
    """A prisoner's profile as the API shows it (no ledger data, no internal ids); what the
    parcel rules depend on (gender, juvenile, conditions) only for signed-in readers."""
    need = (
        minor_json(prisoner.monthly_need_minor, prisoner.monthly_need_currency)
        if prisoner.monthly_need_minor is not None and prisoner.monthly_need_currency is not None
        else None
    )
    body = {name: getattr(prisoner, name) for name in TEXT_FIELDS}
    body.update(
        slug=prisoner.slug,
        status=prisoner.status,
        public=prisoner.public,
        monthly_need=need,
        facility=prisoner.facility.name if prisoner.facility else None,
        channel_url=prisoner.channel_url,
    )
    if private:
        body.update({name: getattr(prisoner, name) for name in PRIVATE_PROFILE_FIELDS})
        body["birth_date"] = prisoner.birth_date.isoformat() if prisoner.birth_date else None
        body["died_on"] = prisoner.died_on.isoformat() if prisoner.died_on else None
    return body


# Profile fields: the domain checks texts, status and public; facility by its name.
PROFILE = Schema(
    slug=Raw(),
    **{name: Raw() for name in PROFILE_FIELDS if name not in ("facility", "monthly_need", "birth_date")},
    birth_date=BirthDateField(),
    facility=Name(),
    monthly_need=MoneyField(allow_zero=True),
)
NEW_PRISONER = Schema(**{**PROFILE.fields, "slug": Raw(required=True)})


def today():
    return utcnow().date()


def _profile_values(body: dict) -> dict:
    """Profile fields sent in the body, ``facility`` looked up by name."""
    values = {name: body[name] for name in PROFILE_FIELDS if name in body}
    if values.get("facility") is not None:
        values["facility"] = facility_by_name(db.session, values["facility"])
        if values["facility"] is None:
            raise ApiError(422, "unknown_facility", "facility")
    return values


def _summary_json(summary) -> dict:
    return {
        **profile_json(summary.prisoner),
        "balances": [money_json(money) for _currency, money in sorted(summary.balances.items())],
        "runway_months": str(summary.runway) if summary.runway is not None else None,
    }


@bp.get("/prisoners")
def list_prisoners():
    """Public: public prisoners, shortest runway first, with balances, need and runway."""
    page, per_page = page_args(100)
    as_of = request_as_of()
    chosen, total = public_prisoners_page(
        db.session, request.args.get("q") or None, page=page, per_page=per_page, as_of=as_of
    )
    return {
        "prisoners": [_summary_json(s) for s in chosen],
        "page": page,
        "per_page": per_page,
        "total": total,
        "as_of": as_of_json(as_of),
    }


@bp.get("/prisoners/<slug>")
def read_prisoner(slug: str):
    """Public for public prisoners; hidden ones only for signed-in readers."""
    prisoner = prisoner_by_slug(db.session, slug)
    readers = current_user.is_authenticated and current_user.role in READERS
    if prisoner is None or not (prisoner.public or readers):
        raise ApiError(404, "not_found")
    as_of = request_as_of()
    balances = fund_balances(db.session, prisoner, as_of=as_of)
    return {
        "prisoner": {
            **profile_json(prisoner, private=readers),
            "balances": [money_json(m) for _c, m in sorted(balances.items())],
            "lifecycle": lifecycle_json(prisoner, private=readers),
        },
        "as_of": as_of_json(as_of),
    }


@bp.post("/prisoners")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(NEW_PRISONER)
def create_prisoner_api(body: dict):
    prisoner = create_prisoner(db.session, body["slug"], _profile_values(body), actor=current_user)
    return {"prisoner": profile_json(prisoner, private=True)}, 201


@bp.patch("/prisoners/<slug>")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(PROFILE)
def update_prisoner_api(slug: str, body: dict):
    prisoner = prisoner_by_slug(db.session, slug)
    if prisoner is None:
        raise ApiError(404, "not_found")
    if "slug" in body and body["slug"] != prisoner.slug:
        raise ApiError(422, "unknown_field", "slug")
    changes = update_prisoner(db.session, prisoner, _profile_values(body), actor=current_user)
    return {"prisoner": profile_json(prisoner, private=True), "changed": sorted(changes)}, 200


# A donor as the API takes one: the public name shown, the private email (checked by the domain).
DONOR = Object(Schema(public_name=Raw(), email=Raw()), invalid="invalid_text")
DONATION = Schema(
    prisoner=Name(),
    money=MoneyField(required=True),
    method=Name(required=True),
    asset=Name(required=True),
    received_on=DateField(default=today),
    donor=DONOR,
    pledge=Name(),
    memo=Text(),
)


@bp.post("/donations")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(DONATION)
def create_donation(body: dict):
    prisoner = None
    if body.get("prisoner") is not None:
        prisoner = prisoner_by_slug(db.session, body["prisoner"])
        if prisoner is None:
            raise ApiError(422, "unknown_prisoner", "prisoner")
    method = body["method"]
    if method not in DONATION_METHODS or method == "card":
        raise ApiError(422, "unknown_method", "method")
    asset = find_account(db.session, body["asset"])
    if asset is None:
        raise ApiError(422, "bad_asset", "asset")
    pledge = None
    if body.get("pledge") is not None:
        pledge = pledge_by_reference(db.session, body["pledge"])
        if pledge is None:
            raise ApiError(422, "unknown_pledge", "pledge")
    donor = None
    if body.get("donor") is not None:
        donor = make_donor(db.session, **body["donor"])
    donation = record_donation(
        db.session,
        DonationDraft(
            received_on=body["received_on"],
            money=body["money"],
            asset=asset,
            method=method,
            prisoner=prisoner,
            donor=donor,
            pledge=pledge,
            memo=body.get("memo"),
        ),
        recorded_by=current_user,
    )
    return {"entry": entry_json(donation.entry), "pledge": pledge.reference if pledge else None}, 201


TRANSFER = Schema(
    **{"from": Name(required=True), "to": Name(required=True)},
    money=MoneyField(required=True),
    on=DateField(default=today),
    memo=Text(),
)


def transfer_from_json(body: dict) -> TransferBetweenFunds:
    """The JSON body's parser: the command POST /transfers records."""
    return TransferBetweenFunds.named(
        db.session,
        from_fund=body["from"],
        to_fund=body["to"],
        money=body["money"],
        on=body["on"],
        memo=body.get("memo"),
        fields=("from", "to"),
    )


@bp.post("/transfers")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(TRANSFER)
def create_transfer(body: dict):
    entry = record_transfer(db.session, transfer_from_json(body), recorded_by=current_user)
    if isinstance(entry, Approval):
        return pending_payload(entry), 202
    return {"entry": entry_json(entry)}, 201


def pledge_json(
    pledge: Pledge, received: tuple[int, date | None], state: PledgeState, today: date, policy: Policy
) -> dict:
    """A pledge for coordinators: the donor's public name only, never the email, with
    where its instalment schedule stands today."""
    due = state.due(today)
    unpaid = [instalment for instalment in state.instalments if not instalment.is_paid]
    return {
        "reference": pledge.reference,
        "fund": pledge.prisoner.slug if pledge.prisoner else GENERAL,
        "money": minor_json(pledge.amount_minor, pledge.currency),
        "frequency": pledge.frequency,
        "starts_on": pledge.starts_on.isoformat(),
        "ends_on": pledge.ends_on.isoformat() if pledge.ends_on else None,
        "status": pledge.status,
        "donor": {"public_name": pledge.donor.public_name},
        "fulfilment": {
            "received": money_json(Money.from_minor(received[0], pledge.currency)),
            "last_received_on": received[1].isoformat() if received[1] else None,
        },
        "schedule": {
            "instalments_due": len(due),
            "instalments_paid": sum(1 for instalment in due if instalment.is_paid and not instalment.waived),
            "instalments_missed": len(state.missed(today, policy)),
            "open": money_json(Money.from_minor(sum(i.open_minor for i in due), pledge.currency)),
            "next_due_on": unpaid[0].due_on.isoformat() if unpaid else None,
        },
    }


@bp.get("/pledges")
@api_role_required(*READERS)
def list_pledges():
    page, per_page = page_args(100)
    query = select(Pledge).order_by(Pledge.id)
    status = request.args.get("status")
    if status:
        query = query.where(Pledge.status == status)
    pledges = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
    received = received_by_pledge(db.session, [p.id for p in pledges])
    today = utcnow().date()
    policy = policy_of(db.session)
    states = pledge_states(db.session, list(pledges), today, policy)
    return {
        "pledges": [
            pledge_json(p, received.get(p.id, (0, None)), states[p.id], today, policy) for p in pledges
        ],
        "page": page,
        "per_page": per_page,
    }


PLEDGE = Schema(
    fund=Name(required=True),
    money=MoneyField(required=True),
    frequency=Name(required=True),
    starts_on=DateField(default=today),
    ends_on=DateField(),
    donor=DONOR,
)


@bp.post("/pledges")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(PLEDGE)
def create_pledge_api(body: dict):
    fund = body["fund"]
    prisoner = None
    if fund != GENERAL:
        prisoner = prisoner_by_slug(db.session, fund)
        if prisoner is None:
            raise ApiError(422, "unknown_prisoner", "fund")
    donor = make_donor(db.session, **(body.get("donor") or {}))
    pledge = create_pledge(
        db.session,
        prisoner=prisoner,
        money=body["money"],
        frequency=body["frequency"],
        starts_on=body["starts_on"],
        ends_on=body.get("ends_on"),
        donor=donor,
        actor=current_user,
    )
    today = utcnow().date()
    state = pledge_state(db.session, pledge, today)
    return {"pledge": pledge_json(pledge, (0, None), state, today, policy_of(db.session))}, 201


@bp.post("/pledges/<reference>/cancel")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(Schema(), body_optional=True)
def cancel_pledge_api(reference: str, body: dict):
    """End a pledge for good (a card pledge's Stripe subscription is cancelled first; if Stripe
    can't be reached, nothing changes and the answer is 502)."""
    import stripe

    from ledger.web.stripe_events import gateway

    pledge = pledge_by_reference(db.session, reference)
    if pledge is None:
        raise ApiError(404, "not_found")
    try:
        cancel_pledge(
            db.session,
            pledge,
            actor=current_user,
            subscriptions=gateway() if pledge.stripe_subscription_id else None,
        )
    except stripe.StripeError:
        raise ApiError(502, "stripe_unreachable") from None
    today = utcnow().date()
    received = received_by_pledge(db.session, [pledge.id]).get(pledge.id, (0, None))
    state = pledge_state(db.session, pledge, today)
    return {"pledge": pledge_json(pledge, received, state, today, policy_of(db.session))}, 200
