"""Coordinators' pages: a prisoner's lifecycle events, their parcels' outcomes and refunds,
who sends the next parcel, and the parcel rules."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ledger.access.models import READERS, WRITERS, User
from ledger.books.accounts import find_account
from ledger.edge.uploads import attach_upload
from ledger.extensions import db
from ledger.funds.lifecycle import events_of, lifecycle_of, record_event
from ledger.funds.models import Facility, Prisoner
from ledger.funds.prisoners import prisoner_by_slug
from ledger.platform.database import utcnow
from ledger.spending.models import Parcel, ParcelRule
from ledger.spending.parcel_law import LIMIT_FIELDS
from ledger.spending.parcel_outcomes import (
    assign_next_parcel,
    attach_inventory,
    parcel_amount,
    record_outcome,
    record_parcel_refund,
)
from ledger.spending.parcel_rule_editing import all_rules, save_parcel_rule
from ledger.web.access_control import role_required
from ledger.web.boundary import attempt
from ledger.web.choices import asset_choices, facility_choices
from ledger.web.lifecycle_forms import (
    AssignForm,
    EventForm,
    InventoryForm,
    OutcomeForm,
    ParcelRuleForm,
    RefundForm,
)
from ledger.web.numbers import amount_from_form

bp = Blueprint("lifecycle", __name__)


def _prisoner_or_404(slug: str) -> Prisoner:
    return prisoner_by_slug(db.session, slug) or abort(404)


def _event_form() -> EventForm:
    form = EventForm()
    form.facility.choices = facility_choices()
    if request.method == "GET":
        form.on.data = utcnow().date()
    return form


def _timeline_page(prisoner: Prisoner, form: EventForm, status: int = 200):
    return render_template(
        "lifecycle/events.html",
        prisoner=prisoner,
        form=form,
        events=events_of(db.session, prisoner),
        place=lifecycle_of(db.session, prisoner),
    ), status


@bp.route("/manage/prisoners/<slug>/lifecycle")
@role_required(*READERS)
def events(slug: str):
    return _timeline_page(_prisoner_or_404(slug), _event_form())


@bp.route("/manage/prisoners/<slug>/lifecycle", methods=["POST"])
@role_required(*WRITERS)
def new_event(slug: str):
    prisoner = _prisoner_or_404(slug)
    form = _event_form()
    if form.validate_on_submit():
        facility = db.session.get(Facility, int(form.facility.data)) if form.facility.data else None
        with attempt(form) as result:
            event = record_event(
                db.session,
                prisoner,
                type=form.type.data,
                on=form.on.data,
                facility=facility,
                fund_policy=form.fund_policy.data or None,
                note=form.note.data,
                recorded_by=current_user,
            )
        if result.ok:
            if event.entry_id is not None:
                flash(
                    _("Recorded; the fund moved to the general fund as entry #%(id)s.", id=event.entry_id),
                    "success",
                )
            else:
                flash(_("Recorded."), "success")
            return redirect(url_for("lifecycle.events", slug=prisoner.slug))
    return _timeline_page(prisoner, form, 400)


def coordinator_choices() -> list[tuple[str, str]]:
    users = db.session.scalars(
        select(User).where(User.role.in_(WRITERS), User.active.is_(True)).order_by(User.email)
    )
    return [("", _("nobody yet"))] + [(str(user.id), user.email) for user in users]


@bp.route("/manage/prisoners/<slug>/next-parcel", methods=["POST"])
@role_required(*WRITERS)
def assign(slug: str):
    prisoner = _prisoner_or_404(slug)
    form = AssignForm()
    form.coordinator.choices = coordinator_choices()
    if form.validate_on_submit():
        user = db.session.get(User, int(form.coordinator.data)) if form.coordinator.data else None
        with attempt() as result:
            assign_next_parcel(db.session, prisoner, user, actor=current_user)
        if result.ok:
            flash(_("Saved."), "success")
    else:
        flash(_("Choose a coordinator."), "error")
    target = request.form.get("next") or ""
    if target != "list":
        return redirect(url_for("spending.fund", slug=prisoner.slug))
    return redirect(url_for("fundraising.prisoners"))


# --- parcels ---------------------------------------------------------------------------


def _parcel_or_404(parcel_id: int) -> Parcel:
    return db.session.get(Parcel, parcel_id) or abort(404)


def _parcel_page(parcel: Parcel, *, outcome_form=None, refund_form=None, status: int = 200):
    outcome_form = outcome_form or OutcomeForm(prefix="outcome")
    refund_form = refund_form or RefundForm(prefix="refund")
    refund_form.asset.choices = asset_choices()
    if request.method == "GET":
        outcome_form.on.data = refund_form.on.data = utcnow().date()
        if parcel.outcome is not None:
            outcome_form.outcome.data = parcel.outcome.outcome
            outcome_form.on.data = parcel.outcome.occurred_on
            outcome_form.note.data = parcel.outcome.note
        outcome_form.tracking_number.data = parcel.tracking_number
        refund_form.amount.data = str(parcel_amount(parcel).amount)
    return render_template(
        "lifecycle/parcel.html",
        parcel=parcel,
        prisoner=db.session.get(Prisoner, parcel.prisoner_id),
        cost=parcel_amount(parcel),
        outcome_form=outcome_form,
        refund_form=refund_form,
        inventory_form=InventoryForm(prefix="inventory"),
    ), status


@bp.route("/manage/parcels/<int:parcel_id>")
@role_required(*READERS)
def parcel(parcel_id: int):
    return _parcel_page(_parcel_or_404(parcel_id))


@bp.route("/manage/parcels/<int:parcel_id>/outcome", methods=["POST"])
@role_required(*WRITERS)
def outcome(parcel_id: int):
    record = _parcel_or_404(parcel_id)
    form = OutcomeForm(prefix="outcome")
    if form.validate_on_submit():
        with attempt(form) as result:
            record_outcome(
                db.session,
                record,
                outcome=form.outcome.data,
                on=form.on.data,
                tracking_number=form.tracking_number.data,
                note=form.note.data,
                recorded_by=current_user,
            )
        if result.ok:
            flash(_("Saved."), "success")
            return redirect(url_for("lifecycle.parcel", parcel_id=parcel_id))
    return _parcel_page(record, outcome_form=form, status=400)


@bp.route("/manage/parcels/<int:parcel_id>/refund", methods=["POST"])
@role_required(*WRITERS)
def refund(parcel_id: int):
    record = _parcel_or_404(parcel_id)
    form = RefundForm(prefix="refund")
    form.asset.choices = asset_choices()
    if form.validate_on_submit():
        received_into = find_account(db.session, form.asset.data)
        if received_into is None:  # the form offers only existing accounts
            abort(400)
        with attempt(form) as result:
            entry = record_parcel_refund(
                db.session,
                record,
                money=amount_from_form(form.amount.data, parcel_amount(record).currency),
                received_into=received_into,
                on=form.on.data,
                recorded_by=current_user,
            )
        if result.ok:
            flash(_("Recorded as entry #%(id)s.", id=entry.id), "success")
            return redirect(url_for("lifecycle.parcel", parcel_id=parcel_id))
    return _parcel_page(record, refund_form=form, status=400)


@bp.route("/manage/parcels/<int:parcel_id>/inventory", methods=["POST"])
@role_required(*WRITERS)
def inventory(parcel_id: int):
    record = _parcel_or_404(parcel_id)
    form = InventoryForm(prefix="inventory")
    if form.validate_on_submit():
        with attempt() as result:
            attach_upload(attach_inventory, record, form.file.data)
        if result.ok:
            flash(_("Inventory form attached."), "success")
    else:
        flash(_("Choose a file to upload."), "error")
    return redirect(url_for("lifecycle.parcel", parcel_id=parcel_id))


# --- parcel rules ----------------------------------------------------------------------


@bp.route("/manage/parcel-rules")
@role_required(*READERS)
def rules():
    return render_template("lifecycle/rules.html", rules=all_rules(db.session))


@bp.route("/manage/parcel-rules/<int:rule_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_rule(rule_id: int):
    rule = db.session.get(ParcelRule, rule_id) or abort(404)
    form = ParcelRuleForm(obj=rule)
    if request.method == "GET":
        form.exemptions.data = sorted(rule.exempt)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in LIMIT_FIELDS}
        values.update(exemptions=form.exemptions.data, legal_basis=form.legal_basis.data)
        with attempt(form) as result:
            save_parcel_rule(db.session, rule, values, actor=current_user)
        if result.ok:
            flash(_("Saved."), "success")
            return redirect(url_for("lifecycle.rules"))
    return render_template("lifecycle/rule_form.html", form=form, rule=rule)


def profile_context(prisoner: Prisoner) -> dict:
    """What the coordinators' profile page shows of the lifecycle and the parcels."""
    from ledger.spending.parcel_outcomes import assignments, parcels_of
    from ledger.spending.parcel_quota import parcel_allowance

    place = lifecycle_of(db.session, prisoner)
    assignment = assignments(db.session).get(prisoner.id)
    form = AssignForm()
    form.coordinator.choices = coordinator_choices()
    form.coordinator.data = str(assignment.user_id) if assignment else ""
    return {
        "place": place,
        "events": events_of(db.session, prisoner)[:5],
        "allowance": parcel_allowance(db.session, prisoner, reachable=place.parcels_allowed),
        "assignee": assignment.user if assignment else None,
        "assign_form": form,
        "parcels": parcels_of(db.session, prisoner, limit=20),
    }
