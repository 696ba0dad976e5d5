"""API: the admins' settings for donors — the bank details they are told to pay to, per
currency, and the pledge rules with the email retention period.

Without bank details for a currency, ``POST /public-pledges`` in it answers
``no_bank_details``: an organisation set up through the API alone sets them here."""

from __future__ import annotations

from flask_login import current_user

from ledger.access.models import READERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.idempotency import idempotent_write
from ledger.api.parsing import Raw, Schema, json_request
from ledger.extensions import db
from ledger.funds.bank_details import all_bank_details, delete_bank_details, save_bank_details
from ledger.funds.models import BankDetails, DonorSettings
from ledger.funds.schedules import donor_settings, save_donor_rules

# Text of several lines (beneficiary, IBAN, purpose of payment), checked line by line by the domain.
BANK_DETAILS = Schema(details_en=Raw(required=True), details_ru=Raw(required=True))


def bank_details_json(row: BankDetails) -> dict:
    return {
        "currency": row.currency,
        "details_en": row.details_en,
        "details_ru": row.details_ru,
        "updated_at": row.updated_at.isoformat() + "Z",
    }


@bp.get("/settings/bank-details")
@api_role_required(*READERS)
def list_bank_details():
    return {"bank_details": [bank_details_json(row) for row in all_bank_details(db.session)]}


@bp.put("/settings/bank-details/<currency>")
@api_role_required("admin")
@idempotent_write
@json_request(BANK_DETAILS)
def put_bank_details(currency: str, body: dict):
    """Set (or replace) the details for ``currency`` in English and Russian."""
    row = save_bank_details(
        db.session, currency, details_en=body["details_en"], details_ru=body["details_ru"], actor=current_user
    )
    return {"bank_details": bank_details_json(row)}, 200


@bp.delete("/settings/bank-details/<currency>")
@api_role_required("admin")
def remove_bank_details(currency: str):
    """Take no more transfer pledges in ``currency``; pledges already made keep their reference."""
    delete_bank_details(db.session, currency, actor=current_user)
    return "", 204


# Whole numbers, checked (type and limits) by the domain, as the page's form checks them.
DONOR_RULES = Schema(
    overdue_days=Raw(required=True), lapse_missed=Raw(required=True), email_retention_days=Raw(required=True)
)


def donor_rules_json(row: DonorSettings) -> dict:
    return {
        "overdue_days": row.overdue_days,
        "lapse_missed": row.lapse_missed,
        "email_retention_days": row.email_retention_days,
    }


@bp.get("/settings/donor-rules")
@api_role_required(*READERS)
def get_donor_rules():
    return {"donor_rules": donor_rules_json(donor_settings(db.session))}


@bp.put("/settings/donor-rules")
@api_role_required("admin")
@idempotent_write
@json_request(DONOR_RULES)
def put_donor_rules(body: dict):
    """An instalment is missed N days after its due date, a pledge lapses after M missed ones,
    a donor's email is deleted after the retention period; the pledge job applies them."""
    row = save_donor_rules(db.session, actor=current_user, **body)
    return {"donor_rules": donor_rules_json(row)}, 200
