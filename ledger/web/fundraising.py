"""Coordinators' fundraising pages: prisoners, facilities, pledges, donations received,
allocations between funds and bank statement import."""

from __future__ import annotations

import json
from datetime import timedelta

import stripe
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ledger.access.models import READERS, WRITERS
from ledger.books.accounts import find_account
from ledger.books.errors import InvalidEntry
from ledger.books.holds import Approval
from ledger.books.models import Account
from ledger.edge.messages import message_for
from ledger.extensions import db
from ledger.funds.bank_import import (
    ColumnMapping,
    StatementError,
    accounts_with_saved_mappings,
    post_statement,
    read_statement,
    save_mapping,
    saved_mapping,
)
from ledger.funds.donations import DonationDraft, record_donation
from ledger.funds.kinds import GENERAL, PLEDGE_STATUSES
from ledger.funds.models import Donation, Facility, Pledge, PledgeStatusChange, Prisoner
from ledger.funds.pledges import (
    cancel_pledge,
    create_pledge,
    make_donor,
    pledge_by_reference,
    received_by_pledge,
)
from ledger.funds.prisoners import (
    create_prisoner,
    fund_by_name,
    prisoner_by_slug,
    save_facility,
    update_prisoner,
)
from ledger.funds.schedules import pledge_states, policy_of
from ledger.funds.statement_previews import drop_statement, keep_statement, open_statement
from ledger.funds.transfers import TransferBetweenFunds, record_transfer
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.spending.parcel_plan import parcel_plan
from ledger.web.access_control import role_required
from ledger.web.approvals import pending_redirect
from ledger.web.boundary import attempt
from ledger.web.choices import (
    bank_choices,
    currency_choices,
    currency_of,
    default_choice,
    facility_choices,
    fund_choices,
    receiving_asset_choices,
)
from ledger.web.fundraising_forms import (
    DonationForm,
    FacilityForm,
    PledgeForm,
    PrisonerForm,
    StatementUploadForm,
    TransferForm,
)
from ledger.web.numbers import amount_from_form
from ledger.web.paging import page_args, redirect_past_end

bp = Blueprint("fundraising", __name__)


# --- prisoners -------------------------------------------------------------------------


def _profile_values(form: PrisonerForm) -> dict:
    need = None
    if (form.need_amount.data or "").strip():
        need = amount_from_form(form.need_amount.data, form.need_currency.data, allow_zero=True)
    facility = db.session.get(Facility, int(form.facility.data)) if form.facility.data else None
    values = {
        name: getattr(form, name).data or None
        for name in ("name", "name_latin", "address", "region", "charges", "sentence", "bio_en", "bio_ru")
    }
    values.update(
        status=form.status.data,
        public=bool(form.public.data),
        facility=facility,
        monthly_need=need,
        gender=form.gender.data or None,
        juvenile=bool(form.juvenile.data),
        conditions=form.conditions.data or None,
        birth_date=form.birth_date.data or None,
        letter_birth_date_consent=bool(form.letter_birth_date_consent.data),
        channel_url=(form.channel_url.data or "").strip() or None,
    )
    if current_user.role == "admin":
        values["lifecycle_public"] = form.lifecycle_public.data
    return values


def _prisoner_form(prisoner: Prisoner | None = None) -> PrisonerForm:
    form = PrisonerForm(obj=prisoner)
    form.facility.choices = facility_choices()
    form.need_currency.choices = currency_choices()
    for optional in (form.gender, form.conditions):
        if optional.data is None:  # a profile's None is the empty choice
            optional.data = ""
    if request.method == "GET" and prisoner is not None:
        form.facility.data = str(prisoner.facility_id or "")
        if prisoner.monthly_need_minor is not None and prisoner.monthly_need_currency is not None:
            need = Money.from_minor(prisoner.monthly_need_minor, prisoner.monthly_need_currency)
            form.need_amount.data, form.need_currency.data = str(need.amount), need.currency
    return form


PRISONERS_PER_PAGE = 100


@bp.route("/manage/prisoners")
@role_required(*READERS)
def prisoners():
    """Prisoners in the order their next parcel should be prepared: nobody assigned and
    allowed soonest first (ledger/spending/parcel_plan.py), a page at a time
    (a thousand do not fit on one page)."""
    page, per_page = page_args(PRISONERS_PER_PAGE)
    plan = parcel_plan(db.session, offset=(page - 1) * per_page, limit=per_page)
    redirect_past_end((page, per_page), plan.total)
    return render_template(
        "fundraising/prisoners.html", plan=plan.rows, page=page, per_page=per_page, total=plan.total
    )


