"""Sign-in for people (password, then a TOTP or recovery code) and for scripts
(bearer token), role checks, and the rule that admins and coordinators enrol in
two-factor before doing anything else."""

from __future__ import annotations

import time
from datetime import timedelta
from functools import wraps

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from ledger.access import throttle
from ledger.access.audit import record_audit
from ledger.access.forms import LoginForm, SecondFactorForm
from ledger.access.models import User
from ledger.access.sessions import end_session, session_is_live, start_session
from ledger.access.two_factor import is_enrolled, verify_second_factor
from ledger.access.users import authenticate, find_user, live_token, note_token_used
from ledger.database import utcnow
from ledger.extensions import db, login_manager

bp = Blueprint("auth", __name__)

# What a signed-in admin or coordinator without two-factor may still reach.
ENROLMENT_ENDPOINTS = frozenset(
    {
        "settings.two_factor",
        "settings.two_factor_qr",
        "auth.logout",
        "web.set_language",
        "static",
    }
)
_PENDING = ("pending_user_id", "pending_since", "pending_next")


def init_login(app: Flask) -> None:
    from ledger.access.admin_pages import bp as admin_bp
    from ledger.access.audit_pages import bp as audit_bp
    from ledger.access.settings_pages import bp as settings_bp

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    app.before_request(_require_two_factor_enrolment)


def session_max_age() -> timedelta:
    return timedelta(hours=current_app.config["LOGIN_SESSION_HOURS"])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None  # a request that brings a token is judged by the token alone
    if not session_is_live(db.session, int(user_id), session.get("sid"), max_age=session_max_age()):
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    """``Authorization: Bearer <token>`` signs in API clients for one request."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    api_token = live_token(db.session, header[len("Bearer ") :].strip())
    if api_token is None:
        return None
    if note_token_used(db.session, api_token):
        db.session.commit()
    g.token_auth = True
    return api_token.user


def two_factor_required_for(user: User) -> bool:
    return user.role in current_app.config.get("REQUIRE_2FA_ROLES", ())


def _require_two_factor_enrolment():
    """An admin or coordinator signed in with a password alone may only enrol."""
    if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if g.get("token_auth") or not two_factor_required_for(current_user):
        return None
    if is_enrolled(db.session, current_user):
        return None
    if request.path.startswith("/api/"):
        abort(403)
    flash(_("Set up two-factor sign-in to continue."), "info")
    return redirect(url_for("settings.two_factor"))


def role_required(*roles: str):
    """Allow the view only to signed-in users whose role is in ``roles``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _safe_next(target: str | None) -> str:
    # Only local paths: an absolute URL here would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.home")


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
    db.session.commit()
    if two_factor_required_for(user) and not is_enrolled(db.session, user):
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
            db.session.commit()
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
            db.session.commit()
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
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.home"))
