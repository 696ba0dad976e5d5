"""The receipts that prove spending: a page at a time, and as CSV."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _

from ledger.access.models import READERS
from ledger.extensions import db
from ledger.platform.database import utc_today
from ledger.reports.csv_rows import receipt_rows
from ledger.reports.receipts_list import receipts_list
from ledger.web.access_control import role_required
from ledger.web.choices import prisoner_choices
from ledger.web.csv_export import csv_response
from ledger.web.descriptions import description_in_language
from ledger.web.paging import page_args, redirect_past_end
from ledger.web.reports.blueprint import bp
from ledger.web.reports.query import period_args, prisoner_arg


@bp.route("/receipts")
@role_required(*READERS)
def receipts():
    period, error = period_args()
    prisoner_slug, prisoner_error = prisoner_arg()
    page = page_args(100)
    lines, total = receipts_list(
        db.session, period=period, prisoner_slug=prisoner_slug, page=page.page, per_page=page.per_page
    )
    redirect_past_end(page, total)
    return render_template(
        "reports/receipts.html",
        lines=lines,
        total=total,
        page=page.page,
        per_page=page.per_page,
        error=error or prisoner_error,
        prisoners=prisoner_choices(),
        prisoner_slug=prisoner_slug,
    )


@bp.route("/receipts.csv")
@role_required(*READERS)
def receipts_csv():
    period, error = period_args()
    prisoner_slug, prisoner_error = prisoner_arg()
    if error or prisoner_error:
        abort(400)
    return csv_response(
        f"receipts-{utc_today().isoformat()}.csv",
        [
            _("Receipt"),
            _("Entry"),
            _("Date"),
            _("Description"),
            _("Prisoner"),
            _("Category"),
            _("Currency"),
            _("Amount"),
            _("SHA-256"),
            _("File type"),
            _("Size in bytes"),
            _("Uploaded at"),
        ],
        receipt_rows(
            db.session, period=period, prisoner_slug=prisoner_slug, describe=description_in_language
        ),
    )
