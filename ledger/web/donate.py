"""Card gifts: the donate form, Stripe Checkout's return pages, the Stripe webhook, and the
list of Stripe events that wait for a coordinator or an admin."""

from __future__ import annotations

import stripe
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ledger.access.users import AccessError, normalise_email
from ledger.access.web import role_required
from ledger.books.errors import LedgerError
from ledger.extensions import csrf, db
from ledger.funds.models import Prisoner
from ledger.messages import message_for
from ledger.money import MoneyError, parse_amount
from ledger.payments.checkout import CheckoutFailed, GiftRequest, start_checkout
from ledger.payments.models import StripeEvent
from ledger.payments.stripe_api import StripeCurrencyError, StripeGateway, stripe_decimals
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
from ledger.text import TextError, clean_text

bp = Blueprint("donate", __name__)
GENERAL_FUND_CHOICE = "general"


class DonateForm(FlaskForm):
    amount = StringField(_l("Amount"), validators=[InputRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    prisoner = SelectField(_l("Who it is for"), validators=[InputRequired()])
    frequency = RadioField(
        _l("How often"),
        choices=[("one_off", _l("Once")), ("monthly", _l("Every month"))],
        default="one_off",
        validators=[InputRequired()],
    )
    public_name = StringField(
        _l("Public name (optional)"),
        description=_l("Shown on public pages instead of “anonymous”. Leave empty to stay anonymous."),
        validators=[Optional(), Length(max=120)],
    )
    email = StringField(
        _l("Email for a receipt (optional, never shown or shared)"),
        validators=[Optional(), Length(max=254)],
    )


def gateway() -> StripeGateway:
    config = current_app.config
    return StripeGateway(config.get("STRIPE_SECRET_KEY") or "", api_base=config.get("STRIPE_API_BASE"))


def _takes_cards_in(currency: str) -> bool:
    try:
        stripe_decimals(currency)
    except MoneyError:
        return False
    return True


def donation_currencies() -> list[str]:
    """The configured currencies that Stripe and the ledger can both hold exactly."""
    return [
        code for code in current_app.config.get("DONATION_CURRENCIES") or ("EUR",) if _takes_cards_in(code)
    ]


def _prisoner_choices() -> list[tuple[str, str]]:
    prisoners = db.session.scalars(select(Prisoner).where(Prisoner.public.is_(True)).order_by(Prisoner.name))
    choices = [(GENERAL_FUND_CHOICE, _("General fund (where it is needed most)"))]
    for prisoner in prisoners:
        label = prisoner.name if not prisoner.name_latin else f"{prisoner.name} ({prisoner.name_latin})"
        choices.append((prisoner.slug, label))
    return choices


def _gift_from(form: DonateForm) -> GiftRequest | None:
    """The validated gift, or None with the errors attached to the form's fields."""
    money = None
    try:
        stripe_decimals(form.currency.data)
        money = parse_amount(form.amount.data, form.currency.data)
    except StripeCurrencyError as error:
        form.currency.errors.append(message_for(error.code, error.params))
    except MoneyError as error:
        form.amount.errors.append(message_for(error.code, error.params))
    prisoner = None
    if form.prisoner.data != GENERAL_FUND_CHOICE:
        prisoner = db.session.scalar(
            select(Prisoner).where(Prisoner.slug == form.prisoner.data, Prisoner.public.is_(True))
        )
        if prisoner is None:
            form.prisoner.errors.append(message_for("unknown_prisoner"))
    public_name = email = None
    try:
        public_name = clean_text(form.public_name.data, max_length=120) or None
    except TextError as error:
        form.public_name.errors.append(message_for(error.code, error.params))
    if form.email.data and form.email.data.strip():
        try:
            email = normalise_email(form.email.data)
        except AccessError as error:
            form.email.errors.append(message_for(error.code))
    if money is None or any(field.errors for field in form):
        return None
    return GiftRequest(
        money=money,
        prisoner=prisoner,
        monthly=form.frequency.data == "monthly",
        public_name=public_name,
        email=email,
    )


@bp.route("/donate", methods=["GET", "POST"])
def donate():
    form = DonateForm()
    form.currency.choices = [(code, code) for code in donation_currencies()]
    form.prisoner.choices = _prisoner_choices()
    if request.method == "GET":
        slug = request.args.get("prisoner")
        if slug and slug in {value for value, _label in form.prisoner.choices}:
            form.prisoner.data = slug
        else:
            form.prisoner.data = GENERAL_FUND_CHOICE
    if not form.validate_on_submit():
        return _form_page(form, 400 if form.is_submitted() else 200)
    gift = _gift_from(form)
    if gift is None:
        return _form_page(form, 400)
    if not current_app.config.get("STRIPE_SECRET_KEY"):
        current_app.logger.error("STRIPE_SECRET_KEY is not set: card gifts are off")
        flash(message_for("checkout_failed"), "error")
        return _form_page(form, 503)
    try:
        started = start_checkout(
            db.session,
            gateway(),
            gift,
            product_name=_("Monthly donation") if gift.monthly else _("Donation"),
            success_url=url_for("donate.thanks", _external=True),
            cancel_url=url_for("donate.cancelled", _external=True),
            locale=str(get_locale() or "") or None,
        )
    except (CheckoutFailed, StripeCurrencyError) as error:
        db.session.rollback()  # the donor and pledge go too: nothing is kept
        current_app.logger.warning("checkout not started: %s", error.code)
        flash(message_for(error.code, error.params), "error")
        return _form_page(form, 502 if isinstance(error, CheckoutFailed) else 400)
    db.session.commit()
    return redirect(started.url, code=303)


def _form_page(form: DonateForm, status: int):
    return render_template("donate/form.html", form=form), status


@bp.route("/donate/thanks")
def thanks():
    return render_template("donate/thanks.html")


@bp.route("/donate/cancelled")
def cancelled():
    return render_template("donate/cancelled.html")


# ---- webhook -------------------------------------------------------------------------------


def _payout_account(currency: str) -> str:
    configured = current_app.config.get("STRIPE_PAYOUT_ACCOUNTS") or {}
    return configured.get(currency) or f"assets:bank:{currency.lower()}-stripe-payouts"


def _context() -> WebhookContext:
    return WebhookContext(session=db.session, gateway=gateway(), payout_account=_payout_account)


def _answer(status: str, code: int = 200):
    return jsonify({"status": status}), code


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
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
    try:
        row = store_event(db.session, event)
        process_event(_context(), row, event)
        db.session.commit()
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
            db.session.commit()
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
@role_required("admin", "coordinator")
def held_events():
    events = db.session.scalars(
        select(StripeEvent).where(StripeEvent.status == "needs_attention").order_by(StripeEvent.received_at)
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
    try:
        replay_event(context, row)
        db.session.commit()
    except (LedgerError, MoneyError) as error:
        db.session.rollback()
        flash(message_for(error.code, error.params), "error")
        return redirect(url_for("donate.held_events"))
    except stripe.StripeError:
        db.session.rollback()
        flash(message_for("stripe_unreachable"), "error")
        return redirect(url_for("donate.held_events"))
    if row.status == "processed":
        flash(_("The Stripe event was recorded."), "success")
    else:
        flash(message_for(row.detail or "invalid_entry"), "error")
    return redirect(url_for("donate.held_events"))


@bp.route("/stripe/events/<event_id>/retry", methods=["POST"])
@role_required("admin", "coordinator")
def retry_event(event_id: str):
    return _replay(event_id, as_advance=False)


@bp.route("/stripe/events/<event_id>/advance", methods=["POST"])
@role_required("admin")
def advance_event(event_id: str):
    return _replay(event_id, as_advance=True)
