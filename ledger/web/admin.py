"""Administration for admins: users (list, create, change role, deactivate, reset two-factor)
and asset accounts (open, relabel, close at zero).  Every change goes to the audit log (in
the domain functions)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ledger.access.models import TwoFactorCredential, User
from ledger.access.roles import Role
from ledger.access.two_factor import reset_two_factor
from ledger.access.users import AccessError, change_role, create_user, set_active
from ledger.books.asset_accounts import (
    asset_account_by_name,
    asset_accounts,
    close_account,
    open_account,
    relabel_account,
)
from ledger.edge.messages import message_for
from ledger.extensions import db
from ledger.web.access_control import role_required
from ledger.web.access_forms import EmptyForm, NewUserForm, RoleForm
from ledger.web.account_forms import LabelsForm, OpenAccountForm
from ledger.web.boundary import attempt
from ledger.web.choices import currency_choices
from ledger.web.confirmation import confirmation_page, confirmed

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _page(form: NewUserForm, status: int = 200):
    users = db.session.scalars(select(User).order_by(User.active.desc(), User.role, User.email)).all()
    enrolled = set(
        db.session.scalars(
            select(TwoFactorCredential.user_id).where(TwoFactorCredential.confirmed_at.is_not(None))
        )
    )
    return (
        render_template(
            "admin/users.html",
            users=users,
            enrolled=enrolled,
            form=form,
            role_form=RoleForm(),
            action_form=EmptyForm(),
        ),
        status,
    )


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    return _page(NewUserForm())


@bp.post("/users")
@role_required(Role.ADMIN)
def create():
    form = NewUserForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        user = create_user(
            db.session, form.email.data, form.password.data, form.role.data, actor=current_user
        )
    except AccessError as error:
        form.email.errors.append(message_for(error.code, error.params))
        return _page(form, 400)  # an answer of 400 rolls back
    flash(
        _("User %(email)s created. Tell them to change the password on first sign-in.", email=user.email),
        "success",
    )
    return redirect(url_for("admin.users"))


def _apply(user_id: int, change, done: str):
    user = _user_or_404(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as outcome:
        change(user)
    if outcome.ok:
        flash(done, "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def set_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _apply(
        user_id,
        lambda user: change_role(db.session, user, form.role.data, actor=current_user),
        _("The role is changed."),
    )


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    if not confirmed():
        return confirmation_page(
            title=_("Deactivate %(email)s?", email=_user_or_404(user_id).email),
            explanation=[
                _("Their sign-in, their open sessions and every API token they made stop working at once."),
                _("Their entries stay in the journal. You can activate the account again later."),
            ],
            button=_("Deactivate"),
            back=url_for("admin.users"),
        )
    return _apply(
        user_id,
        lambda user: set_active(db.session, user, False, actor=current_user),
        _("The user is deactivated: their sign-in and API tokens no longer work."),
    )


@bp.post("/users/<int:user_id>/activate")
@role_required(Role.ADMIN)
def activate(user_id: int):
    return _apply(
        user_id,
        lambda user: set_active(db.session, user, True, actor=current_user),
        _("The user is active again."),
    )


@bp.post("/users/<int:user_id>/reset-two-factor")
@role_required(Role.ADMIN)
def reset_second_factor(user_id: int):
    if not confirmed():
        return confirmation_page(
            title=_("Reset two-factor sign-in of %(email)s?", email=_user_or_404(user_id).email),
            explanation=[
                _("Their authenticator app and recovery codes stop working; this can't be undone."),
                _("Do it only when you have checked, outside this app, that the request is really theirs."),
            ],
            button=_("Reset two-factor"),
            back=url_for("admin.users"),
        )
    return _apply(
        user_id,
        lambda user: reset_two_factor(db.session, user, actor=current_user),
        _("Two-factor sign-in is reset; the user enrols again at their next sign-in."),
    )


def _accounts_page(form: OpenAccountForm, status: int = 200):
    lines = asset_accounts(db.session)
    return (
        render_template(
            "admin/accounts.html",
            lines=lines,
            form=form,
            labels_forms={
                line.account.name: LabelsForm(
                    prefix=f"a{line.account.id}", label=line.account.label, label_ru=line.account.label_ru
                )
                for line in lines
            },
            action_form=EmptyForm(),
        ),
        status,
    )


def _open_account_form() -> OpenAccountForm:
    form = OpenAccountForm()
    form.currency.choices = currency_choices(blank=True)
    return form


@bp.get("/accounts")
@role_required("admin")
def accounts():
    return _accounts_page(_open_account_form())


@bp.post("/accounts")
@role_required("admin")
def open_account_view():
    form = _open_account_form()
    if not form.validate_on_submit():
        return _accounts_page(form, 400)
    with attempt(form) as outcome:
        account = open_account(
            db.session,
            (form.name.data or "").strip(),
            currency=form.currency.data or None,
            label=form.label.data,
            label_ru=form.label_ru.data,
            actor=current_user,
        )
    if not outcome.ok:
        return _accounts_page(form, 400)
    flash(_("Account %(name)s opened.", name=account.name), "success")
    return redirect(url_for("admin.accounts"))


def _account_or_404(name: str):
    account = asset_account_by_name(db.session, name)
    if account is None:
        abort(404)
    return account


@bp.post("/accounts/<name>/labels")
@role_required("admin")
def relabel_account_view(name: str):
    account = _account_or_404(name)
    form = LabelsForm(prefix=f"a{account.id}")
    if not form.validate_on_submit():
        flash(_("An account needs a label in English."), "error")
        return redirect(url_for("admin.accounts"))
    with attempt() as outcome:
        relabel_account(
            db.session, account, label=form.label.data, label_ru=form.label_ru.data, actor=current_user
        )
    if outcome.ok:
        flash(_("Labels of %(name)s saved.", name=account.name), "success")
    return redirect(url_for("admin.accounts"))


@bp.post("/accounts/<name>/close")
@role_required("admin")
def close_account_view(name: str):
    account = _account_or_404(name)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with attempt() as outcome:
        close_account(db.session, account, actor=current_user)
    if outcome.ok:
        flash(_("Account %(name)s closed.", name=account.name), "success")
    return redirect(url_for("admin.accounts"))  # a refusal was rolled back and flashed