@bp.route("/manage/prisoners/new", methods=["GET", "POST"])
@role_required(*WRITERS)
def new_prisoner():
    form = _prisoner_form()
    if request.method == "GET":
        form.need_currency.data = "RUB"
    if form.validate_on_submit():
        with attempt(form) as outcome:
            prisoner = create_prisoner(
                db.session, (form.slug.data or "").strip(), _profile_values(form), actor=current_user
            )
        if outcome.ok:
            flash(_("Prisoner added. Their fund is ready."), "success")
            return redirect(url_for("spending.fund", slug=prisoner.slug))
    return render_template("fundraising/prisoner_form.html", form=form, prisoner=None)


@bp.route("/manage/prisoners/<slug>/edit", methods=["GET", "POST"])
@role_required(*WRITERS)
def edit_prisoner(slug: str):
    prisoner = prisoner_by_slug(db.session, slug) or abort(404)
    form = _prisoner_form(prisoner)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            changes = update_prisoner(db.session, prisoner, _profile_values(form), actor=current_user)
        if outcome.ok:
            flash(_("Saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("spending.fund", slug=prisoner.slug))
    return render_template("fundraising/prisoner_form.html", form=form, prisoner=prisoner)


# --- facilities ------------------------------------------------------------------------


def _saved_facility(form: FacilityForm, facility: Facility | None) -> bool:
    """Create or update the facility from the form; False (errors on the form) if refused."""
    with attempt(form) as outcome:
        save_facility(
            db.session,
            facility,
            name=form.name.data,
            address=form.address.data,
            region=form.region.data,
            max_parcel_grams=form.max_parcel_grams.data,
            max_parcels_per_month=form.max_parcels_per_month.data,
            kind=form.kind.data,
            regime=form.regime.data,
            postal_address_ru=form.postal_address_ru.data,
            postal_address_latin=form.postal_address_latin.data,
            actor=current_user,
        )
    return outcome.ok


@bp.route("/manage/facilities", methods=["GET", "POST"])
@role_required(*READERS)
def facilities():
    form = FacilityForm()
    if request.method == "POST":
        if current_user.role not in WRITERS:
            abort(403)
        if form.validate_on_submit():
            if _saved_facility(form, None):
                flash(_("Facility added."), "success")
                return redirect(url_for("fundraising.facilities"))
    rows = db.session.scalars(select(Facility).order_by(Facility.name)).all()
    return render_template("fundraising/facilities.html", facilities=rows, form=form)


@bp.route("/manage/facilities/<int:facility_id>/edit", methods=["GET", "POST"])
@role_required(*WRITERS)
def edit_facility(facility_id: int):
    facility = db.session.get(Facility, facility_id) or abort(404)
    form = FacilityForm(obj=facility)
    if form.validate_on_submit() and _saved_facility(form, facility):
        flash(_("Saved."), "success")
        return redirect(url_for("fundraising.facilities"))
    return render_template("fundraising/facility_form.html", form=form, facility=facility)


# --- pledges ---------------------------------------------------------------------------


@bp.route("/manage/pledges")
@role_required(*READERS)
def pledges():
    status = request.args.get("status", "active")
    query = select(Pledge).order_by(Pledge.created_at.desc(), Pledge.id.desc())
    if status in PLEDGE_STATUSES:
        query = query.where(Pledge.status == status)
    rows = db.session.scalars(query.limit(500)).all()
    received = received_by_pledge(db.session, [p.id for p in rows])
    today = utcnow().date()
    policy = policy_of(db.session)
    states = pledge_states(db.session, list(rows), today, policy)
    return render_template(
        "fundraising/pledges.html",
        pledges=rows,
        received=received,
        status=status,
        states=states,
        today=today,
        policy=policy,
    )


@bp.route("/manage/pledges/new", methods=["GET", "POST"])
@role_required(*WRITERS)
def new_pledge():
    form = PledgeForm()
    form.fund.choices = fund_choices()
    form.currency.choices = currency_choices()
    if request.method == "GET":
        form.starts_on.data = utcnow().date()
        form.fund.data = request.args.get("fund")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            money = amount_from_form(form.amount.data, form.currency.data)
            prisoner = None if form.fund.data == GENERAL else prisoner_by_slug(db.session, form.fund.data)
            donor = make_donor(db.session, public_name=form.public_name.data, email=form.email.data)
            pledge = create_pledge(
                db.session,
                prisoner=prisoner,
                money=money,
                frequency=form.frequency.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                donor=donor,
                actor=current_user,
            )
        if outcome.ok:
            flash(_("Pledge %(reference)s created.", reference=pledge.reference), "success")
            return redirect(url_for("fundraising.pledge", reference=pledge.reference))
    return render_template("fundraising/pledge_form.html", form=form)


@bp.route("/manage/pledges/<reference>")
@role_required(*READERS)
def pledge(reference: str):
    record = db.session.scalar(select(Pledge).where(Pledge.reference == reference)) or abort(404)
    donations = db.session.scalars(
        select(Donation).where(Donation.pledge_id == record.id).order_by(Donation.received_on.desc())
    ).all()
    received = received_by_pledge(db.session, [record.id]).get(record.id, (0, None))
    history = db.session.scalars(
        select(PledgeStatusChange)
        .where(PledgeStatusChange.pledge_id == record.id)
        .order_by(PledgeStatusChange.id)
    ).all()
    return render_template(
        "fundraising/pledge.html",
        pledge=record,
        donations=donations,
        received=received,
        state=pledge_states(db.session, [record])[record.id],
        history=history,
    )


@bp.route("/manage/pledges/<reference>/cancel", methods=["POST"])
@role_required(*WRITERS)
def cancel(reference: str):
    record = db.session.scalar(select(Pledge).where(Pledge.reference == reference)) or abort(404)
    from ledger.web.stripe_events import gateway

    try:
        with attempt() as outcome:
            cancel_pledge(
                db.session,
                record,
                actor=current_user,
                subscriptions=gateway() if record.stripe_subscription_id else None,
            )
    except stripe.StripeError:
        flash(message_for("stripe_unreachable"), "error")
        return redirect(url_for("fundraising.pledge", reference=reference)), 502
    if outcome.ok:
        flash(_("Pledge %(reference)s cancelled.", reference=reference), "success")
    return redirect(url_for("fundraising.pledge", reference=reference))


# --- donations and transfers -----------------------------------------------------------


@bp.route("/donations/new", methods=["GET", "POST"])
@role_required(*WRITERS)
def new_donation():
    form = DonationForm()
    form.fund.choices = fund_choices()
    form.currency.choices = currency_choices()
    form.asset.choices = receiving_asset_choices()
    if request.method == "GET":
        form.received_on.data = utcnow().date()
        form.fund.data = request.args.get("fund")
        form.pledge.data = request.args.get("pledge")
        # The currency starts as the one the receiving account holds.
        form.asset.data = default_choice(form.asset, request.args.get("asset"))
        form.currency.data = request.args.get("currency") or currency_of(form.asset.data)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            money = amount_from_form(form.amount.data, form.currency.data)
            pledge = None
            if (form.pledge.data or "").strip():
                pledge = pledge_by_reference(db.session, form.pledge.data)
                if pledge is None:
                    raise InvalidEntry("unknown pledge", field="pledge", reason="unknown_pledge")
            prisoner = None if form.fund.data == GENERAL else prisoner_by_slug(db.session, form.fund.data)
            donation = record_donation(
                db.session,
                DonationDraft(
                    received_on=form.received_on.data,
                    money=money,
                    asset=find_account(db.session, form.asset.data),
                    method=form.method.data,
                    prisoner=prisoner,
                    pledge=pledge,
                    memo=form.memo.data or None,
                ),
                recorded_by=current_user,
            )
        if outcome.ok:
            flash(_("Recorded as entry #%(id)s.", id=donation.entry_id), "success")
            return redirect(url_for("spending.entry", entry_id=donation.entry_id))
    return render_template("fundraising/donation_form.html", form=form)


def transfer_from_form(form: TransferForm) -> TransferBetweenFunds:
    """The form's parser: the command the page records."""
    return TransferBetweenFunds.named(
        db.session,
        from_fund=form.from_fund.data,
        to_fund=form.to_fund.data,
        money=amount_from_form(form.amount.data, form.currency.data),
        on=form.on.data,
        memo=form.memo.data,
    )


@bp.route("/transfers/new", methods=["GET", "POST"])
@role_required(*WRITERS)
def new_transfer():
    form = TransferForm()
    form.from_fund.choices = form.to_fund.choices = fund_choices()
    form.currency.choices = currency_choices()
    if request.method == "GET":
        form.on.data = utcnow().date()
        form.from_fund.data = request.args.get("from", GENERAL)
        form.to_fund.data = request.args.get("to")
    if form.validate_on_submit():
        with attempt(form) as outcome:
            entry = record_transfer(db.session, transfer_from_form(form), recorded_by=current_user)
        if outcome.ok and isinstance(entry, Approval):
            return pending_redirect(entry)
        if outcome.ok:
            flash(_("Recorded as entry #%(id)s.", id=entry.id), "success")
            return redirect(url_for("spending.entry", entry_id=entry.id))
    return render_template("fundraising/transfer_form.html", form=form)


# --- bank statements -------------------------------------------------------------------


def _mapping_from(form: StatementUploadForm) -> ColumnMapping:
    return ColumnMapping(
        date=form.date_column.data.strip(),
        amount=form.amount_column.data.strip(),
        reference=form.reference_column.data.strip(),
        currency=(form.currency_column.data or "").strip() or None,
        payer=(form.payer_column.data or "").strip() or None,
        default_currency=form.default_currency.data or None,
        decimal_comma=bool(form.decimal_comma.data),
    )


def preview_lifetime() -> timedelta:
    """How long an uploaded statement is kept for its preview (config ``IMPORT_PREVIEW_MINUTES``)."""
    return timedelta(minutes=max(1, int(current_app.config.get("IMPORT_PREVIEW_MINUTES") or 60)))


def import_key() -> bytes:
    """The instance's key for bank-import row keys (config ``IMPORT_KEY``)."""
    return current_app.config["IMPORT_KEY"].encode()


@bp.route("/imports/bank", methods=["GET", "POST"])
@role_required(*WRITERS)
def bank_import():
    """Upload and preview; the file is kept encrypted while the preview lives
    (ledger/funds/statement_previews.py) and deleted on post, cancel or expiry."""
    form = StatementUploadForm()
    form.asset.choices = bank_choices()
    form.default_currency.choices = currency_choices(blank=True)
    prefilled = None
    if request.method == "GET":
        prefilled = _prefill(form)
    if form.validate_on_submit():
        data = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        mapping = _mapping_from(form)
        asset = find_account(db.session, form.asset.data)
        with attempt(form) as outcome:
            statement = read_statement(db.session, data, mapping, asset, key=import_key())
            # The columns that read this file are the account's columns for its next import.
            mapping = statement.mapping
            save_mapping(db.session, asset, mapping, actor=current_user)
        if outcome.ok:
            token = keep_statement(
                db.session, data, key=import_key(), lifetime=preview_lifetime(), created_by=current_user
            )
            return render_template(
                "fundraising/import_preview.html",
                statement=statement,
                token=token,
                kept_minutes=int(preview_lifetime().total_seconds() // 60),
                asset=asset,
                mapping=json.dumps(mapping.__dict__),
                funds=fund_choices(),
            )
    saved = accounts_with_saved_mappings(db.session)
    saved_accounts = [(c.value, c.label) for c in form.asset.choices if c.value in saved]
    return render_template(
        "fundraising/import_upload.html",
        form=form,
        prefilled=prefilled,
        saved_accounts=saved_accounts,
        kept_minutes=int(preview_lifetime().total_seconds() // 60),
    )


def _prefill(form: StatementUploadForm):
    """Choose the account named in ``?asset=`` (or the first) and fill in its saved columns.
    Returns the account when its saved columns were filled in, None when it has none yet."""
    choices = [choice.value for choice in form.asset.choices]
    wanted = request.args.get("asset", "")
    chosen = wanted if wanted in choices else (choices[0] if choices else None)
    if chosen is None:
        return None
    form.asset.data = chosen
    asset = find_account(db.session, chosen)
    mapping = saved_mapping(db.session, asset) if asset is not None else None
    if mapping is None:
        return None
    form.date_column.data = mapping.date
    form.amount_column.data = mapping.amount
    form.reference_column.data = mapping.reference
    form.currency_column.data = mapping.currency or ""
    form.payer_column.data = mapping.payer or ""
    form.default_currency.data = mapping.default_currency or ""
    form.decimal_comma.data = mapping.decimal_comma
    return asset


@bp.route("/imports/bank/post", methods=["POST"])
@role_required(*WRITERS)
def bank_import_post():
    token = request.form.get("statement", "")
    try:
        data = open_statement(db.session, token, key=import_key())
    except StatementError as error:
        flash(message_for(error.code), "error")
        return redirect(url_for("fundraising.bank_import"))
    try:
        mapping = ColumnMapping(**json.loads(request.form.get("mapping", "{}")))
    except (TypeError, ValueError):
        abort(400)
    asset = find_account(db.session, request.form.get("asset"))
    decisions: dict[int, Account | None] = {}
    for key, value in request.form.items():
        if key.startswith("row-") and key[4:].isdigit() and value:
            decisions[int(key[4:])] = fund_by_name(db.session, value)
    with attempt() as outcome:
        if asset is None:
            raise StatementError("import_bad_asset")
        statement = read_statement(db.session, data, mapping, asset, key=import_key())
        result = post_statement(db.session, statement, asset, decisions, recorded_by=current_user)
    if not outcome.ok:
        return redirect(url_for("fundraising.bank_import"))
    drop_statement(db.session, token)
    return render_template("fundraising/import_result.html", result=result, asset=asset)


@bp.route("/imports/bank/cancel", methods=["POST"])
@role_required(*WRITERS)
def bank_import_cancel():
    """Forget the previewed statement now, without recording anything."""
    drop_statement(db.session, request.form.get("statement", ""))
    flash(_("The statement is deleted; nothing was recorded."), "success")
    return redirect(url_for("fundraising.bank_import"), code=303)
