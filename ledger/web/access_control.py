"""Who may see a page: sign-in for people (session) and scripts (bearer token), role checks,
and the rule that admins, coordinators and auditors enrol in two-factor before doing anything else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ledger.access.models import User
from ledger.access.sessions import session_is_live
from ledger.access.two_factor import is_enrolled
from ledger.access.users import live_token, note_token_used
from ledger.extensions import db, login_manager

# What a signed-in admin or coordinator without two-factor may still reach.
P = ParamSpec("P")
R = TypeVar("R")

ENROLMENT_ENDPOINTS = frozenset(
    {
        "settings.two_factor",
        "settings.two_factor_qr",
        "auth.logout",
        "web.set_language",
        "static",
    }
)


def init_login(app: Flask) -> None:
    """Flask-Login's settings and the two-factor enrolment rule; the sign-in, settings, admin
    and audit pages are registered with the others (``ledger.web.register_web``)."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
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
    note_token_used(db.session, api_token)  # committed by the request's boundary
    g.token_auth = True
    return api_token.user


def two_factor_required_for(user: User) -> bool:
    return user.role in current_app.config.get("REQUIRE_2FA_ROLES", ())


def _require_two_factor_enrolment():
    """Staff (admins, coordinators and auditors, who read donors' records too) signed in
    with a password alone may only enrol."""
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


def role_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Allow the view only to signed-in users whose role is in ``roles``."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
