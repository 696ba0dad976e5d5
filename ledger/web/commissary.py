"""Pages of commissary support: transfers to personal accounts and the transit watch, a
prisoner's personal account and monthly top-up, the monthly run, the auditors' CSV."""

from __future__ import annotations

from babel.numbers import format_decimal
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ledger.access.models import READERS, WRITERS
from ledger.books.holds import Approval
from ledger.books.models import Account
from ledger.commissary.kinds import TRANSFER_STATUSES
from ledger.commissary.limits import all_limits, personal_account, save_limit
from ledger.commissary.models import CommissaryLimit, CommissaryRun, CommissaryTopUp
from ledger.commissary.runs import approve_run, list_runs, prepare_run, set_top_up, summary
from ledger.commissary.transfers import (
    credit_transfer,
    find_transfer,
    return_transfer,
    send_transfer,
    transfer_rows,
)
from ledger.extensions import db
from ledger.funds.prisoners import prisoner_by_slug
from ledger.platform.database import utcnow
from ledger.web.access_control import role_required
from ledger.web.approvals import pending_redirect
from ledger.web.boundary import attempt
from ledger.web.choices import asset_choices, currency_choices, currency_of, prisoner_select_choices
from ledger.web.commissary_forms import (
    ApproveRunForm,
    CreditedForm,
    LimitForm,
    ReturnedForm,
    RunForm,
    TopUpForm,
    TransferForm,
)
from ledger.web.csv_export import csv_response
from ledger.web.formatting import money as money_text
from ledger.web.labels import LABEL_FILTERS
from ledger.web.numbers import amount_from_form

bp = Blueprint("commissary", __name__)


def watch_days() -> int:
    return int(current_app.config.get("COMMISSARY_WATCH_DAYS", 7))


def _account(name: str | None) -> Account | None:
    return db.session.scalar(select(Account).where(Account.name == name)) if name else None


@bp.route("/manage/commissary")
@role_required(*READERS)
def transfers():
    status = request.args.get("status") or None
    if status not in (None, *TRANSFER_STATUSES):
        status = None
    rows = transfer_rows(db.session, status=status, watch_days=watch_days(), limit=500)
    watch = [row for row in transfer_rows(db.session, status="in_transit", watch_days=watch_days())]
    return render_template(
        "commissary/transfers.html",
        rows=rows,
        watch=watch,
        status=status,
        days=watch_days(),
        credited_form=CreditedForm(formdata=None, on=utcnow().date()),
        returned_form=ReturnedForm(formdata=None, on=utcnow().date()),
    )


@bp.route("/manage/commissary/transfers.csv")
@role_required(*READERS)
def transfers_csv():
    rows = transfer_rows(db.session, watch_days=watch_days())
    status = LABEL_FILTERS["transfer_status"]
    channel = LABEL_FILTERS["channel"]
    return csv_response(
        "commissary-transfers.csv",
        [
            _("Transfer"),
            _("Prisoner"),
            _("Date sent"),
            _("Sent through"),
            _("Amount"),
            _("Service fee"),
            _("Currency"),
            _("Paid from"),
            _("Status"),
            _("Credited or returned on"),
            _("Days in transit"),
            _("Allowed over the monthly limit because"),
            _("Why it came back"),
            _("Sent in entry"),
            _("Settled in entry"),
            _("Monthly run"),
        ],
        (
            [
                t.id,
                t.prisoner.slug,
                t.sent_on.isoformat(),
                channel(t.channel),
                t.money.amount,
                t.fee.amount,
                t.currency,
                t.paid_from.name,
                status(t.status),
                t.settled_on.isoformat() if t.settled_on else "",
                row.days_in_transit,
                t.over_limit_reason or "",
                t.return_reason or "",
                t.sent_entry_id,
                t.settled_entry_id or "",
                t.run_month or "",
            ]
            for row in rows
            for t in [row.transfer]
        ),
    )


