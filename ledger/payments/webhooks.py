"""Stripe webhooks: verify the signature and its timestamp, store each event once, and
turn the events we understand into ledger entries.

Stripe's events are notifications; the amounts come from the API (charge and balance
transaction), so events may arrive in any order and several may describe one charge.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.descriptions import describe
from ledger.books.errors import InsufficientFunds, LedgerError
from ledger.books.posting import Recorder
from ledger.funds.models import Donation, Donor, Pledge
from ledger.funds.schedules import set_status
from ledger.money import MoneyError
from ledger.payments.card_entries import (
    Attribution,
    StripeDataError,
    attribution_from_metadata,
    entry_for_transaction,
    record_charge,
    record_outflow,
    record_payout,
    record_payout_return,
)
from ledger.payments.kinds import EventStatus
from ledger.payments.models import StripeEvent
from ledger.payments.stripe_api import StripeGateway, StripeJson, from_stripe_amount
from ledger.platform.database import utcnow
from ledger.platform.json_input import JsonInputError, loads_limited

# Stripe signs the moment it sends; a clock a little ahead of ours is not an attack.
FUTURE_SKEW_SECONDS = 60


class WebhookRejected(Exception):
    """The request is not a genuine, fresh Stripe event; nothing was stored."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _signature_timestamp(header: str) -> int:
    stamps = [part.split("=", 1)[1] for part in header.split(",") if part.strip().startswith("t=")]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        raise WebhookRejected("bad_signature")
    return int(stamps[0].strip())


def verify_event(
    payload: bytes, header: str | None, secret: str | None, *, tolerance: int, now: float | None = None
) -> StripeJson:
    """Return the event as a dict when ``header`` is Stripe's valid signature of
    ``payload`` made within ``tolerance`` seconds; raise WebhookRejected otherwise.

    The library skips the age check when the tolerance is 0 and never refuses
    timestamps from the future, so both are checked here as well.
    """
    if not secret:
        raise WebhookRejected("not_configured")
    if not header:
        raise WebhookRejected("bad_signature")
    if tolerance <= 0:
        raise WebhookRejected("not_configured")
    try:  # the signature alone first, so a wrong one is never reported as merely old
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=None)
    except stripe.SignatureVerificationError:
        raise WebhookRejected("bad_signature") from None
    timestamp = _signature_timestamp(header)
    current = time.time() if now is None else now
    if timestamp < current - tolerance:
        raise WebhookRejected("stale_timestamp")
    if timestamp > current + FUTURE_SKEW_SECONDS:
        raise WebhookRejected("future_timestamp")
    try:  # the body parsed by us first: deep nesting or a list is refused, never a server error
        event = loads_limited(payload)
    except JsonInputError:
        raise WebhookRejected("bad_event") from None
    if not isinstance(event, dict):
        raise WebhookRejected("bad_event")
    try:  # and the library's own check, with the tolerance set
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), header, secret, tolerance=tolerance)
    except stripe.SignatureVerificationError:
        raise WebhookRejected("stale_timestamp") from None
    if not is_event_shaped(event):
        raise WebhookRejected("bad_event")
    return event


def is_event_shaped(event: object) -> bool:
    """Whether ``event`` has the shape of a Stripe event: an object ``event`` with a string id
    and type, and ``data`` an object holding the event's ``object`` (itself an object whose id,
    when present, is a string) and, when present, ``previous_attributes`` (an object).
    Anything else, however correctly signed, is not an event (400 ``bad_event``)."""
    if not isinstance(event, dict) or event.get("object") != "event":
        return False
    event_id, kind, data = event.get("id"), event.get("type"), event.get("data")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 255):
        return False
    if not (isinstance(kind, str) and 0 < len(kind) <= 100):
        return False
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return False
    if not isinstance(data.get("previous_attributes", {}), dict):
        return False
    obj = data["object"]
    return all(isinstance(obj.get(key, ""), str) for key in ("id", "object"))


def _mapping(value: object) -> StripeJson:
    """A nested object of the event's data, or {} when it is anything else."""
    return value if isinstance(value, dict) else {}


