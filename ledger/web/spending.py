"""Coordinators' pages: funds, disbursements and parcels, receipts, conversions, cash, reversals."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, inspect, select

from ledger.access.models import READERS, WRITERS
from ledger.books.accounts import find_account, fund_account_for, general_fund
from ledger.books.balances import available_in
from ledger.books.errors import InvalidEntry
from ledger.books.holds import Approval, held_in, spendable_by_account, spendable_in
from ledger.books.models import Account, JournalEntry, Posting
from ledger.edge.uploads import attach_upload
from ledger.extensions import db
from ledger.funds.models import Prisoner
from ledger.funds.prisoners import fund_by_name, prisoner_by_slug
from ledger.money import MoneyError, parse_rate
from ledger.platform.database import utcnow
from ledger.spending.cash import (
    MoveCash,
    cash_account_for,
    cash_accounts,
    cash_accounts_of,
    record_cash_movement,
    spent_from,
)
from ledger.spending.conversions import convert_assets, convert_within_fund
from ledger.spending.disbursements import (
    ParcelDraft,
    ParcelItemDraft,
    RecordSpending,
    entry_attachments,
    record_spending,
    spending_assets,
)
from ledger.spending.kinds import ParcelKind
from ledger.spending.models import Receipt
from ledger.spending.receipts import attach_receipt, is_disbursement, receipt_path
from ledger.spending.reversals import reverse_with_reason
from ledger.web.access_control import role_required
from ledger.web.approvals import pending_redirect
from ledger.web.boundary import attempt
from ledger.web.choices import (
    asset_choices,
    bank_choices,
    currency_choices,
    currency_of,
    fund_choices,
    prisoner_select_choices,
)
from ledger.web.choices import (
    default_choice as _default_choice,
)
from ledger.web.confirmation import confirmation_page, confirmed
from ledger.web.descriptions import description_in_language
from ledger.web.numbers import amount_from_form
from ledger.web.paging import page_args, redirect_past_end
from ledger.web.spending_forms import (
    AssetConversionForm,
    CashMovementForm,
    DisbursementForm,
    FundConversionForm,
    ReceiptForm,
    ReversalForm,
)

bp = Blueprint("spending", __name__)

FUNDS_PER_PAGE = 100


@bp.route("/manage/funds")
@role_required(*READERS)
def funds():
    """A page of prisoners' funds (by name) with what each can spend and what sign-off
    holds back: three queries a page."""
    page, per_page = page_args(FUNDS_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(Prisoner)) or 0
    redirect_past_end((page, per_page), total)
    listed = db.session.execute(
        select(Prisoner, Account)
        .outerjoin(Account, Account.prisoner_id == Prisoner.id)
        .order_by(Prisoner.name, Prisoner.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    funds = spendable_by_account(db.session, [account for _, account in listed if account is not None])
    rows = [
        (prisoner, *(funds[account.id] if account is not None else ({}, {}))) for prisoner, account in listed
    ]
    account = general_fund(db.session)
    general = (spendable_in(db.session, account), held_in(db.session, account))
    return render_template(
        "spending/funds.html", rows=rows, general=general, page=page, per_page=per_page, total=total
    )


@bp.route("/manage/prisoners/<slug>/fund")
@role_required(*READERS)
def fund(slug: str):
    prisoner = prisoner_by_slug(db.session, slug)
    if prisoner is None:
        abort(404)
    account = fund_account_for(db.session, prisoner)
    entries = db.session.execute(
        select(JournalEntry, Posting)
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(Posting.account_id == account.id)
        .order_by(JournalEntry.id.desc())
        .limit(50)
    ).all()
    from ledger.web.lifecycle import profile_context

    return render_template(
        "spending/fund.html",
        prisoner=prisoner,
        balances=spendable_in(db.session, account),
        books=available_in(db.session, account),
        held=held_in(db.session, account),
        entries=entries,
        **profile_context(prisoner),
    )


def spending_from_form(form: DisbursementForm) -> RecordSpending:
    """The form's parser: the command the page records (blank item rows skipped, a parcel
    only for the parcels category with items, a weight or a tracking number)."""
    money = amount_from_form(form.amount.data, form.currency.data)
    return RecordSpending.named(
        db.session,
        prisoner=form.prisoner.data,
        paid_from=form.paid_from.data,
        money=money,
        category=form.category.data,
        spent_on=form.spent_on.data,
        memo=form.memo.data,
        parcel=_parcel_from(form, money.currency),
    )


def _parcel_from(form: DisbursementForm, currency: str) -> ParcelDraft | None:
    items = []
    for item in form.items.entries:
        if not (item.form.name.data or "").strip():
            continue
        cost_text = (item.form.cost.data or "").strip() or "0"
        cost = amount_from_form(cost_text, currency, allow_zero=True)
        items.append(
            ParcelItemDraft(
                name=item.form.name.data,
                quantity=item.form.quantity.data or 1,
                grams=item.form.grams.data or 0,
                cost=cost,
            )
        )
    if form.category.data != "parcels" or not (
        items or form.parcel_total_grams.data or form.parcel_tracking.data
    ):
        return None
    return ParcelDraft(
        sent_on=form.parcel_sent_on.data or form.spent_on.data,
        items=items,
        tracking_number=form.parcel_tracking.data or None,
        total_grams=form.parcel_total_grams.data,
        kind=form.parcel_kind.data or ParcelKind.PARCEL,
        medical=bool(form.parcel_medical.data),
        override_reason=form.parcel_override_reason.data or None,
    )


@bp.route("/disbursements/new", methods=["GET", "POST"])
@role_required(*WRITERS)
def new_disbursement():
    form = DisbursementForm()
    form.prisoner.choices = prisoner_select_choices()
    form.currency.choices = currency_choices()
    form.paid_from.choices = asset_choices()
    if request.method == "GET":
        form.prisoner.data = request.args.get("prisoner")
        form.spent_on.data = utcnow().date()
        # The currency starts as the prisoner's need's (what their money is mostly spent in),
        # paid from the first account that holds it; otherwise as the account paid from holds.
        prisoner = prisoner_by_slug(db.session, form.prisoner.data) if form.prisoner.data else None
        wanted = request.args.get("currency") or (prisoner.monthly_need_currency if prisoner else None)
        paid_from = request.args.get("paid_from")
        if paid_from is None and wanted:
            paid_from = next(
                (c.value for c in form.paid_from.choices if currency_of(c.value) == wanted), None
            )
        form.paid_from.data = _default_choice(form.paid_from, paid_from)
        form.currency.data = wanted or currency_of(form.paid_from.data)
    balances = None
    warnings = None
    if form.validate_on_submit():
        command = None
        with attempt(form) as outcome:
            command = spending_from_form(form)
            entry = record_spending(db.session, command, recorded_by=current_user)
        if outcome.ok and isinstance(entry, Approval):
            return pending_redirect(entry)
        if outcome.ok:
            flash(_("Recorded as entry #%(id)s.", id=entry.id), "success")
            return redirect(url_for("spending.entry", entry_id=entry.id))
        if outcome.code in ("parcel_quota", "parcel_weight"):
            warnings = {"code": outcome.code, **outcome.params}
        if outcome.code == "insufficient_funds" and command is not None:
            balances = spendable_in(db.session, fund_account_for(db.session, command.prisoner))
    return render_template("spending/disbursement_form.html", form=form, balances=balances, warnings=warnings)


@bp.route("/entries/<int:entry_id>", methods=["GET"])
@role_required(*READERS)
def entry(entry_id: int):
    record = db.session.get(JournalEntry, entry_id)
    if record is None:
        abort(404)
    receipts, parcel = entry_attachments(db.session, record)
    return render_template(
        "spending/entry.html",
        entry=record,
        receipts=receipts,
        parcel=parcel,
        receipt_form=ReceiptForm(),
        reversal_form=ReversalForm(),
        can_attach=is_disbursement(db.session, record),  # receipts prove spending only
    )


@bp.route("/entries/<int:entry_id>/receipts", methods=["POST"])
@role_required(*WRITERS)
def upload_receipt(entry_id: int):
    record = db.session.get(JournalEntry, entry_id)
    if record is None:
        abort(404)
    form = ReceiptForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            attach_upload(attach_receipt, record, form.file.data)
        if outcome.ok:
            flash(_("Receipt attached."), "success")
    else:
        flash(_("Choose a file to upload."), "error")
    return redirect(url_for("spending.entry", entry_id=entry_id))


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
@role_required(*WRITERS)
def reverse(entry_id: int):
    record = db.session.get(JournalEntry, entry_id)
    if record is None:
        abort(404)
    form = ReversalForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for the reversal."), "error")
        return redirect(url_for("spending.entry", entry_id=entry_id))
    if not confirmed():
        return confirmation_page(
            title=_("Reverse entry #%(id)s?", id=entry_id),
            explanation=[
                description_in_language(record.description),
                _("Reason: %(reason)s", reason=form.reason.data),
                _(
                    "The entry stays in the journal and an entry with the opposite amounts is recorded; "
                    "a reversal can't itself be removed."
                ),
            ],
            button=_("Reverse"),
            back=url_for("spending.entry", entry_id=entry_id),
            carried={"reason": form.reason.data},
        )
    with attempt() as outcome:
        reversal = reverse_with_reason(
            db.session, record, reason=form.reason.data, on=utcnow().date(), recorded_by=current_user
        )
    if not outcome.ok:
        return redirect(url_for("spending.entry", entry_id=entry_id))
    flash(_("Entry #%(id)s reversed by #%(reversal)s.", id=entry_id, reversal=reversal.id), "success")
    return redirect(url_for("spending.entry", entry_id=reversal.id))


@bp.route("/receipts/<int:receipt_id>")
@role_required(*READERS)
def receipt(receipt_id: int):
    record = db.session.get(Receipt, receipt_id)
    if record is None:
        abort(404)
    path = receipt_path(Path(current_app.instance_path) / "receipts", record)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=record.content_type,
        as_attachment=record.content_type == "application/pdf",
        download_name=f"receipt-{record.entry_id}-{record.sha256[:12]}{path.suffix}",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _conversion_money(form):
    source = amount_from_form(form.amount.data, form.currency.data)
    target = amount_from_form(form.to_amount.data, form.to_currency.data) if form.to_amount.data else None
    # Both given: the domain checks that they agree (rate_mismatch).
    rate = parse_rate(form.rate.data) if form.rate.data else None
    if target is None and rate is None:
        raise MoneyError("invalid_rate")
    return source, target, rate


@bp.route("/conversions/new", methods=["GET", "POST"])
@role_required(*WRITERS)
def new_conversion():
    fund_form = FundConversionForm(prefix="fund")
    asset_form = AssetConversionForm(prefix="asset")
    fund_form.fund.choices = fund_choices()
    for field in (fund_form.currency, fund_form.to_currency, asset_form.currency, asset_form.to_currency):
        field.choices = currency_choices()
    asset_form.from_account.choices = asset_form.to_account.choices = asset_choices()
    if request.method == "GET":
        fund_form.fund.data = request.args.get("fund")
        fund_form.currency.data = request.args.get("from", "EUR")
        fund_form.to_currency.data = request.args.get("to", "RUB")
        fund_form.amount.data = request.args.get("amount")
        fund_form.on.data = asset_form.on.data = utcnow().date()
        asset_form.currency.data, asset_form.to_currency.data = "EUR", "RUB"
    submitted = request.form.get("kind")
    form = fund_form if submitted == "fund" else asset_form
    if submitted in ("fund", "asset") and form.validate_on_submit():
        with attempt(form) as outcome:
            source, target, rate = _conversion_money(form)
            common = dict(
                source=source,
                target_currency=form.to_currency.data,
                target=target,
                rate=rate,
                on=form.on.data,
                memo=form.memo.data,
                recorded_by=current_user,
            )
            if submitted == "fund":
                entry = convert_within_fund(
                    db.session, fund=fund_by_name(db.session, form.fund.data), **common
                )
            else:
                accounts = {a.name: a for a in spending_assets(db.session)}
                entry = convert_assets(
                    db.session,
                    from_account=accounts[form.from_account.data],
                    to_account=accounts[form.to_account.data],
                    **common,
                )
        if outcome.ok:
            flash(_("Recorded as entry #%(id)s.", id=entry.id), "success")
            return redirect(url_for("spending.entry", entry_id=entry.id))
    return render_template("spending/conversion_form.html", fund_form=fund_form, asset_form=asset_form)


def cash_from_form(form: CashMovementForm) -> MoveCash:
    """The form's parser: an advance from the bank into the signed-in coordinator's box in the
    currency (one box per coordinator and currency, opened by the first handover), or a return."""
    bank = find_account(db.session, form.bank.data)
    if bank is None:
        raise InvalidEntry("no such bank account", field="bank", reason="unknown_account")
    money = amount_from_form(form.amount.data, form.currency.data)
    box = cash_account_for(db.session, current_user, money.currency)
    source, target = (bank, box) if form.direction.data == "advance" else (box, bank)
    return MoveCash(from_account=source, to_account=target, money=money, on=form.on.data, memo=form.memo.data)


@bp.route("/cash", methods=["GET", "POST"])
@role_required(*WRITERS)
def cash():
    form = CashMovementForm()
    form.bank.choices = bank_choices()
    form.currency.choices = currency_choices()
    if request.method == "GET":
        form.on.data = utcnow().date()
        form.bank.data = _default_choice(form.bank, request.args.get("bank"))
        form.currency.data = currency_of(form.bank.data)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            moved = record_cash_movement(db.session, cash_from_form(form), recorded_by=current_user)
        if outcome.ok and isinstance(moved, Approval):
            return pending_redirect(moved)
        if outcome.ok:
            flash(_("Recorded."), "success")
            return redirect(url_for("spending.cash"))
    boxes = [box for box in cash_accounts_of(db.session, current_user) if not inspect(box).transient]
    held: dict = {}
    spent: list = []
    for box in boxes:
        held.update(spendable_in(db.session, box))
        spent += spent_from(db.session, box)
    spent.sort(key=lambda row: row[0].id, reverse=True)
    holders = [(holder, spendable_in(db.session, holder)) for holder in cash_accounts(db.session)]
    return render_template(
        "spending/cash.html",
        form=form,
        boxes=boxes,
        held=held,
        spent=spent[:50],
        holders=holders,
    )
