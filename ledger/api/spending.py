"""API: disbursements, receipts, conversions and reversals (shared/API.md)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, request
from flask_login import current_user

from ledger.access.models import WRITERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.idempotency import idempotent_write
from ledger.api.parsing import (
    currency_field,
    date_field,
    json_body,
    money_field,
    rate_field,
    required,
    text_field,
)
from ledger.api.serialise import entry_json, receipt_json
from ledger.books.accounts import find_account
from ledger.books.models import JournalEntry
from ledger.database import utcnow
from ledger.extensions import db
from ledger.funds.prisoners import fund_by_name, prisoner_by_slug
from ledger.money import MoneyError, parse_amount
from ledger.spending.conversions import convert_assets, convert_within_fund
from ledger.spending.disbursements import ParcelDraft, ParcelItemDraft, entry_attachments, record_disbursement
from ledger.spending.receipts import ReceiptError, attach_receipt
from ledger.spending.reversals import reverse_with_reason


def _entry_payload(entry: JournalEntry) -> dict:
    receipts, parcel = entry_attachments(db.session, entry)
    return {"entry": entry_json(entry, receipts=receipts, parcel=parcel)}


def _parcel(data: dict, currency: str) -> ParcelDraft | None:
    raw = data.get("parcel")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ApiError(422, "parcel_empty", "parcel")
    items = []
    for item in raw.get("items") or []:
        if not isinstance(item, dict):
            raise ApiError(422, "parcel_empty", "parcel")
        cost = item.get("cost") or {"amount": "0", "currency": currency}
        try:
            money = parse_amount(cost.get("amount"), cost.get("currency"), allow_zero=True)
        except (MoneyError, AttributeError):
            raise ApiError(422, "invalid_amount", "parcel") from None
        items.append(
            ParcelItemDraft(
                name=item.get("name"),
                quantity=item.get("quantity", 1),
                grams=item.get("grams", 0),
                cost=money,
            )
        )
    total = raw.get("total_grams")
    if total is not None and (not isinstance(total, int) or isinstance(total, bool)):
        raise ApiError(422, "parcel_bad_weight", "parcel")
    medical = raw.get("medical", False)
    if not isinstance(medical, bool):
        raise ApiError(422, "invalid_boolean", "parcel")
    return ParcelDraft(
        sent_on=date_field(raw, "sent_on", default=utcnow().date()),
        items=items,
        tracking_number=raw.get("tracking_number"),
        total_grams=total,
        kind=raw.get("kind", "parcel"),
        medical=medical,
        override_reason=raw.get("override_reason"),
    )


@bp.post("/disbursements")
@api_role_required(*WRITERS)
@idempotent_write
def create_disbursement():
    data = json_body()
    prisoner = prisoner_by_slug(db.session, required(data, "prisoner"))
    if prisoner is None:
        raise ApiError(422, "unknown_prisoner", "prisoner")
    money = money_field(data, "money")
    paid_from = find_account(db.session, required(data, "paid_from"))
    if paid_from is None:
        raise ApiError(422, "bad_paid_from", "paid_from")
    entry = record_disbursement(
        db.session,
        prisoner=prisoner,
        money=money,
        category=required(data, "category"),
        paid_from=paid_from,
        spent_on=date_field(data, "spent_on", default=utcnow().date()),
        memo=text_field(data, "memo"),
        parcel=_parcel(data, money.currency),
        recorded_by=current_user,
    )
    return _entry_payload(entry), 201


@bp.post("/disbursements/<int:entry_id>/receipts")
@api_role_required(*WRITERS)
def upload_receipt(entry_id: int):
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None:
        raise ApiError(404, "not_found")
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "missing_field", "file")
    try:
        receipt = attach_receipt(
            db.session,
            entry,
            upload.read(current_app.config["RECEIPT_MAX_BYTES"] + 1),
            original_name=upload.filename,
            storage_root=Path(current_app.instance_path) / "receipts",
            max_bytes=current_app.config["RECEIPT_MAX_BYTES"],
            uploaded_by=current_user,
        )
    except ReceiptError as error:
        raise ApiError(422, error.code, "file", **error.params) from None
    return {"receipt": receipt_json(receipt)}, 201


@bp.post("/conversions")
@api_role_required(*WRITERS)
@idempotent_write
def create_conversion():
    data = json_body()
    source = money_field(data, "from")
    target = money_field(data, "to") if data.get("to") is not None else None
    target_currency = target.currency if target is not None else currency_field(data, "to_currency")
    rate = rate_field(data, "rate")
    if target is None and rate is None:
        raise ApiError(422, "missing_field", "to")
    common = dict(
        source=source,
        target_currency=target_currency,
        target=target,
        rate=rate,
        on=date_field(data, "date", default=utcnow().date()),
        memo=text_field(data, "memo"),
        recorded_by=current_user,
    )
    if data.get("fund") is not None:
        fund = fund_by_name(db.session, data["fund"])
        if fund is None:
            raise ApiError(422, "unknown_prisoner", "fund")
        entry = convert_within_fund(db.session, fund=fund, **common)
    else:
        from_account = find_account(db.session, required(data, "from_account"))
        to_account = find_account(db.session, required(data, "to_account"))
        if from_account is None or to_account is None:
            raise ApiError(422, "unknown_account", "from_account" if from_account is None else "to_account")
        entry = convert_assets(db.session, from_account=from_account, to_account=to_account, **common)
    return _entry_payload(entry), 201


@bp.post("/entries/<int:entry_id>/reverse")
@api_role_required(*WRITERS)
@idempotent_write
def reverse(entry_id: int):
    data = json_body()
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None:
        raise ApiError(404, "not_found")
    reversal = reverse_with_reason(
        db.session,
        entry,
        reason=text_field(data, "reason", max_length=300, required_=True) or "",
        recorded_by=current_user,
        on=date_field(data, "date", default=utcnow().date()),
    )
    return _entry_payload(reversal), 201


@bp.get("/entries/<int:entry_id>")
@api_role_required("admin", "coordinator", "auditor")
def show_entry(entry_id: int):
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None:
        raise ApiError(404, "not_found")
    return _entry_payload(entry)
