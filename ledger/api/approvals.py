"""API: two-person sign-off — thresholds, the queue, approve, reject, withdraw, receipts."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ledger.access.models import READERS, WRITERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.idempotency import idempotent_write
from ledger.api.parsing import Schema, Text, ThresholdsBody, json_request, page_args
from ledger.api.serialise import approval_json, entry_json, money_json, receipt_json
from ledger.books.holds import Approval, held_per_account
from ledger.books.kinds import APPROVAL_STATUSES, ApprovalStatus
from ledger.edge.uploads import attach_upload
from ledger.extensions import db
from ledger.signoff.decisions import approval_receipts, approve, list_approvals, reject, withdraw
from ledger.signoff.thresholds import approval_thresholds, set_approval_thresholds
from ledger.spending.disbursements import entry_attachments
from ledger.spending.receipts import ReceiptError, attach_approval_receipt


def _thresholds_payload() -> dict:
    return {
        "thresholds": {
            currency: str(money.amount) for currency, money in approval_thresholds(db.session).items()
        }
    }


@bp.get("/settings/approval-thresholds")
@api_role_required(*READERS)
def get_approval_thresholds():
    return _thresholds_payload()


THRESHOLDS = ThresholdsBody()
DECISION = Schema(reason=Text(max_length=300))
REJECTION = Schema(reason=Text(max_length=300, required=True))


@bp.put("/settings/approval-thresholds")
@api_role_required("admin")
@idempotent_write
@json_request(THRESHOLDS)
def put_approval_thresholds(body):
    """The whole set, the body being the map itself (API.md): ``{"RUB": "10000.00", "EUR":
    "100.00"}``; a currency left out needs no sign-off, ``{}`` clears them all.  The shape
    this endpoint took before, ``{"thresholds": {…}}``, is read too."""
    set_approval_thresholds(db.session, body["thresholds"], user=current_user)
    return _thresholds_payload(), 200


def _approval_or_404(approval_id: int) -> Approval:
    approval = db.session.get(Approval, approval_id)
    if approval is None:
        raise ApiError(404, "not_found")
    return approval


@bp.get("/approvals")
@api_role_required(*READERS)
def approvals_queue():
    """What waits for a second person (``?status=`` for decided items), and what is held per account."""
    status = request.args.get("status", ApprovalStatus.PENDING)
    if status not in (*APPROVAL_STATUSES, "all"):
        raise ApiError(422, "unknown_approval_status", "status")
    page, per_page = page_args()
    found = list_approvals(
        db.session, status=None if status == "all" else status, page=page, per_page=per_page
    )
    return {
        "items": [approval_json(item) for item in found.items],
        "page": page,
        "per_page": per_page,
        "total": found.total,
        "held": [
            {"account": account.name, "money": money_json(money)}
            for account, money in held_per_account(db.session)
        ],
    }


@bp.get("/approvals/<int:approval_id>")
@api_role_required(*READERS)
def show_approval(approval_id: int):
    approval = _approval_or_404(approval_id)
    return {"approval": approval_json(approval, receipts=approval_receipts(db.session, approval))}


@bp.post("/approvals/<int:approval_id>/approve")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(Schema(), body_optional=True)
def approve_item(approval_id: int, body):
    _approval_or_404(approval_id)
    entry = approve(db.session, approval_id, approver=current_user)
    approval = db.session.get(Approval, approval_id)
    receipts, parcel = entry_attachments(db.session, entry)
    return {
        "status": "approved",
        "approval": approval_json(approval),
        "entry": entry_json(entry, receipts=receipts, parcel=parcel),
    }, 201


@bp.post("/approvals/<int:approval_id>/reject")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(REJECTION)
def reject_item(approval_id: int, body):
    _approval_or_404(approval_id)
    approval = reject(db.session, approval_id, user=current_user, reason=body["reason"] or "")
    return {"status": "rejected", "approval": approval_json(approval)}, 200


@bp.post("/approvals/<int:approval_id>/withdraw")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(DECISION, body_optional=True)
def withdraw_item(approval_id: int, body):
    _approval_or_404(approval_id)
    approval = withdraw(db.session, approval_id, user=current_user, reason=body.get("reason"))
    return {"status": "withdrawn", "approval": approval_json(approval)}, 200


@bp.post("/approvals/<int:approval_id>/receipts")
@api_role_required(*WRITERS)
def upload_approval_receipt(approval_id: int):
    approval = _approval_or_404(approval_id)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "missing_field", "file")
    try:
        receipt = attach_upload(attach_approval_receipt, approval, upload)
    except ReceiptError as error:
        status = 409 if error.code == "approval_not_pending" else 422
        raise ApiError(status, error.code, "file", **error.params) from None
    return {"receipt": receipt_json(receipt)}, 201
