"""Public prisoner pages and per-prisoner reports (page and CSV)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from ledger.extensions import db
from ledger.funds.lifecycle import lifecycle_view
from ledger.funds.models import Prisoner
from ledger.funds.prisoners import prisoner_by_slug
from ledger.messages import message_for
from ledger.reports.periods import Period, PeriodError, parse_period
from ledger.reports.prisoner_report import (
    SPENDING_CATEGORIES,
    disbursements,
    fund_balances,
    monthly_flows,
    parcel_outcome_totals,
    prisoner_report,
    public_donations,
    runway_for,
    spending_by_category,
)
from ledger.web.charts import month_chart
from ledger.web.csv_export import csv_response
from ledger.web.page_cache import cached_public_page
from ledger.web.reports import is_reader

bp = Blueprint("prisoners", __name__, url_prefix="/prisoners")


def public_prisoner_or_404(slug: str, *, readers_see_hidden: bool = False) -> Prisoner:
    """Hidden and unknown prisoners look the same to the public: not found.  Signed-in
    admins, auditors and coordinators may read a hidden prisoner's report."""
    prisoner = prisoner_by_slug(db.session, slug)
    if prisoner is None:
        abort(404)
    if not prisoner.public and not (readers_see_hidden and is_reader()):
        abort(404)
    return prisoner


@bp.route("/<slug>")
@cached_public_page
def prisoner_page(slug: str):
    prisoner = public_prisoner_or_404(slug)
    flows = monthly_flows(db.session, prisoner)
    return render_template(
        "prisoners/page.html",
        prisoner=prisoner,
        balances=fund_balances(db.session, prisoner),
        runway=runway_for(db.session, prisoner),
        charts=[month_chart(currency, series) for currency, series in flows.items()],
        spending=spending_by_category(db.session, prisoner),
        disbursements=disbursements(db.session, prisoner, limit=50),
        donations=public_donations(db.session, prisoner, limit=40),
        lifecycle=lifecycle_view(db.session, prisoner, private=False),
        parcel_totals=parcel_outcome_totals(db.session, prisoner),
    )


def _period_or_error() -> tuple[Period, str | None]:
    try:
        return parse_period(request.args), None
    except PeriodError as error:
        return Period(), message_for(error.code)


@bp.route("/<slug>/report")
def prisoner_report_page(slug: str):
    prisoner = public_prisoner_or_404(slug, readers_see_hidden=True)
    period, error = _period_or_error()
    report = prisoner_report(db.session, prisoner, period)
    return render_template(
        "prisoners/report.html",
        prisoner=prisoner,
        report=report,
        error=error,
        categories=SPENDING_CATEGORIES,
    ), (400 if error else 200)


def report_csv_header() -> list[str]:
    from ledger.web.labels import category_label

    return [
        _("Currency"),
        _("From"),
        _("To"),
        _("Opening balance"),
        _("Received"),
        _("Fees"),
        _("Transfers in"),
        _("Transfers out"),
        _("Conversions in"),
        _("Conversions out"),
        *[_("Spent: %(category)s", category=category_label(c)) for c in SPENDING_CATEGORIES],
        _("Spent in total"),
        _("Refunds"),
        _("Returned parcels refunded"),
        _("Of which parcels confiscated"),
        _("Closing balance"),
    ]


@bp.route("/<slug>/report.csv")
def prisoner_report_csv(slug: str):
    prisoner = public_prisoner_or_404(slug, readers_see_hidden=True)
    period, error = _period_or_error()
    if error:
        abort(400)
    report = prisoner_report(db.session, prisoner, period)
    start = period.start.isoformat() if period.start else ""
    end = period.end.isoformat() if period.end else ""

    def amount(line, minor: int) -> str:
        return str(line.money(minor).amount)

    rows = [
        [
            line.currency,
            start,
            end,
            amount(line, line.opening),
            amount(line, line.received),
            amount(line, line.fees),
            amount(line, line.transfers_in),
            amount(line, line.transfers_out),
            amount(line, line.conversions_in),
            amount(line, line.conversions_out),
            *[amount(line, line.spent.get(c, 0)) for c in SPENDING_CATEGORIES],
            amount(line, line.spent_total),
            amount(line, line.refunds),
            amount(line, line.parcel_refunds),
            amount(line, line.confiscated),
            amount(line, line.closing),
        ]
        for line in report.currencies
    ]
    return csv_response(
        f"report-{prisoner.slug}-{start or 'start'}-{end or date.today().isoformat()}.csv",
        report_csv_header(),
        rows,
    )
