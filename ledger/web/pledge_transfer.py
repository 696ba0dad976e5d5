"""Public pages for donors without a card or an account: pledge a bank transfer (with its
printable page), and the page a signed link in a mail opens to pause, resume or cancel a
monthly gift or delete one's email.  Views are thin; the request boundary commits."""

from __future__ import annotations

import stripe
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_currency, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ledger.api.public_pledges import client_key, throttle_policy
from ledger.edge.messages import BANK_VISIBILITY_WARNING, message_for
from ledger.extensions import csrf, db
from ledger.funds.bank_details import pledge_currencies
from ledger.funds.donor_links import LinkRefused, check_generation, confirm_claim, link_claim
from ledger.funds.donor_mail import confirm_email, forget_email
from ledger.funds.kinds import GENERAL
from ledger.funds.models import BankDetails, Donor, Pledge, Prisoner
from ledger.funds.pledges import (
    PUBLIC_REFERENCE_LENGTH,
    REFERENCE_PREFIX,
    cancel_pledge,
    pause_pledge,
    resume_pledge,
)
from ledger.funds.public_pledges import make_public_pledge
from ledger.funds.schedules import pledge_states
from ledger.money import Money, MoneyError
from ledger.platform.database import utcnow
from ledger.web.access_forms import EmptyForm
from ledger.web.boundary import attempt
from ledger.web.choices import public_fund_choices
from ledger.web.confirmation import confirmation_page, confirmed
from ledger.web.donate_forms import PledgeTransferForm
from ledger.web.labels import LABEL_FILTERS
from ledger.web.numbers import amount_from_form
from ledger.web.stripe_events import gateway

bp = Blueprint("pledge_transfer", __name__)
THROTTLED = {"pledge_throttled", "pledges_busy", "confirmation_mails_busy"}


def _locale() -> str:
    return str(get_locale() or "en")


@bp.route("/pledge", methods=["GET", "POST"])
def form():
    form = PledgeTransferForm()
    currencies = pledge_currencies(db.session)
    form.currency.choices = [SelectChoice(code, code) for code in currencies]
    form.prisoner.choices = public_fund_choices()
    if request.method == "GET":
        slug = request.args.get("prisoner")
        form.prisoner.data = slug if slug in {choice.value for choice in form.prisoner.choices} else GENERAL
    warning = str(BANK_VISIBILITY_WARNING)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("pledge/form.html", form=form, warning=warning, currencies=currencies), status
    prisoner = None
    if form.prisoner.data != GENERAL:
        prisoner = db.session.scalar(select(Prisoner).where(Prisoner.slug == form.prisoner.data))
    try:
        money = amount_from_form(form.amount.data, form.currency.data)
    except MoneyError as error:
        form.amount.errors = [message_for(error.code, error.params)]
        return render_template("pledge/form.html", form=form, warning=warning, currencies=currencies), 400
    with attempt(form) as outcome:
        pledge, details = make_public_pledge(
            db.session,
            prisoner=prisoner,
            money=money,
            frequency=form.frequency.data,
            email=(form.email.data or "").strip() or None,
            locale=_locale(),
            may_name_prisoner=bool(form.may_name_prisoner.data),
            client_key=client_key(),
            throttle=throttle_policy(),
        )
    if not outcome.ok:
        status = 429 if outcome.code in THROTTLED else 400
        return render_template("pledge/form.html", form=form, warning=warning, currencies=currencies), status
    return render_template(
        "pledge/done.html",
        pledge=pledge,
        bank_text=details.text_for(_locale()),
        warning=warning,
        emailed=bool(form.email.data),
    )


def _public_pledge(reference: str) -> Pledge:
    if len(reference) != len(REFERENCE_PREFIX) + PUBLIC_REFERENCE_LENGTH:
        abort(404)  # only donors' own pledges have a printable page
    pledge = db.session.scalar(select(Pledge).where(Pledge.reference == reference))
    if pledge is None:
        abort(404)
    return pledge


@bp.route("/pledge/<reference>/print")
def printable(reference: str):
    """What to take to the bank: the code, the amount and the bank details; no prisoner's
    name and nothing of the donor, so that a printed page tells a reader nothing more."""
    pledge = _public_pledge(reference)
    details = db.session.get(BankDetails, pledge.currency)
    return render_template(
        "pledge/print.html",
        pledge=pledge,
        bank_text=details.text_for(_locale()) if details else "",
        warning=str(BANK_VISIBILITY_WARNING),
    )


# ---- the signed link in every donor mail ---------------------------------------------------


def _donor_of(token: str) -> Donor:
    """The donor the link names, or a page that says why it does not work: invalid, expired
    or revoked (that page shows nothing of the donor, their pledges or any prisoner)."""
    config = current_app.config
    try:
        claim = link_claim(config["SECRET_KEY"], token, max_age_days=int(config.get("DONOR_LINK_DAYS") or 60))
        donor = db.session.get(Donor, claim.donor_id)
        if donor is None:
            raise LinkRefused("link_invalid")
        check_generation(claim, donor.link_generation)
    except LinkRefused as refused:
        abort(_refused_page(refused.code))
    return donor


