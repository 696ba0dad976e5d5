"""Letters pages: record a letter and its reply, the month's letters per prisoner (coordinators),
the letter services (admins edit), and the letters report with CSV (auditors)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ledger.access.models import READERS, WRITERS
from ledger.books.models import Account
from ledger.extensions import db
from ledger.funds.prisoners import prisoner_by_slug
from ledger.letters.letters import (
    letter_entry_id,
    letter_status,
    letters_by_month,
    letters_for,
    record_letter,
    record_reply,
)
from ledger.letters.models import Letter
from ledger.letters.services import PRICE_CURRENCY, list_services, save_service, service_by_key
from ledger.money import Money
from ledger.platform.database import utc_today
from ledger.reports.periods import add_months, month_end, month_start, parse_month
from ledger.web.access_control import role_required
from ledger.web.approvals import pending_redirect
from ledger.web.boundary import attempt
from ledger.web.choices import asset_choices, currency_choices, default_choice, prisoner_select_choices
from ledger.web.csv_export import csv_response
from ledger.web.letter_words import service_name
from ledger.web.letters_forms import LetterForm, LetterServiceForm, ReplyForm
from ledger.web.numbers import amount_from_form

bp = Blueprint("letters", __name__)


def _month_arg():
    asked = request.args.get("month")
    month = parse_month(asked) if asked else month_start(utc_today())
    if month is None:
        abort(400)
    return month


def _letter_form() -> LetterForm:
    form = LetterForm()
    form.prisoner.choices = prisoner_select_choices()
    form.service.choices = [
        SelectChoice(s.key, service_name(s)) for s in list_services(db.session, active_only=True)
    ]
    form.currency.choices = currency_choices()
    form.paid_from.choices = [SelectChoice("", "—"), *asset_choices()]
    if request.method == "GET":
        form.prisoner.data = request.args.get("prisoner")
        form.sent_on.data = utc_today()
        form.currency.data = default_choice(form.currency, PRICE_CURRENCY)
    return form


@bp.route("/manage/letters", methods=["GET", "POST"])
@role_required(*READERS)
def letters():
    """The month's letters per prisoner, which went unanswered, and (for writers) the form."""
    month = _month_arg()
    form = _letter_form()
    refused = False
    if request.method == "POST":
        if current_user.role not in WRITERS:
            abort(403)
        refused = True
        if form.validate_on_submit():
            prisoner = prisoner_by_slug(db.session, form.prisoner.data)
            service = service_by_key(db.session, form.service.data)
            paid_from = (
                db.session.scalar(select(Account).where(Account.name == form.paid_from.data))
                if form.paid_from.data
                else None
            )
            with attempt(form) as outcome:
                cost = (
                    amount_from_form(form.cost.data, form.currency.data, allow_zero=True)
                    if (form.cost.data or "").strip()
                    else None
                )
                letter = record_letter(
                    db.session,
                    prisoner=prisoner,
                    service=service,
                    sent_on=form.sent_on.data,
                    pages=form.pages.data,
                    images=form.images.data,
                    reply_form=bool(form.reply_form.data),
                    cost=cost,
                    paid_from=paid_from,
                    recorded_by=current_user,
                )
            if outcome.ok:
                if letter.approval is not None and letter_status(letter) == "pending":
                    return pending_redirect(letter.approval)
                if letter.paid:
                    flash(
                        _("Letter recorded; its cost is entry #%(id)s.", id=letter_entry_id(letter)),
                        "success",
                    )
                else:
                    flash(_("Letter recorded (free: nothing was spent)."), "success")
                return redirect(url_for("letters.letters", month=letter.sent_on.strftime("%Y-%m")))
    rows = letters_by_month(db.session, start=month, end=month_end(month))
    listed = letters_for(db.session, start=month, end=month_end(month))
    return render_template(
        "letters/letters.html",
        form=form,
        month=month,
        previous=add_months(month, -1),
        following=add_months(month, 1),
        rows=rows,
        listed=listed,
        reply_form=ReplyForm(formdata=None, on=utc_today()),
        letter_status=letter_status,
        letter_entry_id=letter_entry_id,
    ), (400 if refused else 200)


