"""Sign-in pages for people: password, then a TOTP or recovery code; sign-out."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from ledger.access import throttle
from ledger.access.audit import record_audit
from ledger.access.models import User
from ledger.access.sessions import end_session, start_session
from ledger.access.two_factor import begin_enrolment, is_enrolled, pending_secret, verify_second_factor
from ledger.access.users import authenticate, find_user
from ledger.extensions import db
from ledger.platform.database import utcnow
from ledger.security.redirects import local_redirect_target
from ledger.web.access_control import session_max_age, two_factor_required_for
from ledger.web.access_forms import LoginForm, SecondFactorForm

bp = Blueprint("auth", __name__)
_PENDING = ("pending_user_id", "pending_since", "pending_next")


def _safe_next(target: str | None) -> str:
    # Only local paths (ledger/security/redirects.py): anything else would be an open redirect.
    return local_redirect_target(target, url_for("web.home"))


def _policy() -> throttle.ThrottlePolicy:
    config = current_app.config
    return throttle.ThrottlePolicy(
        window_seconds=config["LOGIN_WINDOW_SECONDS"],
        max_failures_per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        max_failures_per_client=config["LOGIN_MAX_FAILURES_PER_CLIENT"],
    )


def _keys(email: str) -> tuple[str, str]:
    secret = current_app.config["SECRET_KEY"]
    return throttle.account_key(secret, email), throttle.client_key(secret, request.remote_addr)


def _locked_response(form, template: str, until):
    minutes = max(1, int((until - utcnow()).total_seconds() + 59) // 60)
    flash(
        ngettext(
            "Too many failed sign-ins. Try again in %(num)d minute.",
            "Too many failed sign-ins. Try again in %(num)d minutes.",
            minutes,
        ),
        "error",
    )
    return render_template(template, form=form), 429


def _count_failure(account: str, client: str, user: User | None, action: str) -> None:
    """Record a failed attempt for throttling and in the audit log (never the raw email of
    an unknown account, never the client address)."""
    locks = throttle.record_failure(db.session, _policy(), account, client)
    if user is not None:
        record_audit(db.session, action, target=f"user:{user.id}")
    else:
        record_audit(db.session, action, account_hash=account[:16])
    if locks:
        if user is not None:
            record_audit(db.session, "auth.locked", target=f"user:{user.id}")
        else:
            record_audit(db.session, "auth.locked", account_hash=account[:16])


def _finish_sign_in(user: User, method: str):
    account, _client = _keys(user.email)
    throttle.clear_failures(db.session, account)
    next_url = session.get("pending_next")
    for key in _PENDING:
        session.pop(key, None)
    session["sid"] = start_session(db.session, user, max_age=session_max_age())
    login_user(user)
    record_audit(db.session, "auth.signed_in", user=user, method=method)
    if two_factor_required_for(user) and not is_enrolled(db.session, user):
        key = current_app.config["TWO_FACTOR_KEY"]
        if pending_secret(db.session, user, key) is None:
            begin_enrolment(db.session, user, key)
        flash(_("Your role needs two-factor sign-in. Set it up now."), "info")
        return redirect(url_for("settings.two_factor"))
    return redirect(_safe_next(next_url))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        account, client = _keys(form.email.data)
        until = throttle.locked_until(db.session, _policy(), account, client)
        if until is not None:
            return _locked_response(form, "auth/login.html", until)
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            _count_failure(account, client, find_user(db.session, form.email.data), "auth.failed")
            flash(_("Wrong email or password."), "error")
        elif is_enrolled(db.session, user):
            session["pending_user_id"] = user.id
            session["pending_since"] = int(time.time())
            session["pending_next"] = _safe_next(request.args.get("next"))
            return redirect(url_for("auth.second_factor"))
        else:
            session["pending_next"] = _safe_next(request.args.get("next"))
            return _finish_sign_in(user, "password")
    return render_template("auth/login.html", form=form)


def _pending_user() -> User | None:
    user_id, since = session.get("pending_user_id"), session.get("pending_since")
    if not isinstance(user_id, int) or not isinstance(since, int):
        return None
    if time.time() - since > current_app.config["LOGIN_PENDING_SECONDS"]:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


@bp.route("/login/two-factor", methods=["GET", "POST"])
def second_factor():
    user = _pending_user()
    if user is None:
        for key in _PENDING:
            session.pop(key, None)
        flash(_("Sign in with your email and password first."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        account, client = _keys(user.email)
        until = throttle.locked_until(db.session, _policy(), account, client)
        if until is not None:
            for key in _PENDING:
                session.pop(key, None)
            return _locked_response(LoginForm(formdata=None), "auth/login.html", until)
        method = verify_second_factor(
            db.session, user, current_app.config["TWO_FACTOR_KEY"], form.code.data.strip()
        )
        if method is None:
            _count_failure(account, client, user, "auth.2fa_failed")
            flash(
                _("That code is not valid. Try the current code from your app, or a recovery code."), "error"
            )
        else:
            if method == "recovery":
                flash(_("You used a recovery code. Each works once; make new ones in your settings."), "info")
            return _finish_sign_in(user, method)
    return render_template("auth/two_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record_audit(db.session, "auth.signed_out", user=current_user)
    end_session(db.session, session.pop("sid", None))
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.home"))
