"""Pages of two-person sign-off: the queue, one item with its decisions, and the thresholds."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ledger.access.models import READERS, WRITERS
from ledger.books.holds import Approval, held_per_account
from ledger.books.kinds import ApprovalStatus
from ledger.edge.uploads import attach_upload
from ledger.extensions import db
from ledger.signoff.decisions import approval_receipts, approve, list_approvals, reject, withdraw
from ledger.signoff.thresholds import approval_thresholds, set_approval_thresholds
from ledger.spending.receipts import attach_approval_receipt
from ledger.web.access_control import role_required
from ledger.web.approvals_forms import (
    ApproveForm,
    RejectForm,
    RemoveThresholdForm,
    ThresholdForm,
    WithdrawForm,
)
from ledger.web.boundary import attempt
from ledger.web.choices import currency_choices
from ledger.web.formatting import money
from ledger.web.numbers import amount_from_form
from ledger.web.spending_forms import ReceiptForm

bp = Blueprint("approvals", __name__)


def pending_redirect(approval: Approval):
    """What a form answers when its item waits for a second person: say so, show the item."""
    flash(
        _(
            "Not recorded yet: %(amount)s needs a second person's sign-off (item #%(id)s). "
            "The money is held back until a coordinator or an admin approves it.",
            amount=money(approval.money),
            id=approval.id,
        ),
        "success",
    )
    return redirect(url_for("approvals.show", approval_id=approval.id))


@bp.route("/manage/approvals")
@role_required(*READERS)
def queue():
    pending = list_approvals(db.session, status=ApprovalStatus.PENDING, per_page=200)
    decided = list_approvals(db.session, status=None, per_page=30)
    return render_template(
        "approvals/queue.html",
        pending=pending.items,
        decided=[item for item in decided.items if item.status != ApprovalStatus.PENDING],
        held=held_per_account(db.session),
        thresholds=approval_thresholds(db.session),
    )


def _item_or_404(approval_id: int) -> Approval:
    approval = db.session.get(Approval, approval_id)
    if approval is None:
        abort(404)
    return approval


@bp.route("/manage/approvals/<int:approval_id>")
@role_required(*READERS)
def show(approval_id: int):
    approval = _item_or_404(approval_id)
    return render_template(
        "approvals/item.html",
        approval=approval,
        receipts=approval_receipts(db.session, approval),
        approve_form=ApproveForm(),
        reject_form=RejectForm(),
        withdraw_form=WithdrawForm(),
        receipt_form=ReceiptForm(),
    )


@bp.route("/manage/approvals/<int:approval_id>/approve", methods=["POST"])
@role_required(*WRITERS)
def approve_item(approval_id: int):
    _item_or_404(approval_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    with attempt() as outcome:
        entry = approve(db.session, approval_id, approver=current_user)
    if outcome.ok:
        flash(_("Signed off and recorded as entry #%(id)s.", id=entry.id), "success")
        return redirect(url_for("spending.entry", entry_id=entry.id))
    return redirect(url_for("approvals.show", approval_id=approval_id))


@bp.route("/manage/approvals/<int:approval_id>/reject", methods=["POST"])
@role_required(*WRITERS)
def reject_item(approval_id: int):
    _item_or_404(approval_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for refusing."), "error")
        return redirect(url_for("approvals.show", approval_id=approval_id))
    with attempt() as outcome:
        reject(db.session, approval_id, user=current_user, reason=form.reason.data)
    if outcome.ok:
        flash(_("Refused: nothing was recorded and the money is no longer held back."), "success")
    return redirect(url_for("approvals.show", approval_id=approval_id))


@bp.route("/manage/approvals/<int:approval_id>/withdraw", methods=["POST"])
@role_required(*WRITERS)
def withdraw_item(approval_id: int):
    _item_or_404(approval_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as outcome:
        withdraw(db.session, approval_id, user=current_user, reason=form.reason.data)
    if outcome.ok:
        flash(_("Withdrawn: nothing was recorded and the money is no longer held back."), "success")
    return redirect(url_for("approvals.show", approval_id=approval_id))


@bp.route("/manage/approvals/<int:approval_id>/receipts", methods=["POST"])
@role_required(*WRITERS)
def upload_receipt(approval_id: int):
    approval = _item_or_404(approval_id)
    form = ReceiptForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            attach_upload(attach_approval_receipt, approval, form.file.data)
        if outcome.ok:
            flash(_("Receipt attached."), "success")
    else:
        flash(_("Choose a file to upload."), "error")
    return redirect(url_for("approvals.show", approval_id=approval_id))


@bp.route("/admin/approval-thresholds", methods=["GET", "POST"])
@role_required("admin")
def thresholds():
    form = ThresholdForm()
    form.currency.choices = currency_choices()
    remove_form = RemoveThresholdForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            current = approval_thresholds(db.session)
            current[form.currency.data] = amount_from_form(form.amount.data, form.currency.data)
            set_approval_thresholds(db.session, current, user=current_user)
        if outcome.ok:
            flash(_("Thresholds saved."), "success")
            return redirect(url_for("approvals.thresholds"))
    return render_template(
        "approvals/thresholds.html",
        form=form,
        remove_form=remove_form,
        thresholds=approval_thresholds(db.session),
    )


@bp.route("/admin/approval-thresholds/remove", methods=["POST"])
@role_required("admin")
def remove_threshold():
    form = RemoveThresholdForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            current = approval_thresholds(db.session)
            current.pop(form.currency.data, None)
            set_approval_thresholds(db.session, current, user=current_user)
        if outcome.ok:
            flash(_("Thresholds saved."), "success")
    return redirect(url_for("approvals.thresholds"))
