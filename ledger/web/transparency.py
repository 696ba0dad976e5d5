"""Public transparency pages: the signed checkpoints with their keys, the open books (page,
CSV, JSON lines) as of the latest checkpoint, and the admins' checkpoint schedule."""

from __future__ import annotations

import functools
import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ledger.access.roles import Role
from ledger.checkpoints.disclosure import rules_from_config
from ledger.checkpoints.models import SCHEDULES
from ledger.checkpoints.release import published_releases, waiting_funds
from ledger.checkpoints.schedule import current_schedule, set_schedule
from ledger.checkpoints.seal import checkpoint_json, checkpoints_page, create_checkpoint, public_keys
from ledger.checkpoints.signing import load_signing_key
from ledger.edge.public_words import public_kind_label
from ledger.edge.visibility import public_as_of_now
from ledger.extensions import db
from ledger.funds.models import Prisoner
from ledger.money import minor_text, minor_units
from ledger.reports.periods import add_months
from ledger.reports.public_journal import (
    DonationMonth,
    Place,
    PublicEntry,
    donation_months,
    months_with_activity,
    public_entries,
)
from ledger.web.access_control import role_required
from ledger.web.access_forms import EmptyForm
from ledger.web.boundary import attempt
from ledger.web.csv_export import csv_response
from ledger.web.fields import SelectField
from ledger.web.page_cache import cached_public_page
from ledger.web.paging import page_args, redirect_past_end

bp = Blueprint("transparency", __name__)

SCHEDULE_LABELS = {"daily": _l("every day"), "weekly": _l("every week"), "monthly": _l("every month")}


class ScheduleForm(FlaskForm):
    every = SelectField(
        _l("Make a checkpoint"), choices=[SelectChoice(code, SCHEDULE_LABELS[code]) for code in SCHEDULES]
    )


@bp.get("/checkpoints")
@cached_public_page
def checkpoints():
    page, per_page = page_args(50)
    items, total = checkpoints_page(db.session, page=page, per_page=per_page)
    redirect_past_end((page, per_page), total)
    return render_template(
        "transparency/checkpoints.html",
        checkpoints=items,
        keys=public_keys(db.session),
        schedule_label=SCHEDULE_LABELS[current_schedule(db.session)],
        total=total,
        page=page,
        per_page=per_page,
    )


def _month_arg(months: list[date]) -> date | None:
    value = request.args.get("month", "")
    if not value:
        return months[0] if months else None
    try:
        chosen = date.fromisoformat(value + "-01") if len(value) == 7 else None
    except ValueError:
        chosen = None
    if chosen is None:
        abort(404)
    return chosen


@bp.get("/open-books")
@cached_public_page
def open_books():
    as_of = public_as_of_now()
    months = months_with_activity(db.session, as_of)
    month = _month_arg(months)
    entries: list[PublicEntry] = []
    donations: list[DonationMonth] = []
    if month is not None:
        end = add_months(month, 1).replace(day=1)
        last = date.fromordinal(end.toordinal() - 1)
        entries = list(public_entries(db.session, as_of, start=month, end=last))
        donations = list(donation_months(db.session, as_of, start=month, end=last))
    return render_template(
        "transparency/open_books.html",
        as_of=as_of,
        months=months,
        month=month,
        entries=entries,
        donations=donations,
        min_gifts=rules_from_config(current_app.config).min_gifts,
    )


def _latin_names() -> dict[str, str]:
    """Public prisoners' names in Latin letters, by slug (looked up once per request)."""
    if "latin_names" not in g:
        g.latin_names = dict(
            db.session.execute(
                select(Prisoner.slug, Prisoner.name_latin).where(
                    Prisoner.public.is_(True), Prisoner.name_latin.isnot(None), Prisoner.name_latin != ""
                )
            ).all()
        )
    return g.latin_names


def place_label(place: Place) -> str:
    from ledger.edge.public_words import public_group_label

    if place.key == "prisoner":
        # The name in the reader's script: the Latin one for everyone but Russian readers.
        name = place.name
        if str(get_locale() or "en") != "ru" and place.slug:
            name = _latin_names().get(place.slug) or name
        return _("Fund of %(name)s", name=name)
    if place.key == "hidden_prisoner":
        return _("Fund of a prisoner not named publicly")
    return public_group_label(place.key)


