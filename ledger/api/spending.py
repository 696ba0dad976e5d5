"""API: disbursements, receipts, conversions and reversals (shared/API.md)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ledger.access.models import WRITERS
from ledger.access.roles import READERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.idempotency import idempotent_write
from ledger.api.parsing import (
    Bool,
    CurrencyField,
    DateField,
    Integer,
    ListOf,
    MoneyField,
    Name,
    Object,
    RateField,
    Raw,
    Schema,
    Text,
    json_request,
)
from ledger.api.serialise import entry_json, pending_payload, receipt_json
from ledger.books.accounts import find_account
from ledger.books.holds import Approval
from ledger.books.models import JournalEntry
from ledger.edge.uploads import attach_upload
from ledger.extensions import db
from ledger.funds.prisoners import fund_by_name
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.spending.conversions import convert_assets, convert_within_fund
from ledger.spending.disbursements import (
    ParcelDraft,
    ParcelItemDraft,
    RecordSpending,
    entry_attachments,
    record_spending,
)
from ledger.spending.kinds import ParcelKind
from ledger.spending.receipts import ReceiptError, attach_receipt
from ledger.spending.reversals import reverse_with_reason


def _entry_payload(entry: JournalEntry) -> dict:
    receipts, parcel = entry_attachments(db.session, entry)
    return {"entry": entry_json(entry, receipts=receipts, parcel=parcel)}


def today():
    return utcnow().date()


# A parcel's details; the domain checks names, quantities, weights and costs against the amount.
PARCEL_ITEM = Schema(
    name=Raw(), quantity=Raw(default=1), grams=Raw(default=0), cost=MoneyField(allow_zero=True)
)
PARCEL = Schema(
    sent_on=DateField(default=today),
    items=ListOf(Object(PARCEL_ITEM, invalid="parcel_empty"), invalid="parcel_empty", max_items=1000),
    tracking_number=Raw(),
    total_grams=Integer(minimum=-(10**9), code="parcel_bad_weight"),
    kind=Raw(default=ParcelKind.PARCEL),
    medical=Bool(),
    override_reason=Raw(),
)
DISBURSEMENT = Schema(
    prisoner=Name(required=True),
    money=MoneyField(required=True),
    category=Name(required=True),
    paid_from=Name(required=True),
    spent_on=DateField(default=today),
    memo=Text(),
    parcel=Object(PARCEL, invalid="parcel_empty"),
)


def spending_from_json(body: dict) -> RecordSpending:
    """The JSON body's parser: the command POST /disbursements records."""
    money = body["money"]
    raw = body.get("parcel")
    parcel = None
    if raw is not None:
        parcel = ParcelDraft(
            sent_on=raw["sent_on"],
            items=[
                ParcelItemDraft(
                    name=item.get("name"),
                    quantity=item["quantity"],
                    grams=item["grams"],
                    cost=item.get("cost") or Money.from_minor(0, money.currency),
                )
                for item in raw.get("items") or []
            ],
            tracking_number=raw.get("tracking_number"),
            total_grams=raw.get("total_grams"),
            kind=raw["kind"],
            medical=raw["medical"],
            override_reason=raw.get("override_reason"),
        )
    return RecordSpending.named(
        db.session,
        prisoner=body["prisoner"],
        paid_from=body["paid_from"],
        money=money,
        category=body["category"],
        spent_on=body["spent_on"],
        memo=body.get("memo"),
        parcel=parcel,
    )


@bp.post("/disbursements")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(DISBURSEMENT)
def create_disbursement(body: dict):
    entry = record_spending(db.session, spending_from_json(body), recorded_by=current_user)
    if isinstance(entry, Approval):
        return pending_payload(entry), 202
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
        receipt = attach_upload(attach_receipt, entry, upload)
    except ReceiptError as error:
        if error.code == "receipt_not_spending":
            raise ApiError(409, error.code, None) from None
        raise ApiError(422, error.code, "file", **error.params) from None
    return {"receipt": receipt_json(receipt)}, 201


CONVERSION = Schema(
    fund=Name(),
    **{"from": MoneyField(required=True)},
    to=MoneyField(),
    to_currency=CurrencyField(),
    rate=RateField(),
    date=DateField(default=today),
    memo=Text(),
    from_account=Name(),
    to_account=Name(),
)


@bp.post("/conversions")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(CONVERSION)
def create_conversion(body: dict):
    target = body.get("to")
    if target is None and body.get("to_currency") is None:
        raise ApiError(422, "missing_field", "to_currency")
    target_currency = target.currency if target is not None else body["to_currency"]
    rate = body.get("rate")
    if target is None and rate is None:
        raise ApiError(422, "missing_field", "to")
    common = dict(
        source=body["from"],
        target_currency=target_currency,
        target=target,
        rate=rate,
        on=body["date"],
        memo=body.get("memo"),
        recorded_by=current_user,
    )
    if body.get("fund") is not None:
        fund = fund_by_name(db.session, body["fund"])
        if fund is None:
            raise ApiError(422, "unknown_prisoner", "fund")
        entry = convert_within_fund(db.session, fund=fund, **common)
    else:
        for name in ("from_account", "to_account"):
            if body.get(name) is None:
                raise ApiError(422, "missing_field", name)
        from_account = find_account(db.session, body["from_account"])
        to_account = find_account(db.session, body["to_account"])
        if from_account is None or to_account is None:
            raise ApiError(422, "unknown_account", "from_account" if from_account is None else "to_account")
        entry = convert_assets(db.session, from_account=from_account, to_account=to_account, **common)
    return _entry_payload(entry), 201


REVERSAL = Schema(reason=Text(max_length=300, required=True), date=DateField(default=today))


@bp.post("/entries/<int:entry_id>/reverse")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(REVERSAL)
def reverse(entry_id: int, body: dict):
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None:
        raise ApiError(404, "not_found")
    reversal = reverse_with_reason(
        db.session,
        entry,
        reason=body["reason"] or "",
        recorded_by=current_user,
        on=body["date"],
    )
    return _entry_payload(reversal), 201


@bp.get("/entries/<int:entry_id>")
@api_role_required(*READERS)
def show_entry(entry_id: int):
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None:
        raise ApiError(404, "not_found")
    return _entry_payload(entry)