@dataclass
class WebhookContext:
    """What handlers need: the session, Stripe's API, settings, and for replays by an admin,
    who is replaying and whether a fund may go below zero as a flagged advance."""

    session: Session
    gateway: StripeGateway
    payout_account: Callable[[str], str]
    event_id: str | None = None
    recorded_by: Recorder | None = None
    as_advance: bool = False
    notes: list[str] = field(default_factory=list)


def _id_of(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


# ---- attribution ---------------------------------------------------------------------------


def _subscription_details(invoice: StripeJson) -> tuple[str | None, StripeJson]:
    details = _mapping(_mapping(invoice.get("parent")).get("subscription_details"))
    subscription = _id_of(details.get("subscription")) or _id_of(invoice.get("subscription"))
    return subscription, _mapping(details.get("metadata"))


def attribution_for_invoice(ctx: WebhookContext, invoice: StripeJson) -> Attribution:
    subscription_id, metadata = _subscription_details(invoice)
    if subscription_id:
        pledge = ctx.session.scalar(select(Pledge).where(Pledge.stripe_subscription_id == subscription_id))
        if pledge is not None:
            return Attribution(prisoner=pledge.prisoner, pledge=pledge, donor=pledge.donor)
    attribution = attribution_from_metadata(ctx.session, metadata)
    if attribution is None and subscription_id:
        attribution = attribution_from_metadata(
            ctx.session, ctx.gateway.subscription(subscription_id).get("metadata")
        )
    if attribution is not None and attribution.pledge is not None and subscription_id:
        _link_subscription(ctx, attribution.pledge, subscription_id)
    return attribution or _unattributed(ctx, invoice.get("id"))


def attribution_for_charge(ctx: WebhookContext, charge: StripeJson) -> Attribution:
    attribution = attribution_from_metadata(ctx.session, charge.get("metadata"))
    if attribution is not None:
        return attribution
    intent = charge.get("payment_intent")
    intent_id = _id_of(intent)
    if intent_id:
        if not isinstance(intent, dict):
            intent = ctx.gateway.payment_intent(intent_id)
        attribution = attribution_from_metadata(ctx.session, intent.get("metadata"))
        if attribution is not None:
            return attribution
        for payment in ctx.gateway.invoice_payments_for_intent(intent_id):
            invoice_id = _id_of(payment.get("invoice"))
            if invoice_id:
                return attribution_for_invoice(ctx, ctx.gateway.invoice(invoice_id))
    return _unattributed(ctx, charge.get("id"))


def _unattributed(ctx: WebhookContext, object_id: object) -> Attribution:
    """Money we did not ask for (a charge made in Stripe's dashboard): general fund."""
    record_audit(ctx.session, "stripe.unattributed", target=str(object_id), event=ctx.event_id)
    return Attribution()


def _link_subscription(ctx: WebhookContext, pledge: Pledge, subscription_id: str) -> None:
    if pledge.stripe_subscription_id is None:
        taken = ctx.session.scalar(select(Pledge.id).where(Pledge.stripe_subscription_id == subscription_id))
        if taken is None:
            pledge.stripe_subscription_id = subscription_id


def _link_customer(ctx: WebhookContext, donor: Donor | None, customer_id: str | None) -> None:
    if donor is None or not customer_id or donor.stripe_customer_id:
        return
    taken = ctx.session.scalar(select(Donor.id).where(Donor.stripe_customer_id == customer_id))
    if taken is None:
        donor.stripe_customer_id = customer_id


# ---- money in ------------------------------------------------------------------------------


def _record_charge_object(
    ctx: WebhookContext, charge: StripeJson, attribution: Attribution | None = None
) -> Donation | None:
    transaction = charge.get("balance_transaction")
    if isinstance(transaction, dict):
        existing = entry_for_transaction(ctx.session, transaction.get("id") or "")
        if existing is not None:
            return ctx.session.scalar(select(Donation).where(Donation.entry_id == existing.id))
    if attribution is None:
        attribution = attribution_for_charge(ctx, charge)
    return record_charge(ctx.session, charge, attribution, source_ref=ctx.event_id)


def _charge_of_intent(ctx: WebhookContext, intent_id: str) -> StripeJson | None:
    intent = ctx.gateway.payment_intent(intent_id)
    charge = intent.get("latest_charge")
    if isinstance(charge, str):
        charge = ctx.gateway.charge(charge)
    if isinstance(charge, dict) and charge.get("payment_intent") is None:
        charge["payment_intent"] = intent
    return charge if isinstance(charge, dict) else None


def ensure_charge_recorded(ctx: WebhookContext, charge_id: str) -> Donation:
    """The donation for ``charge_id``, recording the charge first when its own event has
    not arrived yet (a refund or dispute may come before checkout.session.completed)."""
    charge = ctx.gateway.charge(charge_id)
    donation = _record_charge_object(ctx, charge)
    if donation is None:
        raise StripeDataError("the charge has not succeeded", field="charge", reason="charge_not_recorded")
    return donation


def handle_checkout_completed(ctx: WebhookContext, checkout: StripeJson) -> None:
    attribution = attribution_from_metadata(ctx.session, checkout.get("metadata"))
    if attribution is not None:
        _link_customer(ctx, attribution.donor, _id_of(checkout.get("customer")))
    if checkout.get("mode") == "subscription":
        subscription_id = _id_of(checkout.get("subscription"))
        if attribution is not None and attribution.pledge is not None and subscription_id:
            _link_subscription(ctx, attribution.pledge, subscription_id)
        invoice_id = _id_of(checkout.get("invoice"))
        if invoice_id:
            handle_invoice_paid(ctx, ctx.gateway.invoice(invoice_id))
        return
    if checkout.get("payment_status") != "paid":
        ctx.notes.append("not_paid_yet")  # async methods: checkout.session.async_payment_succeeded follows
        return
    intent_id = _id_of(checkout.get("payment_intent"))
    if not intent_id:
        raise StripeDataError("paid checkout without payment intent", field="payment_intent")
    charge = _charge_of_intent(ctx, intent_id)
    if charge is None or _record_charge_object(ctx, charge, attribution) is None:
        ctx.notes.append("charge_not_settled")


def handle_invoice_paid(ctx: WebhookContext, invoice: StripeJson) -> None:
    invoice_id = _id_of(invoice)
    if not invoice_id:
        raise StripeDataError("invoice without id", field="invoice")
    if not invoice.get("amount_paid"):
        ctx.notes.append("nothing_paid")
        return
    attribution = attribution_for_invoice(ctx, invoice)
    if attribution.donor is not None:
        _link_customer(ctx, attribution.donor, _id_of(invoice.get("customer")))
    payments = ctx.gateway.invoice_payments(invoice_id)
    if not payments:  # API versions before invoice payments named the charge on the invoice
        legacy = {"type": "payment_intent", "payment_intent": invoice.get("payment_intent")}
        if _id_of(invoice.get("charge")):
            legacy = {"type": "charge", "charge": invoice.get("charge")}
        payments = [{"status": "paid", "payment": legacy}]
    for payment in payments:
        if payment.get("status") != "paid":
            continue
        details = payment.get("payment") or {}
        charge_id, intent_id = _id_of(details.get("charge")), _id_of(details.get("payment_intent"))
        charge: StripeJson | None = None
        if details.get("type") == "charge" and charge_id:
            charge = ctx.gateway.charge(charge_id)
        elif intent_id:
            charge = _charge_of_intent(ctx, intent_id)
        if charge is not None:
            _record_charge_object(ctx, charge, attribution)


def handle_charge_succeeded(ctx: WebhookContext, charge: StripeJson) -> None:
    charge_id = _id_of(charge)
    if not charge_id:
        raise StripeDataError("charge without id", field="charge")
    if _record_charge_object(ctx, ctx.gateway.charge(charge_id)) is None:
        ctx.notes.append("charge_not_settled")


def handle_payment_intent_succeeded(ctx: WebhookContext, intent: StripeJson) -> None:
    charge = _charge_of_intent(ctx, _id_of(intent) or "")
    if charge is None or _record_charge_object(ctx, charge) is None:
        ctx.notes.append("charge_not_settled")


def handle_subscription_ended(ctx: WebhookContext, subscription: StripeJson) -> None:
    """customer.subscription.deleted: the monthly pledge it fulfilled is cancelled."""
    subscription_id = _id_of(subscription)
    pledge = ctx.session.scalar(select(Pledge).where(Pledge.stripe_subscription_id == subscription_id))
    if pledge is None:
        ctx.notes.append("no_pledge")
        return
    if pledge.status not in ("cancelled", "fulfilled"):
        set_status(ctx.session, pledge, "cancelled", changed_by="stripe", reason="subscription_deleted")
        pledge.ends_on = max(utcnow().date(), pledge.starts_on)
        record_audit(ctx.session, "pledge.cancelled", target=f"pledge:{pledge.reference}", by="stripe")


# ---- money out -----------------------------------------------------------------------------


def handle_refund(ctx: WebhookContext, obj: StripeJson) -> None:
    """charge.refunded, charge.refund.updated, refund.created, refund.updated, refund.failed:
    record every refund of the charge that has a balance transaction, and the money back
    of every refund that failed or was cancelled after it (its ``refund_failure``
    transaction). Money back is booked before money out, so a refund the fund could not
    cover but that came back anyway nets to nothing instead of waiting for an admin."""
    charge_id = _id_of(obj) if obj.get("object") == "charge" else _id_of(obj.get("charge"))
    if not charge_id:
        raise StripeDataError("refund without charge", field="charge")
    donation = ensure_charge_recorded(ctx, charge_id)
    refunds = ctx.gateway.refunds_of(charge_id)
    listed = {_id_of(refund) for refund in refunds}
    if obj.get("object") == "refund" and _id_of(obj) not in listed:
        refunds.append(obj)  # amounts still come from Stripe: its balance transactions are fetched
    movements = []
    for refund in refunds:
        amount = from_stripe_amount(refund.get("amount"), refund.get("currency") or "")
        for key, description in (
            ("balance_transaction", describe("card_refund")),
            ("failure_balance_transaction", describe("card_refund_failed")),
        ):
            transaction = refund.get(key)
            if isinstance(transaction, str):
                transaction = ctx.gateway.balance_transaction(transaction)
            if isinstance(transaction, dict):
                movements.append((amount, transaction, description))
    inflows_first = sorted(
        movements, key=lambda m: not (isinstance(m[1].get("amount"), int) and m[1]["amount"] > 0)
    )
    for amount, transaction, description in inflows_first:
        record_outflow(
            ctx.session,
            donation=donation,
            transaction=transaction,
            original=amount,
            description=description,
            source_ref=ctx.event_id,
            recorded_by=ctx.recorded_by,
            as_advance=ctx.as_advance,
        )


def handle_dispute(ctx: WebhookContext, dispute: StripeJson) -> None:
    """charge.dispute.*: money withdrawn (with Stripe's dispute fee) and, when won, reinstated.
    Each of the dispute's balance transactions is recorded once, in whatever order."""
    charge_id = _id_of(dispute.get("charge"))
    if not charge_id:
        raise StripeDataError("dispute without charge", field="charge")
    donation = ensure_charge_recorded(ctx, charge_id)
    amount = from_stripe_amount(dispute.get("amount"), dispute.get("currency") or "")
    transactions = dispute.get("balance_transactions") or []
    if not isinstance(transactions, list):
        raise StripeDataError("dispute transactions not a list", field="balance_transactions")
    for transaction in transactions:
        if isinstance(transaction, str):
            transaction = ctx.gateway.balance_transaction(transaction)
        if not isinstance(transaction, dict):
            raise StripeDataError("dispute transaction not an object", field="balance_transactions")
        withdrawn = transaction.get("amount", 0) < 0
        record_outflow(
            ctx.session,
            donation=donation,
            transaction=transaction,
            original=amount,
            description=describe("card_dispute" if withdrawn else "card_dispute_won"),
            source_ref=ctx.event_id,
            recorded_by=ctx.recorded_by,
            as_advance=ctx.as_advance,
        )


def handle_payout_paid(ctx: WebhookContext, payout: StripeJson) -> None:
    currency = str(payout.get("currency") or "").upper()
    record_payout(ctx.session, payout, bank_account=ctx.payout_account(currency), source_ref=ctx.event_id)


def handle_payout_failed(ctx: WebhookContext, payout: StripeJson) -> None:
    """payout.failed: when the payout had been recorded as paid, its money returns to Stripe."""
    currency = str(payout.get("currency") or "").upper()
    if (
        record_payout_return(
            ctx.session, payout, bank_account=ctx.payout_account(currency), source_ref=ctx.event_id
        )
        is None
    ):
        ctx.notes.append("nothing_to_return")


HANDLERS: dict[str, Callable[[WebhookContext, StripeJson], None]] = {
    "checkout.session.completed": handle_checkout_completed,
    "checkout.session.async_payment_succeeded": handle_checkout_completed,
    "invoice.paid": handle_invoice_paid,
    "invoice.payment_succeeded": handle_invoice_paid,
    "charge.succeeded": handle_charge_succeeded,
    "payment_intent.succeeded": handle_payment_intent_succeeded,
    "charge.refunded": handle_refund,
    "charge.refund.updated": handle_refund,
    "refund.created": handle_refund,
    "refund.updated": handle_refund,
    "refund.failed": handle_refund,
    "charge.dispute.created": handle_dispute,
    "charge.dispute.updated": handle_dispute,
    "charge.dispute.closed": handle_dispute,
    "charge.dispute.funds_withdrawn": handle_dispute,
    "charge.dispute.funds_reinstated": handle_dispute,
    "payout.paid": handle_payout_paid,
    "payout.failed": handle_payout_failed,
    "customer.subscription.deleted": handle_subscription_ended,
}


# ---- the event store -----------------------------------------------------------------------


def is_known_event(session: Session, event_id: str) -> bool:
    return session.get(StripeEvent, event_id) is not None


def store_event(session: Session, event: StripeJson) -> StripeEvent:
    """Add the event's row (flushed): the primary key makes a second delivery fail here."""
    row = StripeEvent(
        id=event["id"],
        type=event["type"][:100],
        object_id=(_id_of(event["data"]["object"]) or "")[:255] or None,
        status=EventStatus.RECEIVED,
    )
    session.add(row)
    session.flush()
    return row


def process_event(ctx: WebhookContext, row: StripeEvent, event: StripeJson) -> StripeEvent:
    """Run the event's handler and set the row's status.

    A fund that can't cover a refund or dispute is not overdrawn: the event waits as
    ``needs_attention`` (shown to admins, with an audit event) until money is moved
    into the fund and it is retried, or an admin records it as a flagged advance.
    """
    handler = HANDLERS.get(event["type"])
    ctx.event_id = event["id"]
    if handler is None:
        row.status, row.detail = EventStatus.IGNORED, None
    else:
        try:
            handler(ctx, event["data"]["object"])
        except InsufficientFunds as shortfall:
            row.status = EventStatus.NEEDS_ATTENTION
            row.detail = "refund_exceeds_fund"
            record_audit(
                ctx.session,
                "stripe.needs_attention",
                user=ctx.recorded_by,
                target=f"stripe_event:{row.id}",
                reason="refund_exceeds_fund",
                type=row.type,
                **{k: str(v) for k, v in shortfall.params.items()},
            )
        else:
            row.status = EventStatus.PROCESSED
            row.detail = ",".join(ctx.notes)[:500] or None
    row.processed_at = utcnow()
    return row


def mark_unprocessable(session: Session, event: StripeJson, error: LedgerError | MoneyError) -> StripeEvent:
    """Keep an event whose data we can't record (in a fresh transaction), for an admin."""
    row = session.get(StripeEvent, event["id"]) or store_event(session, event)
    row.status = EventStatus.NEEDS_ATTENTION
    reason = dict(error.params).get("reason")
    row.detail = (reason if isinstance(reason, str) else error.code)[:500]
    row.processed_at = utcnow()
    record_audit(
        session, "stripe.needs_attention", target=f"stripe_event:{row.id}", reason=row.detail, type=row.type
    )
    return row


def replay_event(ctx: WebhookContext, row: StripeEvent) -> StripeEvent:
    """Fetch a held event from Stripe again and process it (after money was moved into the
    fund, or with ``ctx.as_advance`` by an admin)."""
    event = ctx.gateway.event(row.id)
    ctx.notes.clear()
    process_event(ctx, row, event)
    record_audit(
        ctx.session,
        "stripe.event_replayed",
        user=ctx.recorded_by,
        target=f"stripe_event:{row.id}",
        status=row.status,
        advance=ctx.as_advance,
    )
    return row
