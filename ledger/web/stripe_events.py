"""Stripe's side: the signed webhook (each event recorded once) and the list of Stripe events
that wait for a coordinator or an admin."""

from __future__ import annotations

import stripe
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ledger.access.roles import WRITERS, Role
from ledger.books.errors import LedgerError
from ledger.edge.messages import message_for
from ledger.extensions import csrf, db
from ledger.money import MoneyError
from ledger.payments.kinds import EventStatus
from ledger.payments.models import StripeEvent
from ledger.payments.stripe_api import StripeGateway
from ledger.payments.webhooks import (
    WebhookContext,
    WebhookRejected,
    is_known_event,
    mark_unprocessable,
    process_event,
    replay_event,
    store_event,
    verify_event,
)
from ledger.web.access_control import role_required
from ledger.web.boundary import attempt

bp = Blueprint("stripe", __name__)


def gateway() -> StripeGateway:
    config = current_app.config
    return StripeGateway(config.get("STRIPE_SECRET_KEY") or "", api_base=config.get("STRIPE_API_BASE"))


def _payout_account(currency: str) -> str:
    configured = current_app.config.get("STRIPE_PAYOUT_ACCOUNTS") or {}
    return configured.get(currency) or f"assets:bank:{currency.lower()}-stripe-payouts"


def _context() -> WebhookContext:
    return WebhookContext(session=db.session, gateway=gateway(), payout_account=_payout_account)


def _answer(status: str, code: int = 200):
    return jsonify({"status": status}), code


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    config = current_app.config
    payload = request.get_data(cache=False)
    try:
        event = verify_event(
            payload,
            request.headers.get("Stripe-Signature"),
            config.get("STRIPE_WEBHOOK_SECRET"),
            tolerance=int(config.get("STRIPE_WEBHOOK_TOLERANCE") or 0),
        )
    except WebhookRejected as rejected:
        if rejected.code == "not_configured":
            current_app.logger.error("Stripe webhook secret or tolerance not configured")
            return _answer(rejected.code, 503)
        return jsonify({"error": {"code": rejected.code, "message": message_for(rejected.code)}}), 400
    if is_known_event(db.session, event["id"]):
        return _answer("duplicate")
    if not config.get("STRIPE_SECRET_KEY"):
        current_app.logger.error("STRIPE_SECRET_KEY is not set: Stripe events wait")
        return _answer("not_configured", 503)
    # Flushed here, committed by the request's boundary: a unique key that another delivery of
    # the same event holds shows at the flush (PostgreSQL waits for that delivery to finish).
    try:
        row = store_event(db.session, event)
        process_event(_context(), row, event)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if is_known_event(db.session, event["id"]):  # delivered twice at once: the other delivery won
            return _answer("duplicate")
        return _answer("retry_later", 503)  # another writer raced us to a new account: Stripe retries
    except (LedgerError, MoneyError) as error:
        db.session.rollback()
        current_app.logger.warning("Stripe event %s not recordable: %s", event["id"], error.code)
        try:
            mark_unprocessable(db.session, event, error)
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return _answer("duplicate")
        return _answer("needs_attention")
    except stripe.StripeError as error:  # Stripe's API unreachable: nothing kept, Stripe retries
        db.session.rollback()
        current_app.logger.warning("Stripe API error for event %s: %s", event["id"], type(error).__name__)
        return _answer("retry_later", 503)
    return _answer(row.status)


# ---- events that wait ----------------------------------------------------------------------


@bp.route("/stripe/events")
@role_required(*WRITERS)
def held_events():
    events = db.session.scalars(
        select(StripeEvent)
        .where(StripeEvent.status == EventStatus.NEEDS_ATTENTION)
        .order_by(StripeEvent.received_at)
    ).all()
    rows = [(event, message_for(event.detail or "stripe_data")) for event in events]
    return render_template("donate/held_events.html", rows=rows)


def _replay(event_id: str, *, as_advance: bool):
    row = db.session.get(StripeEvent, event_id)
    if row is None or row.status != "needs_attention":
        abort(404)
    context = _context()
    context.recorded_by = current_user
    context.as_advance = as_advance
    with attempt() as outcome:
        try:
            replay_event(context, row)
        except stripe.StripeError:
            db.session.rollback()
            flash(message_for("stripe_unreachable"), "error")
            return redirect(url_for("stripe.held_events"))
    if not outcome.ok:
        return redirect(url_for("stripe.held_events"))
    if row.status == EventStatus.PROCESSED:
        flash(_("The Stripe event was recorded."), "success")
    else:
        flash(message_for(row.detail or "invalid_entry"), "error")
    return redirect(url_for("stripe.held_events"))


@bp.route("/stripe/events/<event_id>/retry", methods=["POST"])
@role_required(*WRITERS)
def retry_event(event_id: str):
    return _replay(event_id, as_advance=False)


@bp.route("/stripe/events/<event_id>/advance", methods=["POST"])
@role_required(Role.ADMIN)
def advance_event(event_id: str):
    return _replay(event_id, as_advance=True)
