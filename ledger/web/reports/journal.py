"""The general journal and the account ledgers: pages and CSV."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from ledger.access.models import READERS
from ledger.books.accounts import find_account
from ledger.books.kinds import CATEGORIES
from ledger.extensions import db
from ledger.platform.database import utc_today
from ledger.reports.csv_rows import account_ledger_rows, journal_rows
from ledger.reports.filters import MAX_ACCOUNT_LENGTH
from ledger.reports.general_journal import account_ledger, account_names, count_entries, journal_page
from ledger.web.access_control import role_required
from ledger.web.choices import prisoner_choices
from ledger.web.csv_export import csv_response
from ledger.web.descriptions import description_in_language
from ledger.web.paging import page_args, redirect_past_end
from ledger.web.reports.blueprint import bp
from ledger.web.reports.query import journal_filter_args, period_args


@bp.route("/journal")
@role_required(*READERS)
def journal():
    filters, error = journal_filter_args()
    page = page_args()
    total = count_entries(db.session, filters)
    redirect_past_end(page, total)
    return render_template(
        "reports/journal.html",
        entries=journal_page(db.session, filters, page=page.page, per_page=page.per_page),
        filters=filters,
        error=error,
        total=total,
        page=page.page,
        per_page=page.per_page,
        categories=CATEGORIES,
        prisoners=prisoner_choices(),
    )


def journal_csv_header() -> list[str]:
    return [
        _("Entry"),
        _("Date"),
        _("Description"),
        _("Recorded at"),
        _("Recorded by"),
        _("Source"),
        _("Reverses"),
        _("Line"),
        _("Account"),
        _("Currency"),
        _("Amount"),
        _("Category"),
        _("Memo"),
        _("Hash"),
        _("Previous hash"),
        _("Signed off by"),
    ]


@bp.route("/journal.csv")
@role_required(*READERS)
def journal_csv():
    filters, error = journal_filter_args()
    if error:
        abort(400)
    return csv_response(
        f"journal-{utc_today().isoformat()}.csv", journal_csv_header(), journal_rows(db.session, filters)
    )


@bp.route("/accounts")
@role_required(*READERS)
def accounts():
    return render_template("reports/accounts.html", accounts=account_names(db.session))


def _account_and_sign() -> tuple[str, int]:
    """The account named by ``?account=`` and the sign its balance is read in by people:
    +1 for assets and spending (a debit balance), -1 for funds and equity (a credit one)."""
    name = request.args.get("account", "")
    account = find_account(db.session, name) if len(name) <= MAX_ACCOUNT_LENGTH else None
    if account is None:
        abort(404)
    return name, account.normal_sign


@bp.route("/account-ledger")
@role_required(*READERS)
def account_ledger_page():
    name, sign = _account_and_sign()
    period, error = period_args()
    page = page_args(100)
    lines, total = account_ledger(db.session, name, period=period, page=page.page, per_page=page.per_page)
    redirect_past_end(page, total)
    return render_template(
        "reports/account_ledger.html",
        account=name,
        sign=sign,
        lines=lines,
        total=total,
        page=page.page,
        per_page=page.per_page,
        period=period,
        error=error,
    )


@bp.route("/account-ledger.csv")
@role_required(*READERS)
def account_ledger_csv():
    name, sign = _account_and_sign()
    period, error = period_args()
    if error:
        abort(400)
    return csv_response(
        f"ledger-{name.replace(':', '_')}.csv",
        [
            _("Entry"),
            _("Date"),
            _("Description"),
            _("Currency"),
            _("Debit"),
            _("Credit"),
            _("Category"),
            _("Memo"),
            _("Running balance"),
        ],
        account_ledger_rows(db.session, name, period=period, sign=sign, describe=description_in_language),
    )
