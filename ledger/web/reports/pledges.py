"""Pledge fulfilment: what each pledge promised and brought, month by month."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _

from ledger.access.models import READERS
from ledger.extensions import db
from ledger.platform.database import utc_today
from ledger.reports.csv_rows import pledge_rows
from ledger.reports.pledge_fulfilment import pledge_fulfilment
from ledger.web.access_control import role_required
from ledger.web.csv_export import csv_response
from ledger.web.reports.blueprint import bp
from ledger.web.reports.query import period_args


@bp.route("/pledges")
@role_required(*READERS)
def pledges():
    period, error = period_args()
    report = pledge_fulfilment(db.session, start=period.start, end=period.end)
    return render_template(
        "reports/pledges.html", report=report, error=error, months=report[0].months if report else []
    )


@bp.route("/pledges.csv")
@role_required(*READERS)
def pledges_csv():
    period, error = period_args()
    if error:
        abort(400)
    report = pledge_fulfilment(db.session, start=period.start, end=period.end)
    return csv_response(
        f"pledge-fulfilment-{utc_today().isoformat()}.csv",
        [
            _("Pledge"),
            _("Fund"),
            _("Frequency"),
            _("Status"),
            _("Currency"),
            _("Month"),
            _("Expected"),
            _("Received"),
            _("Lapsed"),
        ],
        pledge_rows(report, lambda lapsed: _("yes") if lapsed else _("no")),
    )
