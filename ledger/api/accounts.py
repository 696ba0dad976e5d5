"""API: asset accounts (bank, cash, Stripe, intermediary) and facilities (shared/API.md)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select

from ledger.access.models import READERS, WRITERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.idempotency import idempotent_write
from ledger.api.parsing import Raw, Schema, json_request, page_args
from ledger.api.serialise import money_json
from ledger.books.asset_accounts import (
    asset_account_by_name,
    asset_accounts,
    close_account,
    open_account,
    relabel_account,
)
from ledger.books.models import Account
from ledger.extensions import db
from ledger.funds.models import Facility
from ledger.funds.prisoners import facility_by_id, save_facility


def _no_unknown_fields(data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ApiError(422, "unknown_field", sorted(unknown)[0])


def account_json(account: Account, balances: dict) -> dict:
    return {
        "name": account.name,
        "kind": account.kind,
        "currency": account.currency,
        "label": account.label,
        "label_ru": account.label_ru,
        "open": account.closed_at is None,
        "closed_at": account.closed_at.isoformat() + "Z" if account.closed_at else None,
        "balance": [money_json(money) for _currency, money in sorted(balances.items())],
    }


@bp.get("/accounts")
@api_role_required(*READERS)
def list_accounts():
    page, per_page = page_args(100)
    lines = asset_accounts(db.session)
    chosen = lines[(page - 1) * per_page : page * per_page]
    return {
        "accounts": [account_json(line.account, line.balances) for line in chosen],
        "page": page,
        "per_page": per_page,
        "total": len(lines),
    }


# kind and regime choose the parcel rules (ledger/spending/parcel_law.py).
# postal_address_ru and postal_address_latin are where letters go (ledger/letters/addresses.py).
FACILITY_FIELDS = {"name", "address", "region", "kind", "regime", "postal_address_ru", "postal_address_latin"}
FACILITY = Schema(**{name: Raw() for name in FACILITY_FIELDS})
NEW_ACCOUNT = Schema(**{name: Raw() for name in ("name", "kind", "currency", "label", "label_ru")})
ACCOUNT_CHANGE = Schema(label=Raw(), label_ru=Raw(), open=Raw())


@bp.post("/accounts")
@api_role_required("admin")
@idempotent_write
@json_request(NEW_ACCOUNT)
def create_account(body: dict):
    data = body
    account = open_account(
        db.session,
        data.get("name"),
        currency=data.get("currency"),
        label=data.get("label"),
        label_ru=data.get("label_ru"),
        kind=data.get("kind"),
        actor=current_user,
    )
    return {"account": account_json(account, {})}, 201


@bp.patch("/accounts/<name>")
@api_role_required("admin")
@idempotent_write
@json_request(ACCOUNT_CHANGE)
def update_account(name: str, body: dict):
    account = asset_account_by_name(db.session, name)
    if account is None:
        raise ApiError(404, "not_found")
    data = body
    if "open" in data and data["open"] not in (True, False):
        raise ApiError(422, "invalid_boolean", "open")
    if data.get("open") is True and account.closed_at is not None:
        raise ApiError(409, "account_closed", "open", account=account.name)
    changed = relabel_account(
        db.session,
        account,
        label=data.get("label", ...),
        label_ru=data.get("label_ru", ...),
        actor=current_user,
    )
    if data.get("open") is False:
        close_account(db.session, account, actor=current_user)
        changed.append("open")
    balances = {line.account.id: line.balances for line in asset_accounts(db.session)}
    return {"account": account_json(account, balances.get(account.id, {})), "changed": changed}, 200


def facility_json(facility: Facility) -> dict:
    return {
        "id": facility.id,
        "name": facility.name,
        "address": facility.address,
        "region": facility.region,
        "kind": facility.kind,
        "regime": facility.regime,
        "postal_address_ru": facility.postal_address_ru,
        "postal_address_latin": facility.postal_address_latin,
    }


@bp.get("/facilities")
def list_facilities():
    """Public: facilities are public places; no prisoner is named here."""
    page, per_page = page_args(100)
    total = db.session.scalar(select(func.count()).select_from(Facility)) or 0
    facilities = db.session.scalars(
        select(Facility).order_by(Facility.name).offset((page - 1) * per_page).limit(per_page)
    )
    return {
        "facilities": [facility_json(f) for f in facilities],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


@bp.post("/facilities")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(FACILITY)
def create_facility(body: dict):
    data = body
    if data.get("name") in (None, ""):
        raise ApiError(422, "missing_field", "name")
    facility = save_facility(
        db.session,
        None,
        name=data.get("name"),
        address=data.get("address"),
        region=data.get("region"),
        kind=data.get("kind"),
        regime=data.get("regime"),
        postal_address_ru=data.get("postal_address_ru"),
        postal_address_latin=data.get("postal_address_latin"),
        actor=current_user,
    )
    return {"facility": facility_json(facility)}, 201


@bp.patch("/facilities/<int:facility_id>")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(FACILITY)
def update_facility(facility_id: int, body: dict):
    facility = facility_by_id(db.session, facility_id)
    if facility is None:
        raise ApiError(404, "not_found")
    data = body
    facility = save_facility(
        db.session,
        facility,
        name=data.get("name", facility.name),
        address=data.get("address", facility.address),
        region=data.get("region", facility.region),
        max_parcel_grams=facility.max_parcel_grams,
        max_parcels_per_month=facility.max_parcels_per_month,
        kind=data.get("kind"),
        regime=data.get("regime"),
        postal_address_ru=data.get("postal_address_ru", ...),
        postal_address_latin=data.get("postal_address_latin", ...),
        actor=current_user,
    )
    return {"facility": facility_json(facility)}, 200
