"""Admins' pages for donors and mail: bank details per currency (English and Russian), the
pledge rules (N days, M instalments) and the email retention period; the outbox with its
failures; donors' emails (shown to admins only) and their deletion."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.parser import BytesHeaderParser

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry
from ledger.edge.messages import message_for
from ledger.edge.refusals import error_parts
from ledger.extensions import db
from ledger.funds import bank_details
from ledger.funds.donor_mail import forget_email, revoke_links, unconfirmed_mails_since
from ledger.funds.models import Donor, Pledge
from ledger.funds.public_pledges import HOUR, public_pledges_since
from ledger.funds.schedules import RULE_LIMITS, donor_settings, save_donor_rules
from ledger.mail.kinds import MAIL_STATUSES, MailStatus
from ledger.mail.models import MailMessage
from ledger.mail.sender import mail_files, retry_now
from ledger.platform.database import utcnow
from ledger.web.access_control import role_required
from ledger.web.access_forms import EmptyForm
from ledger.web.choices import currency_choices
from ledger.web.fields import SelectField

bp = Blueprint("donor_admin", __name__, url_prefix="/admin")


class RulesForm(FlaskForm):
    overdue_days = IntegerField(
        _l("Days after its due date until an instalment counts as missed (N)"),
        validators=[InputRequired(), NumberRange(*RULE_LIMITS["overdue_days"])],
    )
    lapse_missed = IntegerField(
        _l("Missed instalments after which a pledge has lapsed (M)"),
        validators=[InputRequired(), NumberRange(*RULE_LIMITS["lapse_missed"])],
    )
    email_retention_days = IntegerField(
        _l("Days a donor's email is kept, then deleted"),
        validators=[InputRequired(), NumberRange(*RULE_LIMITS["email_retention_days"])],
    )


class BankDetailsForm(FlaskForm):
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    details_en = TextAreaField(_l("Bank details in English"), validators=[InputRequired(), Length(max=2000)])
    details_ru = TextAreaField(_l("Bank details in Russian"), validators=[InputRequired(), Length(max=2000)])


def _settings_page(rules: RulesForm | None = None, bank: BankDetailsForm | None = None, status: int = 200):
    settings = donor_settings(db.session)
    if rules is None:
        rules = RulesForm(
            overdue_days=settings.overdue_days,
            lapse_missed=settings.lapse_missed,
            email_retention_days=settings.email_retention_days,
        )
    bank = bank or BankDetailsForm()
    bank.currency.choices = currency_choices()
    details = bank_details.all_bank_details(db.session)
    return (
        render_template(
            "donor_admin/settings.html", rules=rules, bank=bank, details=details, action_form=EmptyForm()
        ),
        status,
    )


@bp.get("/donor-settings")
@role_required("admin")
def settings():
    return _settings_page()


@bp.post("/donor-settings/rules")
@role_required("admin")
def save_rules():
    form = RulesForm()
    if not form.validate_on_submit():
        return _settings_page(rules=form, status=400)
    try:
        save_donor_rules(
            db.session,
            actor=current_user,
            overdue_days=form.overdue_days.data,
            lapse_missed=form.lapse_missed.data,
            email_retention_days=form.email_retention_days.data,
        )
    except InvalidEntry as error:
        code, field, params = error_parts(error)
        getattr(form, field or "overdue_days").errors = [message_for(code, params)]
        return _settings_page(rules=form, status=400)
    flash(_("Saved. The pledge job applies the rules at its next run."), "success")
    return redirect(url_for("donor_admin.settings"), code=303)


@bp.post("/donor-settings/bank")
@role_required("admin")
def save_bank_details():
    form = BankDetailsForm()
    form.currency.choices = currency_choices()
    if not form.validate_on_submit():
        return _settings_page(bank=form, status=400)
    try:
        row = bank_details.save_bank_details(
            db.session,
            form.currency.data,
            details_en=form.details_en.data or "",
            details_ru=form.details_ru.data or "",
            actor=current_user,
        )
    except InvalidEntry as error:
        code, field, params = error_parts(error)
        getattr(form, field or "currency").errors = [message_for(code, params)]
        return _settings_page(bank=form, status=400)
    flash(_("Bank details for %(currency)s saved.", currency=row.currency), "success")
    return redirect(url_for("donor_admin.settings"), code=303)


@bp.post("/donor-settings/bank/<currency>/delete")
@role_required("admin")
def delete_bank_details(currency: str):
    try:
        bank_details.delete_bank_details(db.session, currency, actor=current_user)
    except bank_details.NoBankDetails:
        abort(404)
    flash(_("Donors can no longer pledge transfers in %(currency)s.", currency=currency), "success")
    return redirect(url_for("donor_admin.settings"), code=303)


# ---- the outbox ----------------------------------------------------------------------------


def public_traffic() -> dict:
    """The last hour's public pledges and mails to unconfirmed addresses against their caps,
    and the addresses waiting for confirmation (shown on the outbox and donors pages)."""
    since = utcnow() - HOUR
    config = current_app.config
    return {
        "pledges": public_pledges_since(db.session, since),
        "pledges_cap": int(config.get("PUBLIC_PLEDGE_MAX_PER_HOUR") or 30),
        "mails": unconfirmed_mails_since(db.session, since),
        "mails_cap": int(config.get("UNCONFIRMED_MAIL_MAX_PER_HOUR") or 10),
        "unconfirmed": db.session.scalar(
            select(func.count(Donor.id)).where(
                Donor.email_added_at.is_not(None), Donor.email_confirmed_at.is_(None)
            )
        )
        or 0,
    }


@bp.get("/mail")
@role_required("admin")
def outbox():
    status = request.args.get("status", "waiting")
    query = select(MailMessage).order_by(MailMessage.id.desc())
    if status == "waiting":
        query = query.where(
            MailMessage.status.in_((MailStatus.QUEUED, MailStatus.SENDING, MailStatus.FAILED))
            & ((MailMessage.attempts > 0) | (MailMessage.status == MailStatus.FAILED))
        )
    elif status in MAIL_STATUSES:
        query = query.where(MailMessage.status == status)
    messages = db.session.scalars(query.limit(300)).all()
    counts = dict(
        db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status)).all()
    )
    files = (
        [] if current_app.config.get("MAIL_SERVER") else mail_files(current_app.config.get("MAIL_FILE_DIR"))
    )
    return render_template(
        "donor_admin/outbox.html",
        messages=messages,
        counts=counts,
        status=status,
        action_form=EmptyForm(),
        traffic=public_traffic(),
        files=[(path.name, _subject(path)) for path in files[:100]],
    )


def _subject(path) -> str:
    with path.open("rb") as handle:
        return str(BytesHeaderParser(policy=policy.default).parse(handle).get("Subject", ""))


@bp.get("/mail/files/<name>")
@role_required("admin")
def mail_file(name: str):
    """A mail that development wrote to a file instead of sending it, as plain text."""
    if current_app.config.get("MAIL_SERVER"):
        abort(404)
    path = next(
        (path for path in mail_files(current_app.config.get("MAIL_FILE_DIR")) if path.name == name), None
    )
    if path is None:
        abort(404)
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    headers = "".join(f"{key}: {parsed[key]}\n" for key in ("From", "To", "Subject", "Date") if parsed[key])
    body = parsed.get_body(("plain",))
    text = headers + "\n" + (body.get_content() if body is not None else "")
    return Response(text, mimetype="text/plain")


@bp.post("/mail/<int:message_id>/retry")
@role_required("admin")
def retry_mail(message_id: int):
    message = db.session.get(MailMessage, message_id) or abort(404)
    retry_now(db.session, message)
    record_audit(db.session, "mail.retry", user=current_user, target=f"mail:{message.id}")
    flash(_("The message goes out with the next run of “mail send”."), "success")
    return redirect(url_for("donor_admin.outbox"), code=303)


# ---- the worker's jobs ---------------------------------------------------------------------


@bp.get("/jobs")
@role_required("admin")
def jobs():
    """Each scheduled job: how often, when next, who runs it now, and its last runs."""
    from ledger.jobs.leases import last_runs, leases
    from ledger.jobs.registry import JOBS

    return render_template(
        "donor_admin/jobs.html",
        jobs=JOBS,
        leases=leases(db.session),
        runs=last_runs(db.session, limit=5),
        now=utcnow(),
    )


# ---- donors' emails (admins only) ----------------------------------------------------------


@bp.get("/donors")
@role_required("admin")
def donors():
    rows = db.session.scalars(
        select(Donor).where(Donor.email_added_at.is_not(None)).order_by(Donor.id.desc()).limit(500)
    ).all()
    pledges = (
        dict(
            db.session.execute(
                select(Pledge.donor_id, func.count())
                .where(Pledge.donor_id.in_([d.id for d in rows]))
                .group_by(Pledge.donor_id)
            ).all()
        )
        if rows
        else {}
    )
    settings = donor_settings(db.session)
    return render_template(
        "donor_admin/donors.html",
        donors=rows,
        pledges=pledges,
        settings=settings,
        action_form=EmptyForm(),
        traffic=public_traffic(),
    )


@bp.post("/donors/<int:donor_id>/forget")
@role_required("admin")
def forget_donor_email(donor_id: int):
    donor = db.session.get(Donor, donor_id) or abort(404)
    forget_email(db.session, donor, reason="admin", actor=current_user)
    flash(_("The email was deleted; the gifts stay in the books."), "success")
    return redirect(url_for("donor_admin.donors"), code=303)


@bp.post("/donors/<int:donor_id>/revoke-links")
@role_required("admin")
def revoke_donor_links(donor_id: int):
    donor = db.session.get(Donor, donor_id) or abort(404)
    revoke_links(db.session, donor, reason="admin", actor=current_user)
    flash(
        _("Every link already mailed to this donor is revoked; their next mail brings a new one."), "success"
    )
    return redirect(url_for("donor_admin.donors"), code=303)
