"""Public prisoner pages and per-prisoner reports (page and CSV).

The public sees what the releases published (ledger/checkpoints/release.py), reports over
whole calendar months;
signed-in staff see the live books over any period (ledger/edge/visibility.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from ledger.books.kinds import SPENDING_CATEGORIES
from ledger.checkpoints.disclosure import rules_from_config
from ledger.checkpoints.release import fund_waits, without_unpublished_moves
from ledger.edge.messages import message_for
from ledger.edge.visibility import request_as_of
from ledger.extensions import db
from ledger.funds.lifecycle import lifecycle_view
from ledger.funds.models import Prisoner
from ledger.funds.prisoners import prisoner_by_slug
from ledger.letters.addresses import letter_address
from ledger.letters.letters import public_letter_counts
from ledger.letters.services import services_reaching
from ledger.platform.database import utc_today
from ledger.reports.periods import Period, PeriodError, parse_period, whole_months
from ledger.reports.prisoner_report import (
    disbursements,
    fund_account_id,
    fund_balances,
    monthly_flows,
    parcel_outcome_totals,
    prisoner_report,
    public_donations,
    spending_by_category,
    yearly_flows,
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
    as_of = request_as_of()
    yearly = request.args.get("chart") == "years"
    if yearly:
        flows = yearly_flows(db.session, prisoner, as_of=as_of)
    else:
        flows = monthly_flows(db.session, prisoner, as_of=as_of)
    report = prisoner_report(db.session, prisoner, as_of=as_of)  # all time
    address = letter_address(db.session, prisoner)
    return render_template(
        "prisoners/page.html",
        prisoner=prisoner,
        as_of=as_of,
        balances=fund_balances(db.session, prisoner, as_of=as_of),
        runway=report.runway,
        charts=[month_chart(currency, series, yearly=yearly) for currency, series in flows.items()],
        yearly=yearly,
        spending=spending_by_category(report),
        disbursements=disbursements(db.session, prisoner, limit=50, as_of=as_of),
        donations=public_donations(db.session, prisoner, limit=40, as_of=as_of),
        lifecycle=lifecycle_view(db.session, prisoner, private=False)
        if as_of.live
        else without_unpublished_moves(
            db.session, lifecycle_view(db.session, prisoner, private=False), as_of.sequence
        ),
        parcel_totals=parcel_outcome_totals(report),
        waits=fund_waits(db.session, fund_account_id(db.session, prisoner), as_of.sequence)
        if as_of.public
        else [],
        min_gifts=rules_from_config(current_app.config).min_gifts,
        address=address,
        letter_services=services_reaching(db.session, address.facility)
        if address.state in ("ok", "fallback")
        else [],
        letter_counts=public_letter_counts(db.session, as_of=as_of, prisoner=prisoner, months=6),
    )


def _period_or_error() -> tuple[Period, str | None]:
    try:
        return parse_period(request.args), None
    except PeriodError as error:
        return Period(), message_for(error.code)


def _report_period(as_of) -> tuple[Period, bool, str | None]:
    """The period to report: as asked for staff, widened to whole months for the public."""
    asked, error = _period_or_error()
    period = asked if as_of.live else whole_months(asked)
    return period, period != asked, error


@bp.route("/<slug>/report")
def prisoner_report_page(slug: str):
    prisoner = public_prisoner_or_404(slug, readers_see_hidden=True)
    as_of = request_as_of()
    period, widened, error = _report_period(as_of)
    report = prisoner_report(db.session, prisoner, period, as_of=as_of)
    return render_template(
        "prisoners/report.html",
        prisoner=prisoner,
        report=report,
        as_of=as_of,
        widened=widened,
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
    as_of = request_as_of()
    period, _widened, error = _report_period(as_of)
    if error:
        abort(400)
    report = prisoner_report(db.session, prisoner, period, as_of=as_of)
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
        f"report-{prisoner.slug}-{start or 'start'}-{end or (as_of.as_of_date or utc_today()).isoformat()}.csv",
        report_csv_header(),
        rows,
    )