def _refused_page(code: str):
    # A revoked link is gone for good (410); an invalid or expired one is a bad request.
    status = 410 if code == "link_revoked" else 400
    response = current_app.make_response(
        (render_template("pledge/link_refused.html", message=message_for(code), code=code), status)
    )
    return response


@bp.route("/my-gift/<token>")
def manage(token: str):
    donor = _donor_of(token)
    pledges = db.session.scalars(
        select(Pledge).where(Pledge.donor_id == donor.id).order_by(Pledge.created_at.desc(), Pledge.id.desc())
    ).all()
    states = pledge_states(db.session, list(pledges))
    page = render_template(
        "pledge/manage.html", token=token, pledges=pledges, states=states, has_email=donor.email is not None
    )
    return page, 200


ACTIONS = {"pause": pause_pledge, "resume": resume_pledge}


@bp.route("/my-gift/<token>/<reference>/<action>", methods=["GET", "POST"])
def change(token: str, reference: str, action: str):
    """Pause and resume at once; cancel (which can't be undone) after a confirmation page,
    opened by the gift page's link (GET) or by a POST without ``confirm=yes``."""
    donor = _donor_of(token)
    pledge = db.session.scalar(
        select(Pledge).where(Pledge.reference == reference, Pledge.donor_id == donor.id)
    )
    if pledge is None or action not in ("pause", "resume", "cancel"):
        abort(404)
    if request.method == "GET" and action != "cancel":
        return redirect(url_for("pledge_transfer.manage", token=token), code=303)
    if action == "cancel" and not confirmed():
        amount = format_currency(
            Money.from_minor(pledge.amount_minor, pledge.currency).amount, pledge.currency
        )
        return confirmation_page(
            title=_("Cancel this gift?"),
            explanation=[
                _(
                    "Gift %(reference)s: %(amount)s (%(frequency)s).",
                    reference=pledge.reference,
                    amount=amount,
                    frequency=LABEL_FILTERS["pledge_frequency"](pledge.frequency),
                ),
                _(
                    "Once cancelled, it can't be resumed: nothing more falls due and no reminders are sent. "
                    "To stop for a while instead, pause it."
                ),
            ],
            button=_("Yes, cancel the gift"),
            back=url_for("pledge_transfer.manage", token=token),
            back_label=_("No, keep it"),
        )
    subscriptions = gateway() if pledge.stripe_subscription_id else None
    try:
        with attempt() as outcome:
            if action == "cancel":
                cancel_pledge(db.session, pledge, changed_by="donor", subscriptions=subscriptions)
            else:
                ACTIONS[action](
                    db.session, pledge, today=utcnow().date(), changed_by="donor", subscriptions=subscriptions
                )
    except stripe.StripeError as error:  # nothing changed here; the 502 makes the boundary roll back
        current_app.logger.warning("Stripe refused a donor's %s: %s", action, type(error).__name__)
        flash(message_for("stripe_unreachable"), "error")
        return manage(token)[0], 502
    if outcome.ok:
        flash(
            {
                "pause": _("Your monthly gift is paused. Nothing falls due until you resume it."),
                "resume": _("Your monthly gift runs again. Thank you."),
                "cancel": _("Your gift is cancelled. Thank you for what you gave."),
            }[action],
            "success",
        )
    return redirect(url_for("pledge_transfer.manage", token=token), code=303)


@bp.route("/my-gift/<token>/forget", methods=["GET", "POST"])
@csrf.exempt  # the token in the path is the secret; RFC 8058's one-click POST carries no form token
def forget(token: str):
    """ "Delete my email": the page's button, or a mail client's one-click unsubscribe (RFC 8058:
    a POST of ``List-Unsubscribe=One-Click`` to the ``List-Unsubscribe`` URL).  Deleting the
    address also revokes every link mailed to the donor, this one included."""
    donor = _donor_of(token)
    if request.method == "GET":
        return render_template("pledge/forget.html", token=token, has_email=donor.email is not None)
    forget_email(db.session, donor, reason="donor")
    return render_template("pledge/forgotten.html")


@bp.route("/my-gift/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The link in the confirmation mail.  GET shows a button (a mail scanner that follows links
    confirms nothing); POST confirms the address, and the pledge's mail is queued."""
    try:
        claim = confirm_claim(current_app.config["SECRET_KEY"], token)
        donor = db.session.get(Donor, claim.donor_id)
        if donor is None or not donor.email:
            raise LinkRefused("confirm_invalid")
        check_generation(claim, donor.link_generation)
    except LinkRefused as refused:
        code = "link_revoked" if refused.code == "link_revoked" else "confirm_invalid"
        return _refused_page(code)
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("pledge/confirm.html", form=form, done=donor.email_confirmed), status
    confirm_email(db.session, donor)
    return render_template("pledge/confirm.html", form=form, done=True, just_confirmed=True)
