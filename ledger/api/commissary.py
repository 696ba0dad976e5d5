"""API: commissary support — transfers to personal accounts, the personal-account view,
monthly top-ups and the monthly top-up run (shared/API.md, "commissary")."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from ledger.access.models import READERS, WRITERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.idempotency import idempotent_write
from ledger.api.parsing import Bool, DateField, MoneyField, Name, Schema, Text, json_request
from ledger.api.serialise import money_json, pending_payload
from ledger.books.accounts import find_account
from ledger.books.holds import Approval
from ledger.commissary.kinds import TRANSFER_STATUSES
from ledger.commissary.limits import personal_account
from ledger.commissary.models import CommissaryRun, CommissaryTransfer
from ledger.commissary.runs import approve_run, prepare_run, set_top_up, summary
from ledger.commissary.transfers import (
    TransferRow,
    credit_transfer,
    find_transfer,
    return_transfer,
    send_transfer,
    transfer_rows,
)
from ledger.extensions import db
from ledger.funds.prisoners import prisoner_by_slug
from ledger.platform.database import utcnow


def today():
    return utcnow().date()


def watch_days() -> int:
    return int(current_app.config.get("COMMISSARY_WATCH_DAYS", 7))


def transfer_json(transfer: CommissaryTransfer, row: TransferRow | None = None) -> dict:
    data = {
        "id": transfer.id,
        "prisoner": transfer.prisoner.slug,
        "status": transfer.status,
        "channel": transfer.channel,
        "money": money_json(transfer.money),
        "fee": money_json(transfer.fee),
        "paid_from": transfer.paid_from.name,
        "sent_on": transfer.sent_on.isoformat(),
        "settled_on": transfer.settled_on.isoformat() if transfer.settled_on else None,
        "sent_entry": transfer.sent_entry_id,
        "settled_entry": transfer.settled_entry_id,
        "return_reason": transfer.return_reason,
        "over_limit_reason": transfer.over_limit_reason,
        "memo": transfer.memo,
        "run_month": transfer.run_month,
    }
    if row is not None:
        data["days_in_transit"] = row.days_in_transit
        data["moved_on"] = row.moved_on.isoformat() if row.moved_on else None
        data["overdue"] = row.overdue
    return data


def _prisoner(slug: str, field: str = "prisoner"):
    prisoner = prisoner_by_slug(db.session, slug)
    if prisoner is None:
        raise ApiError(422, "unknown_prisoner", field)
    return prisoner


TRANSFER = Schema(
    prisoner=Name(required=True),
    money=MoneyField(required=True),
    channel=Name(required=True),
    fee=MoneyField(allow_zero=True),
    paid_from=Name(required=True),
    sent_on=DateField(default=today),
    memo=Text(),
    allow_over_limit=Bool(),
    over_limit_reason=Text(),
)


@bp.post("/commissary/transfers")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(TRANSFER)
def create_commissary_transfer(body: dict):
    prisoner = _prisoner(body["prisoner"])
    paid_from = find_account(db.session, body["paid_from"])
    if paid_from is None:
        raise ApiError(422, "bad_paid_from", "paid_from")
    transfer = send_transfer(
        db.session,
        prisoner=prisoner,
        money=body["money"],
        channel=body["channel"],
        fee=body.get("fee"),
        paid_from=paid_from,
        sent_on=body["sent_on"],
        memo=body.get("memo"),
        allow_over_limit=bool(body.get("allow_over_limit")),
        over_limit_reason=body.get("over_limit_reason"),
        recorded_by=current_user,
    )
    if isinstance(transfer, Approval):
        return pending_payload(transfer), 202
    return {"transfer": transfer_json(transfer)}, 201


def _transfer(transfer_id: int) -> CommissaryTransfer:
    transfer = find_transfer(db.session, transfer_id)
    if transfer is None:
        raise ApiError(404, "not_found")
    return transfer


CREDITED = Schema(on=DateField(default=today))
RETURNED = Schema(on=DateField(default=today), reason=Text())


@bp.post("/commissary/transfers/<int:transfer_id>/credited")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(CREDITED)
def commissary_transfer_credited(transfer_id: int, body: dict):
    transfer = credit_transfer(db.session, _transfer(transfer_id), on=body["on"], recorded_by=current_user)
    return {"transfer": transfer_json(transfer)}, 200


@bp.post("/commissary/transfers/<int:transfer_id>/returned")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(RETURNED)
def commissary_transfer_returned(transfer_id: int, body: dict):
    transfer = return_transfer(
        db.session, _transfer(transfer_id), on=body["on"], reason=body.get("reason"), recorded_by=current_user
    )
    return {"transfer": transfer_json(transfer)}, 200


@bp.get("/commissary/transfers")
@api_role_required(*READERS)
def list_commissary_transfers():
    status = request.args.get("status") or None
    if status is not None and status not in TRANSFER_STATUSES:
        raise ApiError(422, "unknown_transfer_status", "status")
    prisoner = None
    if request.args.get("prisoner"):
        prisoner = prisoner_by_slug(db.session, request.args["prisoner"])
        if prisoner is None:
            raise ApiError(422, "unknown_prisoner", "prisoner")
    rows = transfer_rows(db.session, status=status, prisoner=prisoner, watch_days=watch_days(), limit=1000)
    return {"transfers": [transfer_json(row.transfer, row) for row in rows], "watch_days": watch_days()}


@bp.get("/prisoners/<slug>/personal-account")
@api_role_required(*READERS)
def personal_account_view(slug: str):
    prisoner = prisoner_by_slug(db.session, slug)
    if prisoner is None:
        raise ApiError(404, "not_found")
    account = personal_account(db.session, prisoner)
    return {
        "personal_account": {
            "month": account.month.isoformat()[:7],
            "in_transit": money_json(account.in_transit),
            "credited_this_month": money_json(account.credited),
            "limit": money_json(account.limit) if account.limit is not None else None,
            "left": money_json(account.left) if account.left is not None else None,
            "legal_basis": account.legal_basis,
        }
    }


TOP_UP = Schema(
    money=MoneyField(), channel=Name(default="zonatelecom"), paid_from=Name(), fee=MoneyField(allow_zero=True)
)


@bp.put("/prisoners/<slug>/top-up")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(TOP_UP)
def put_top_up(slug: str, body: dict):
    prisoner = prisoner_by_slug(db.session, slug)
    if prisoner is None:
        raise ApiError(404, "not_found")
    money = body.get("money")
    paid_from = None
    if money is not None:
        if body.get("paid_from") is None:
            raise ApiError(422, "missing_field", "paid_from")
        paid_from = find_account(db.session, body["paid_from"])
        if paid_from is None:
            raise ApiError(422, "bad_paid_from", "paid_from")
    top_up = set_top_up(
        db.session,
        prisoner,
        money=money,
        channel=body["channel"],
        paid_from=paid_from,
        fee=body.get("fee"),
        actor=current_user,
    )
    if top_up is None or not top_up.active:
        return {"top_up": None}, 200
    return {
        "top_up": {
            "money": money_json(top_up.money),
            "fee": money_json(top_up.fee),
            "channel": top_up.channel,
            "paid_from": top_up.paid_from.name,
        }
    }, 200


def run_json(run: CommissaryRun) -> dict:
    counts = summary(run)
    return {
        "id": run.id,
        "month": run.month,
        "status": run.status,
        "prepared_by": run.prepared_by_id,
        "approved_by": run.approved_by_id,
        "to_send": counts.to_send,
        "skipped": counts.skipped,
        "sent": counts.sent,
        "lines": [
            {
                "prisoner": line.prisoner.slug,
                "money": money_json(line.money),
                "fee": money_json(line.fee),
                "channel": line.channel,
                "paid_from": line.paid_from.name,
                "skip_reason": line.skip_reason,
                "transfer": line.transfer_id,
            }
            for line in run.lines
        ],
        "log": [
            {
                "at": event.at.isoformat(),
                "event": event.event,
                "user": event.user_id,
                "transfer": event.transfer_id,
                "detail": event.detail,
            }
            for event in run.log
        ],
    }


RUN = Schema(month=Text(required=True, max_length=7))


@bp.post("/commissary/runs")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(RUN)
def create_commissary_run(body: dict):
    run = prepare_run(db.session, body["month"], prepared_by=current_user)
    return {"run": run_json(run)}, 201


@bp.get("/commissary/runs/<int:run_id>")
@api_role_required(*READERS)
def show_commissary_run(run_id: int):
    run = db.session.get(CommissaryRun, run_id)
    if run is None:
        raise ApiError(404, "not_found")
    return {"run": run_json(run)}


@bp.post("/commissary/runs/<int:run_id>/approve")
@api_role_required(*WRITERS)
@idempotent_write
@json_request(Schema())
def approve_commissary_run(run_id: int, body: dict):
    run = approve_run(db.session, run_id, approver=current_user)
    return {"run": run_json(run)}, 200