@bp.route("/manage/commissary/send", methods=["GET", "POST"])
@role_required(*WRITERS)
def send():
    form = TransferForm()
    form.prisoner.choices = prisoner_select_choices()
    form.currency.choices = currency_choices()
    form.paid_from.choices = asset_choices()
    if request.method == "GET":
        form.prisoner.data = request.args.get("prisoner")
        form.sent_on.data = utcnow().date()
        form.currency.data = "RUB"
        # Personal accounts take roubles: start from the first account that holds them.
        form.paid_from.data = next(
            (choice.value for choice in form.paid_from.choices if currency_of(choice.value) == "RUB"), None
        )
    over_limit = None
    if form.validate_on_submit():
        prisoner = prisoner_by_slug(db.session, form.prisoner.data)
        with attempt(form) as outcome:
            money = amount_from_form(form.amount.data, form.currency.data)
            fee = (
                amount_from_form(form.fee.data, form.currency.data, allow_zero=True)
                if form.fee.data
                else None
            )
            transfer = send_transfer(
                db.session,
                prisoner=prisoner,
                money=money,
                fee=fee,
                channel=form.channel.data,
                paid_from=_account(form.paid_from.data),
                sent_on=form.sent_on.data,
                memo=form.memo.data,
                allow_over_limit=form.allow_over_limit.data,
                over_limit_reason=form.over_limit_reason.data,
                recorded_by=current_user,
            )
        if outcome.ok and isinstance(transfer, Approval):
            return pending_redirect(transfer)
        if outcome.ok:
            flash(_("Recorded: %(amount)s in transit.", amount=money_text(money)), "success")
            return redirect(url_for("commissary.prisoner", slug=transfer.prisoner.slug))
        if outcome.code == "over_monthly_limit":
            over_limit = outcome.params
    return render_template("commissary/send.html", form=form, over_limit=over_limit)


def _transfer_or_404(transfer_id: int):
    transfer = find_transfer(db.session, transfer_id)
    if transfer is None:
        abort(404)
    return transfer


def _back(transfer):
    target = request.args.get("next")
    if target == "prisoner":
        return redirect(url_for("commissary.prisoner", slug=transfer.prisoner.slug))
    return redirect(url_for("commissary.transfers"))


@bp.route("/manage/commissary/transfers/<int:transfer_id>/credited", methods=["POST"])
@role_required(*WRITERS)
def credited(transfer_id: int):
    transfer = _transfer_or_404(transfer_id)
    form = CreditedForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            credit_transfer(db.session, transfer, on=form.on.data, recorded_by=current_user)
        if outcome.ok:
            flash(_("Credited: spent from the fund as commissary."), "success")
    else:
        flash(_("Enter the date as YYYY-MM-DD."), "error")
    return _back(transfer)


@bp.route("/manage/commissary/transfers/<int:transfer_id>/returned", methods=["POST"])
@role_required(*WRITERS)
def returned(transfer_id: int):
    transfer = _transfer_or_404(transfer_id)
    form = ReturnedForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            return_transfer(
                db.session, transfer, on=form.on.data, reason=form.reason.data, recorded_by=current_user
            )
        if outcome.ok:
            flash(_("Returned: the money is the fund's again (any fee stays spent)."), "success")
    else:
        flash(_("Enter the date as YYYY-MM-DD."), "error")
    return _back(transfer)


@bp.route("/manage/commissary/prisoners/<slug>", methods=["GET"])
@role_required(*READERS)
def prisoner(slug: str):
    person = prisoner_by_slug(db.session, slug)
    if person is None:
        abort(404)
    top_up = db.session.get(CommissaryTopUp, person.id)
    form = TopUpForm(formdata=None)
    _top_up_choices(form)
    if top_up is not None and top_up.active:
        form.amount.data = _written(top_up.money)
        form.currency.data = top_up.currency
        form.fee.data = _written(top_up.fee) if top_up.fee_minor else ""
        form.channel.data = top_up.channel
        form.paid_from.data = top_up.paid_from.name
    else:
        form.currency.data = "RUB"
    return _prisoner_page(person, form, top_up)


def _written(amount) -> str:
    """An amount as the reader writes it in a form (decimal comma in Russian), no grouping."""
    return format_decimal(amount.amount, format="0.00####", locale=str(get_locale() or "en"))


def _top_up_choices(form: TopUpForm) -> None:
    form.currency.choices = currency_choices()
    form.paid_from.choices = asset_choices()


