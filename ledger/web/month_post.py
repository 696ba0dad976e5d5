"""The month's report to share (per prisoner and for the organisation), its PNG, and the Atom
feed of releases (signed checkpoints).  Public figures only (ledger/reports/month_post.py);
no script on the pages."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale, get_locale

from ledger.checkpoints.seal import checkpoints_page
from ledger.extensions import db
from ledger.platform.database import utcnow
from ledger.reports.month_image import FontMissing, render_post_png
from ledger.reports.month_post import MonthPost, organisation_month_post, prisoner_month_post
from ledger.reports.periods import add_months, parse_month
from ledger.web.page_cache import cached_public_page
from ledger.web.prisoners import public_prisoner_or_404

bp = Blueprint("month_post", __name__)
LANGUAGES = ("ru", "en")


def _month_or_404(text: str):
    month = parse_month(text)
    if month is None:
        abort(404)
    return month


def _texts(post: MonthPost) -> dict[str, dict[str, str]]:
    """The post in each language: title, body and footer, as plain text."""
    texts = {}
    for language in LANGUAGES:
        with force_locale(language):
            texts[language] = {
                part: render_template(f"month/post_{part}.txt", post=post, language=language).strip()
                for part in ("title", "body", "footer")
            }
    return texts


def _page(post: MonthPost, png_url: str, around: list[tuple[str, str]]):
    return render_template("month/post.html", post=post, texts=_texts(post), png_url=png_url, around=around)


def _png(post: MonthPost) -> Response:
    language = request.args.get("lang") or str(get_locale() or "en")
    if language not in LANGUAGES:
        abort(404)
    text = _texts(post)[language]
    try:
        image = render_post_png(
            text["title"],
            text["body"],
            text["footer"],
            font_dir=current_app.config.get("MONTH_REPORT_FONT_DIR"),
        )
    except FontMissing as error:
        current_app.logger.error("month report image: %s", error)
        return Response(str(error), status=503, mimetype="text/plain")
    return Response(image, mimetype="image/png")


def _around(month, endpoint: str, **values) -> list[tuple[str, str]]:
    """The previous and the next month: (YYYY-MM, link)."""
    months = [add_months(month, -1).strftime("%Y-%m"), add_months(month, 1).strftime("%Y-%m")]
    return [(text, url_for(endpoint, month_text=text, **values)) for text in months]


@bp.app_template_filter("atom_time")
def atom_time(moment) -> str:
    """RFC 3339 in UTC, as Atom wants it (the ledger's clock is naive UTC)."""
    moment = moment or utcnow()
    return moment.replace(microsecond=0).isoformat() + "Z"


@bp.get("/prisoners/<slug>/month/<month_text>")
@cached_public_page
def prisoner_month(slug: str, month_text: str):
    prisoner = public_prisoner_or_404(slug)
    month = _month_or_404(month_text)
    post = prisoner_month_post(db.session, prisoner, month)
    png = url_for("month_post.prisoner_month_png", slug=slug, month_text=month_text)
    return _page(post, png, _around(month, "month_post.prisoner_month", slug=slug))


@bp.get("/prisoners/<slug>/month/<month_text>.png")
def prisoner_month_png(slug: str, month_text: str):
    prisoner = public_prisoner_or_404(slug)
    return _png(prisoner_month_post(db.session, prisoner, _month_or_404(month_text)))


@bp.get("/month/<month_text>")
@cached_public_page
def organisation_month(month_text: str):
    month = _month_or_404(month_text)
    post = organisation_month_post(db.session, month)
    png = url_for("month_post.organisation_month_png", month_text=month_text)
    return _page(post, png, _around(month, "month_post.organisation_month"))


@bp.get("/month/<month_text>.png")
def organisation_month_png(month_text: str):
    return _png(organisation_month_post(db.session, _month_or_404(month_text)))


@bp.get("/releases.atom")
def releases_feed():
    """The signed checkpoints (the releases of the public figures), newest first."""
    checkpoints, _total = checkpoints_page(db.session, page=1, per_page=50)
    body = render_template(
        "month/releases.atom.xml",
        checkpoints=checkpoints,
        host=request.host.split(":")[0],
        month_of=lambda moment: add_months(moment.date().replace(day=1), -1).strftime("%Y-%m"),
    )
    return Response(body, mimetype="application/atom+xml")