def _amount(minor: int, currency: str) -> str:
    return minor_text(minor, minor_units(currency))


def _filename(as_of, extension: str) -> str:
    stamp = f"checkpoint-{as_of.checkpoint.sequence}" if as_of.checkpoint else "no-checkpoint"
    return f"open-books-{stamp}.{extension}"


@bp.get("/open-books.csv")
def open_books_csv():
    from ledger.web.labels import category_label

    as_of = public_as_of_now()
    # A label is looked up once per download, not once per posting (a million at scale).
    kinds, places, categories = (functools.cache(f) for f in (public_kind_label, place_label, category_label))

    def rows():
        for line in donation_months(db.session, as_of):
            yield [
                line.month.strftime("%Y-%m"),
                kinds("donations"),
                "",
                places(line.place),
                line.currency,
                _amount(line.received, line.currency),
                str(line.count),
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        for entry in public_entries(db.session, as_of):
            for posting in entry.postings:
                yield [
                    entry.entry_date.isoformat(),
                    kinds(entry.kind),
                    entry.description or "",
                    places(posting.place),
                    posting.currency,
                    _amount(posting.amount_minor, posting.currency),
                    "",
                    categories(posting.category),
                    posting.memo or "",
                    " ".join(entry.receipts),
                    entry.reverses[0].isoformat() if entry.reverses else "",
                    entry.counted_on.isoformat() if entry.counted_on else "",
                ]

    return csv_response(
        _filename(as_of, "csv"),
        [
            _("Date or month"),
            _("Kind"),
            _("Description"),
            _("Where"),
            _("Currency"),
            _("Amount"),
            _("Gifts"),
            _("Category"),
            _("Memo"),
            _("Receipts (SHA-256)"),
            _("Cancels the entry of"),
            _("Counted on"),
        ],
        rows(),
    )


@bp.get("/open-books.jsonl")
def open_books_jsonl():
    """Every release in order: a ``release`` line with its signed checkpoint, then the lines
    it published exactly as signed (their digest is the checkpoint's ``release.digest``).
    ``scripts/verify_export.py`` checks them (docs/verifying.md)."""
    as_of = public_as_of_now()

    def lines():
        yield json.dumps({"type": "open_books", "format": 2}, sort_keys=True) + "\n"
        for checkpoint, release_lines in published_releases(db.session, as_of):
            document = {
                "type": "release",
                "sequence": checkpoint.sequence,
                "checkpoint": checkpoint_json(checkpoint),
            }
            yield json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n"
            for body in release_lines:
                yield body + "\n"

    response = Response(stream_with_context(lines()), mimetype="application/x-ndjson; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(as_of, "jsonl")}"'
    return response


# -- the admins' schedule ------------------------------------------------------------


@bp.get("/admin/checkpoints")
@role_required(Role.ADMIN)
def schedule():
    form = ScheduleForm(every=current_schedule(db.session))
    items, total = checkpoints_page(db.session, page=1, per_page=5)
    return render_template(
        "transparency/schedule.html",
        form=form,
        action_form=EmptyForm(),
        checkpoints=items,
        total=total,
        waiting=waiting_funds(db.session),
        rules=rules_from_config(current_app.config),
    )


@bp.post("/admin/checkpoints/schedule")
@role_required(Role.ADMIN)
def save_schedule():
    form = ScheduleForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt(form) as outcome:
        set_schedule(db.session, form.every.data, user=current_user)
    if outcome.ok:
        flash(
            _("Checkpoints are now made %(schedule)s.", schedule=SCHEDULE_LABELS[form.every.data]), "success"
        )
    return redirect(url_for("transparency.schedule"))


@bp.post("/admin/checkpoints")
@role_required(Role.ADMIN)
def make_checkpoint():
    if not EmptyForm().validate_on_submit():
        abort(400)
    with attempt() as outcome:
        key = load_signing_key(current_app.instance_path, current_app.config.get("LEDGER_SIGNING_KEY"))
        checkpoint = create_checkpoint(db.session, key, rules=rules_from_config(current_app.config))
    if outcome.ok:
        flash(
            _(
                "Checkpoint no. %(number)s made: public figures now show %(entries)s entries.",
                number=checkpoint.sequence,
                entries=checkpoint.entry_count,
            ),
            "success",
        )
    return redirect(url_for("transparency.schedule"))
