"""JSON errors: ``{"error": {"code", "message", "field"}}`` in the reader's language."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify
from sqlalchemy.exc import OperationalError

from ledger.access.users import AccessError
from ledger.api import bp
from ledger.books.errors import LedgerError
from ledger.edge.messages import message_for
from ledger.extensions import csrf, db
from ledger.money import MoneyError
from ledger.platform.text import TextError

csrf.exempt(bp)


class ApiError(Exception):
    """Raised by API views for request-level problems (bad JSON, missing field)."""

    def __init__(self, status: int, code: str, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.field = field
        self.params = params


# Refusals that depend on the ledger's state rather than on the request itself.
CONFLICT_CODES = {
    "insufficient_funds",
    "duplicate_entry",
    "account_exists",
    "account_not_empty",
    "parcel_quota",
    "parcel_weight",
    "prisoner_unreachable",
    "prisoner_deceased",
    "parcel_reversed",
    "parcel_refunded",
    "parcel_not_returned",
    "parcel_no_outcome",
    "approval_not_pending",
    "letter_already_answered",
    "over_monthly_limit",
    "transfer_not_in_transit",
    "prisoner_released",
    "run_already_approved",
}
# Refusals because of who asks (two-person sign-off: never one's own item).
FORBIDDEN_CODES = {"own_approval", "not_author"}
# Refusals with their own HTTP status.
STATUS_FOR_CODE = {
    "pledge_throttled": 429,
    "pledges_busy": 429,
    "confirmation_mails_busy": 429,
    "not_found": 404,
}


def json_error(status: int, code: str, field: str | None = None, params: dict | None = None):
    body: dict = {"error": {"code": code, "message": message_for(code, params), "field": field}}
    if params and code in ("parcel_quota", "parcel_weight"):
        body["error"]["details"] = {
            key: value.isoformat() if isinstance(value, date) else value for key, value in params.items()
        }
    if params and code == "over_monthly_limit":
        body["error"]["details"] = {
            key: {"amount": str(value.amount), "currency": value.currency}
            for key, value in params.items()
            if key in ("limit", "left", "amount") and hasattr(value, "currency")
        }
    return jsonify(body), status


# The request's boundary (ledger/web/boundary.py) rolls back every answer of 400 or more.
@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return json_error(error.status, error.code, error.field, error.params)


@bp.errorhandler(LedgerError)
def _ledger_error(error: LedgerError):
    status = STATUS_FOR_CODE.get(error.code) or (
        409 if error.code in CONFLICT_CODES else 403 if error.code in FORBIDDEN_CODES else 422
    )
    params = dict(error.params)
    code = error.code
    if error.code == "invalid_entry" and "reason" in params:
        code = str(params.pop("reason"))
    if code == "admins_only":
        status = 403
    return json_error(status, code, error.field, params)


@bp.errorhandler(MoneyError)
def _money_error(error: MoneyError):
    return json_error(422, error.code, "amount", error.params)


@bp.errorhandler(TextError)
def _text_error(error: TextError):
    return json_error(422, error.code, None, error.params)


@bp.errorhandler(AccessError)
def _access_error(error: AccessError):
    return json_error(422, error.code, None, error.params)


@bp.errorhandler(OperationalError)
def _database_unavailable(error: OperationalError):
    current_app.logger.error("database unavailable: %s", error.orig.__class__.__name__)
    db.session.rollback()
    return json_error(503, "database_unavailable")
