"""A signed-in user's own settings: two-factor enrolment, recovery codes, API tokens."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ledger.access.audit import record_audit
from ledger.access.models import ApiToken
from ledger.access.sessions import end_other_sessions
from ledger.access.two_factor import (
    begin_enrolment,
    confirm_enrolment,
    is_enrolled,
    pending_secret,
    provisioning_uri,
    remaining_recovery_codes,
    replace_recovery_codes,
    verify_second_factor,
)
from ledger.access.users import AccessError, change_password, create_token, live_tokens, revoke_token
from ledger.edge.messages import message_for
from ledger.extensions import db
from ledger.platform.text import clean_text
from ledger.web.access_forms import ConfirmEnrolmentForm, EmptyForm, PasswordForm, TokenForm

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _no_store(body):
    # Pages that show a secret once must not stay in a browser or proxy cache.
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _key() -> str:
    return current_app.config["TWO_FACTOR_KEY"]


@bp.get("/")
@login_required
def index():
    return _settings_page()


def _settings_page(password_form: PasswordForm | None = None, status: int = 200):
    return render_template(
        "settings/index.html",
        password_form=password_form or PasswordForm(formdata=None),
        enrolled=is_enrolled(db.session, current_user),
        recovery_left=remaining_recovery_codes(db.session, current_user),
        tokens=live_tokens(db.session, current_user),
        token_form=TokenForm(),
        revoke_form=EmptyForm(),
    ), status


@bp.post("/password")
@login_required
def change_own_password():
    form = PasswordForm()
    if not form.validate_on_submit():
        return _settings_page(form, 400)
    try:
        change_password(db.session, current_user, form.current.data, form.new.data)
        end_other_sessions(db.session, current_user, keep=session.get("sid"))
    except AccessError as error:
        form.current.errors = [message_for(error.code, error.params)]
        return _settings_page(form, 400)
    flash(_("Your password is changed."), "success")
    return redirect(url_for("settings.index"))


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Enrol: show the secret (text, URI, QR code), then confirm with a code.  The secret is
    made by a POST (sign-in of a role that needs two-factor, or the start button), never a GET."""
    if is_enrolled(db.session, current_user):
        return render_template(
            "settings/two_factor_enrolled.html",
            form=ConfirmEnrolmentForm(),
            recovery_left=remaining_recovery_codes(db.session, current_user),
        )
    form = ConfirmEnrolmentForm()
    secret = pending_secret(db.session, current_user, _key())
    if request.method == "POST" and secret is None:
        secret = begin_enrolment(db.session, current_user, _key())
        form = ConfirmEnrolmentForm(formdata=None)
    elif form.validate_on_submit():
        codes = confirm_enrolment(db.session, current_user, _key(), form.code.data)
        if codes is not None:
            flash(_("Two-factor sign-in is on."), "success")
            return _no_store(render_template("settings/recovery_codes.html", codes=codes))
        form.code.errors.append(_("That code is not valid. Check the time on your phone and try again."))
    if secret is None:
        return render_template("settings/two_factor_start.html", form=EmptyForm())
    uri = provisioning_uri(secret, current_user.email, current_app.config["TWO_FACTOR_ISSUER"])
    return _no_store(render_template("settings/two_factor.html", form=form, secret=secret, uri=uri))


@bp.get("/two-factor/qr.svg")
@login_required
def two_factor_qr():
    """The enrolment URI as a QR code, drawn on the server (no script, no third party)."""
    secret = pending_secret(db.session, current_user, _key())
    if secret is None:
        abort(404)
    uri = provisioning_uri(secret, current_user.email, current_app.config["TWO_FACTOR_ISSUER"])
    buffer = io.BytesIO()
    import segno  # imported when a QR code is drawn, not when the app starts

    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True)
    return _no_store(Response(buffer.getvalue(), mimetype="image/svg+xml"))


@bp.post("/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    """Ten new recovery codes, the old ones void; needs a current code from the app."""
    if not is_enrolled(db.session, current_user):
        abort(404)
    form = ConfirmEnrolmentForm()
    if (
        form.validate_on_submit()
        and verify_second_factor(db.session, current_user, _key(), form.code.data) == "totp"
    ):
        codes = replace_recovery_codes(db.session, current_user)
        record_audit(
            db.session, "2fa.recovery_codes_replaced", user=current_user, target=f"user:{current_user.id}"
        )
        return _no_store(render_template("settings/recovery_codes.html", codes=codes))
    form.code.errors = [_("That code is not valid. Check the time on your phone and try again.")]
    return render_template(
        "settings/two_factor_enrolled.html",
        form=form,
        recovery_left=remaining_recovery_codes(db.session, current_user),
    ), 400


@bp.post("/tokens")
@login_required
def create_api_token():
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("Give the token a name of at most 120 characters."), "error")
        return redirect(url_for("settings.index"))
    try:
        name = clean_text(form.name.data, max_length=120)
    except ValueError:
        flash(_("Give the token a name of at most 120 characters."), "error")
        return redirect(url_for("settings.index"))
    token = create_token(db.session, current_user, name, actor=current_user)
    return _no_store(render_template("settings/token_created.html", token=token, name=name))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    form = EmptyForm()
    api_token = db.session.get(ApiToken, token_id)
    if api_token is None or api_token.user_id != current_user.id or api_token.revoked_at is not None:
        abort(404)
    if form.validate_on_submit():
        revoke_token(db.session, api_token, actor=current_user)
        flash(_("The token is revoked."), "success")
    return redirect(url_for("settings.index"))
