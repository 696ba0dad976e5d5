"""Card gifts: the donate form and Stripe Checkout's return pages."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ledger.access.users import AccessError, normalise_email
from ledger.edge.messages import message_for
from ledger.extensions import db
from ledger.funds.bank_details import pledge_currencies
from ledger.funds.kinds import GENERAL
from ledger.funds.models import Prisoner
from ledger.money import MoneyError
from ledger.payments.checkout import CheckoutFailed, GiftRequest, start_checkout
from ledger.payments.stripe_api import StripeCurrencyError, stripe_decimals
from ledger.platform.text import TextError, clean_text
from ledger.web.choices import public_fund_choices
from ledger.web.donate_forms import DonateForm
from ledger.web.numbers import amount_from_form
from ledger.web.stripe_events import gateway

bp = Blueprint("donate", __name__)


def cards_enabled() -> bool:
    """Card gifts need both Stripe keys: the secret key opens Checkout, the webhook secret
    records the gift.  Without them no card form is offered (README: card gifts on and off)."""
    return bool(
        current_app.config.get("STRIPE_SECRET_KEY") and current_app.config.get("STRIPE_WEBHOOK_SECRET")
    )


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


def _gift_from(form: DonateForm) -> GiftRequest | None:
    """The validated gift, or None with the errors attached to the form's fields."""
    money = None
    try:
        stripe_decimals(form.currency.data)
        money = amount_from_form(form.amount.data, form.currency.data)
    except StripeCurrencyError as error:
        form.currency.errors.append(message_for(error.code, error.params))
    except MoneyError as error:
        form.amount.errors.append(message_for(error.code, error.params))
    prisoner = None
    if form.prisoner.data != GENERAL:
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
        locale=str(get_locale() or "en"),
        may_name_prisoner=bool(form.may_name_prisoner.data),
    )


@bp.route("/donate", methods=["GET", "POST"])
def donate():
    if not cards_enabled():
        slug = request.args.get("prisoner")
        prisoner = slug if slug in {choice.value for choice in public_fund_choices()} else None
        page = render_template(
            "donate/no_cards.html", prisoner=prisoner, currencies=pledge_currencies(db.session)
        )
        return page, (200 if request.method == "GET" else 503)
    form = DonateForm()
    form.currency.choices = [SelectChoice(code, code) for code in donation_currencies()]
    form.prisoner.choices = public_fund_choices()
    if request.method == "GET":
        slug = request.args.get("prisoner")
        if slug and slug in {choice.value for choice in form.prisoner.choices}:
            form.prisoner.data = slug
        else:
            form.prisoner.data = GENERAL
    if not form.validate_on_submit():
        return _form_page(form, 400 if form.is_submitted() else 200)
    gift = _gift_from(form)
    if gift is None:
        return _form_page(form, 400)
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
        # The answer is 4xx or 5xx, so the boundary rolls back: the donor and pledge go too.
        current_app.logger.warning("checkout not started: %s", error.code)
        flash(message_for(error.code, error.params), "error")
        return _form_page(form, 502 if isinstance(error, CheckoutFailed) else 400)
    return redirect(started.url, code=303)


def _form_page(form: DonateForm, status: int):
    return render_template("donate/form.html", form=form), status


@bp.route("/donate/thanks")
def thanks():
    return render_template("donate/thanks.html")


@bp.route("/donate/cancelled")
def cancelled():
    return render_template("donate/cancelled.html")