def _prisoner_page(person, form, top_up):
    return render_template(
        "commissary/prisoner.html",
        prisoner=person,
        account=personal_account(db.session, person),
        rows=transfer_rows(db.session, prisoner=person, watch_days=watch_days()),
        top_up=top_up if top_up is not None and top_up.active else None,
        form=form,
        days=watch_days(),
        credited_form=CreditedForm(formdata=None, on=utcnow().date()),
        returned_form=ReturnedForm(formdata=None, on=utcnow().date()),
    )


@bp.route("/manage/commissary/prisoners/<slug>/top-up", methods=["POST"])
@role_required(*WRITERS)
def top_up(slug: str):
    person = prisoner_by_slug(db.session, slug)
    if person is None:
        abort(404)
    form = TopUpForm()
    _top_up_choices(form)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            money = amount_from_form(form.amount.data, form.currency.data) if form.amount.data else None
            fee = (
                amount_from_form(form.fee.data, form.currency.data, allow_zero=True)
                if form.fee.data
                else None
            )
            set_top_up(
                db.session,
                person,
                money=money,
                fee=fee,
                channel=form.channel.data,
                paid_from=_account(form.paid_from.data),
                actor=current_user,
            )
        if outcome.ok:
            flash(_("Monthly top-up saved.") if money else _("Monthly top-up stopped."), "success")
            return redirect(url_for("commissary.prisoner", slug=slug))
    return _prisoner_page(person, form, db.session.get(CommissaryTopUp, person.id)), 422


@bp.route("/manage/commissary/runs", methods=["GET", "POST"])
@role_required(*READERS)
def runs():
    form = RunForm()
    if request.method == "POST":
        if current_user.role not in WRITERS:
            abort(403)
        if form.validate_on_submit():
            with attempt(form) as outcome:
                run = prepare_run(db.session, form.month.data, prepared_by=current_user)
            if outcome.ok:
                flash(_("Prepared: nothing is sent until a second person approves the run."), "success")
                return redirect(url_for("commissary.run", run_id=run.id))
    else:
        form.month.data = utcnow().date().isoformat()[:7]
    listed = list_runs(db.session)
    return render_template(
        "commissary/runs.html", runs=listed, summaries={r.id: summary(r) for r in listed}, form=form
    )


@bp.route("/manage/commissary/runs/<int:run_id>", methods=["GET"])
@role_required(*READERS)
def run(run_id: int):
    found = db.session.get(CommissaryRun, run_id)
    if found is None:
        abort(404)
    return render_template("commissary/run.html", run=found, counts=summary(found), form=ApproveRunForm())


@bp.route("/manage/commissary/runs/<int:run_id>/approve", methods=["POST"])
@role_required(*WRITERS)
def approve(run_id: int):
    if db.session.get(CommissaryRun, run_id) is None:
        abort(404)
    form = ApproveRunForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            approved = approve_run(db.session, run_id, approver=current_user)
        if outcome.ok:
            flash(_("Approved: %(count)s transfers sent.", count=summary(approved).sent), "success")
    return redirect(url_for("commissary.run", run_id=run_id))


@bp.route("/manage/commissary/limits")
@role_required(*READERS)
def limits():
    return render_template("commissary/limits.html", limits=all_limits(db.session))


@bp.route("/manage/commissary/limits/<int:limit_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_limit(limit_id: int):
    limit = db.session.get(CommissaryLimit, limit_id)
    if limit is None:
        abort(404)
    form = LimitForm()
    if request.method == "GET":
        form.amount.data = _written(limit.limit) if limit.limit is not None else ""
        form.legal_basis.data = limit.legal_basis
    if form.validate_on_submit():
        with attempt(form) as outcome:
            amount = (
                amount_from_form(form.amount.data, limit.currency, allow_zero=True)
                if form.amount.data
                else None
            )
            save_limit(
                db.session,
                limit,
                {"amount": amount, "legal_basis": form.legal_basis.data},
                actor=current_user,
            )
        if outcome.ok:
            flash(_("Saved."), "success")
            return redirect(url_for("commissary.limits"))
    return render_template("commissary/limit_form.html", form=form, limit=limit)
