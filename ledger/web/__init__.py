"""HTML pages: the home page, the language switch and error pages."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, session, url_for
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ledger.edge.visibility import request_as_of
from ledger.extensions import db
from ledger.reports.overview import public_prisoners_page, totals_as_of
from ledger.security.redirects import local_redirect_target
from ledger.web.page_cache import cached_public_page, init_page_cache
from ledger.web.paging import page_args, redirect_past_end

bp = Blueprint("web", __name__)
_API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}


HOME_PAGE_SIZE = 24  # prisoner cards per page, most in need first


@bp.route("/")
@cached_public_page
def home():
    """Public figures as of the latest checkpoint; signed-in staff see the live books."""
    as_of = request_as_of()
    if as_of.live:
        from ledger.books.models import LedgerHead

        head = db.session.get(LedgerHead, 1)
        entry_count, head_hash = (head.entry_count, head.head_hash) if head else (0, None)
    elif as_of.checkpoint is not None:
        entry_count, head_hash = as_of.checkpoint.entry_count, as_of.checkpoint.head_hash
    else:
        entry_count, head_hash = 0, None
    query = (request.args.get("q") or "").strip()[:100]
    page = page_args(HOME_PAGE_SIZE).page  # the cards per page are fixed; a bad page redirects
    prisoners, total = public_prisoners_page(
        db.session, query, page=page, per_page=HOME_PAGE_SIZE, as_of=as_of
    )
    redirect_past_end((page, HOME_PAGE_SIZE), total)
    return render_template(
        "web/home.html",
        as_of=as_of,
        entry_count=entry_count,
        head_hash=head_hash,
        query=query,
        prisoners=prisoners,
        page=page,
        per_page=HOME_PAGE_SIZE,
        total=total,
        totals=totals_as_of(db.session, as_of),
        transit_watch=_transit_watch() if as_of.live else [],
    )


@bp.get("/healthz")
def healthz():
    """For monitoring: 200 when the database answers, 503 when it does not; ``worker`` says
    whether the scheduled jobs run ("ok"), are late (a job overdue by more than LATE), or have
    never run ("not running").  Names and times of jobs only: nothing about the books."""
    from sqlalchemy import text

    from ledger.jobs.health import worker_health

    try:
        db.session.execute(text("SELECT 1"))
        worker = worker_health(db.session)
    except OperationalError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    response = {"status": "ok", "database": "ok", **worker}
    return response, 200, {"Cache-Control": "no-store"}


def _transit_watch():
    """For signed-in staff: commissary transfers in transit past the watch's days, or moved."""
    from flask import current_app
    from flask_login import current_user

    from ledger.access.roles import READERS
    from ledger.commissary.transfers import transfer_rows

    if not current_user.is_authenticated or current_user.role not in READERS:
        return []
    days = int(current_app.config.get("COMMISSARY_WATCH_DAYS", 7))
    return [
        row
        for row in transfer_rows(db.session, status="in_transit", watch_days=days)
        if row.overdue or row.moved_on
    ]


@bp.route("/language/<code>", methods=["GET", "POST"])
def set_language(code: str):
    """The language switch: plain links, so public pages carry no per-visitor token and
    can be cached; choosing a language changes nothing but the reader's own pages."""
    if code in ("en", "ru"):
        session["locale"] = code
    target = local_redirect_target(request.values.get("next"), url_for("web.home"))
    return redirect(target)


def _error_page(status: int):
    def handler(error):
        # A 405 says which methods the address takes (RFC 9110, 15.5.6): werkzeug's own
        # answer carries ``Allow``, and so must ours.
        headers = {}
        if isinstance(error, HTTPException):
            headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
        if request.path.startswith("/api/"):
            from ledger.api.errors import json_error

            response = json_error(status, _API_CODES.get(status, "server_error"))
            if isinstance(response, tuple):
                body, code = response[0], response[1]
                return body, code, headers
            response.headers.update(headers)
            return response
        return render_template("errors/error.html", status=status), status, headers

    return handler


def register_web(app: Flask) -> None:
    from ledger.web.admin import bp as admin_bp
    from ledger.web.approvals import bp as approvals_bp
    from ledger.web.audit import bp as audit_bp
    from ledger.web.auth import bp as auth_bp
    from ledger.web.commissary import bp as commissary_bp
    from ledger.web.descriptions import register_descriptions
    from ledger.web.donate import bp as donate_bp
    from ledger.web.donor_admin import bp as donor_admin_bp
    from ledger.web.formatting import register_formatting
    from ledger.web.fundraising import bp as fundraising_bp
    from ledger.web.labels import register_labels
    from ledger.web.letter_words import register_letter_words
    from ledger.web.letters import bp as letters_bp
    from ledger.web.lifecycle import bp as lifecycle_bp
    from ledger.web.month_post import bp as month_post_bp
    from ledger.web.navigation import register_navigation
    from ledger.web.pledge_transfer import bp as pledge_transfer_bp
    from ledger.web.prisoners import bp as prisoners_bp
    from ledger.web.reports import bp as reports_bp
    from ledger.web.settings import bp as settings_bp
    from ledger.web.spending import bp as spending_bp
    from ledger.web.stripe_events import bp as stripe_bp
    from ledger.web.transparency import bp as transparency_bp
    from ledger.web.transparency import place_label

    register_formatting(app)
    register_labels(app)
    register_navigation(app)
    register_descriptions(app)
    register_letter_words(app)
    init_page_cache(app)
    for blueprint in (
        auth_bp,
        settings_bp,
        admin_bp,
        audit_bp,
        bp,
        prisoners_bp,
        reports_bp,
        spending_bp,
        fundraising_bp,
        donate_bp,
        stripe_bp,
        approvals_bp,
        pledge_transfer_bp,
        donor_admin_bp,
        transparency_bp,
        lifecycle_bp,
        letters_bp,
        month_post_bp,
        commissary_bp,
    ):
        app.register_blueprint(blueprint)
    from ledger.edge.public_words import public_group_label, public_kind_label
    from ledger.edge.visibility import as_of_text
    from ledger.web.donate import cards_enabled

    app.jinja_env.globals.update(
        cards_enabled=cards_enabled,
        as_of_text=as_of_text,
        place_label=place_label,
        kind_label=public_kind_label,
        group_label=public_group_label,
    )
    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, _error_page(status))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        app.logger.error("database unavailable: %s", error.orig.__class__.__name__)
        db.session.rollback()
        return render_template("errors/error.html", status=503), 503