@bp.route("/manage/letters/<int:letter_id>/reply", methods=["POST"])
@role_required(*WRITERS)
def reply(letter_id: int):
    letter = db.session.get(Letter, letter_id) or abort(404)
    form = ReplyForm()
    month = letter.sent_on.strftime("%Y-%m")
    if not form.validate_on_submit():
        flash(_("Give the date the reply came."), "error")
        return redirect(url_for("letters.letters", month=month))
    with attempt() as outcome:
        record_reply(db.session, letter, on=form.on.data, recorded_by=current_user)
    if outcome.ok:
        flash(_("Reply recorded."), "success")
    return redirect(url_for("letters.letters", month=month))


@bp.route("/manage/letter-services")
@role_required(*READERS)
def services():
    return render_template("letters/services.html", services=list_services(db.session))


def _price_from(text: str | None) -> Money | None:
    return amount_from_form(text, PRICE_CURRENCY, allow_zero=True) if (text or "").strip() else None


@bp.route("/manage/letter-services/<key>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit_service(key: str):
    service = service_by_key(db.session, key) or abort(404)
    form = LetterServiceForm(obj=service)
    if request.method == "GET":
        for name in ("letter_price", "reply_form_price", "image_price"):
            minor = getattr(service, f"{name}_minor")
            getattr(form, name).data = (
                str(Money.from_minor(minor, PRICE_CURRENCY).amount) if minor is not None else ""
            )
    if form.validate_on_submit():
        with attempt(form) as outcome:
            save_service(
                db.session,
                service,
                values={
                    "name": form.name.data,
                    "name_ru": form.name_ru.data,
                    "url": form.url.data or None,
                    "letter_price": _price_from(form.letter_price.data),
                    "reply_form_price": _price_from(form.reply_form_price.data),
                    "image_price": _price_from(form.image_price.data),
                    "serves_all": bool(form.serves_all.data),
                    "regions": form.regions.data,
                    "note": form.note.data,
                    "active": bool(form.active.data),
                },
                actor=current_user,
            )
        if outcome.ok:
            flash(_("Saved."), "success")
            return redirect(url_for("letters.services"))
    return render_template("letters/service_form.html", form=form, service=service)


def _report_range() -> tuple:
    first = parse_month(request.args.get("from") or "") if request.args.get("from") else None
    last = parse_month(request.args.get("to") or "") if request.args.get("to") else None
    if (request.args.get("from") and first is None) or (request.args.get("to") and last is None):
        abort(400)
    last = last or month_start(utc_today())
    first = first or add_months(last, -11)
    return first, last


@bp.route("/reports/letters")
@role_required(*READERS)
def report():
    first, last = _report_range()
    rows = letters_by_month(db.session, start=first, end=month_end(last))
    return render_template("letters/report.html", rows=rows, first=first, last=last)


@bp.route("/reports/letters.csv")
@role_required(*READERS)
def report_csv():
    first, last = _report_range()
    letters = letters_for(db.session, start=first, end=month_end(last))
    header = [
        _("Letter"),
        _("Sent on"),
        _("Prisoner"),
        _("Service"),
        _("Pages"),
        _("Images"),
        _("Reply form"),
        _("Cost"),
        _("Currency"),
        _("Paid from"),
        _("Status"),
        _("Entry"),
        _("Reply received on"),
    ]
    rows = [
        [
            letter.id,
            letter.sent_on.isoformat(),
            letter.prisoner.slug,
            letter.service.key,
            letter.pages,
            letter.images,
            "yes" if letter.reply_form else "no",
            str(Money.from_minor(letter.cost_minor, letter.currency).amount),
            letter.currency,
            letter.paid_from.name if letter.paid_from is not None else "",
            letter_status(letter),
            letter_entry_id(letter) or "",
            letter.replied_on.isoformat() if letter.replied_on else "",
        ]
        for letter in letters
    ]
    return csv_response(f"letters-{first:%Y-%m}-{last:%Y-%m}.csv", header, rows)
