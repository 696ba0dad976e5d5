"""The trial balance (readers) and the balance sheet (public, grouped; detailed for readers)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from ledger.access.models import READERS
from ledger.books.accounts import PRISONER_FUND_PREFIX
from ledger.extensions import db
from ledger.platform.database import utc_today
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.csv_rows import balance_sheet_rows, trial_balance_rows
from ledger.reports.trial_balance import TrialBalanceLine, trial_balance
from ledger.web.access_control import role_required
from ledger.web.csv_export import csv_response
from ledger.web.labels import SECTION_LABELS
from ledger.web.page_cache import cached_public_page
from ledger.web.paging import page_args, redirect_past_end
from ledger.web.reports.blueprint import bp, is_reader
from ledger.web.reports.query import as_of_arg

FUNDS_PER_PAGE = 100


@bp.route("/trial-balance")
@role_required(*READERS)
def trial_balance_page():
    """Every account, with the prisoners' funds folded into one line per currency that
    opens (``?funds=open``) onto their own lines, a page at a time: a thousand funds
    would otherwise be most of the page."""
    as_of, error = as_of_arg()
    report = trial_balance(db.session, as_of)
    funds = [line for line in report.lines if line.account.startswith(PRISONER_FUND_PREFIX)]
    opened = request.args.get("funds") == "open"
    page = page_args(FUNDS_PER_PAGE)
    folded: dict[str, TrialBalanceLine] = {}
    if opened:
        redirect_past_end(page, len(funds))
        shown = funds[page.offset : page.offset + page.per_page]
    else:
        shown = [line for line in report.lines if not line.account.startswith(PRISONER_FUND_PREFIX)]
        for line in funds:
            before = folded.get(line.currency)
            folded[line.currency] = TrialBalanceLine(
                PRISONER_FUND_PREFIX,
                line.account_type,
                line.currency,
                line.debits + (before.debits if before else 0),
                line.credits + (before.credits if before else 0),
            )
    return render_template(
        "reports/trial_balance.html",
        report=report,
        lines=shown,
        folded=[folded[currency] for currency in sorted(folded)],
        fund_count=len({line.account for line in funds}),
        opened=opened,
        page=page.page,
        per_page=page.per_page,
        total=len(funds),
        error=error,
    )


@bp.route("/trial-balance.csv")
@role_required(*READERS)
def trial_balance_csv():
    as_of, error = as_of_arg()
    if error:
        abort(400)
    return csv_response(
        f"trial-balance-{(as_of or utc_today()).isoformat()}.csv",
        [_("Account"), _("Type"), _("Currency"), _("Debits"), _("Credits"), _("Balance")],
        trial_balance_rows(trial_balance(db.session, as_of)),
    )


@bp.route("/balance-sheet")
@cached_public_page
def balance_sheet_page():
    """Public: grouped, in plain words, as of the latest checkpoint; readers: live, every account."""
    from ledger.edge.visibility import request_as_of

    as_of = request_as_of()
    return render_template(
        "reports/balance_sheet.html",
        sheet=balance_sheet(db.session, detailed=is_reader(), as_of=as_of),
        as_of=as_of,
    )


@bp.route("/balance-sheet.csv")
def balance_sheet_csv():
    from ledger.edge.public_words import public_group_label
    from ledger.edge.visibility import request_as_of

    as_of = request_as_of()
    sheet = balance_sheet(db.session, detailed=is_reader(), as_of=as_of)
    return csv_response(
        f"balance-sheet-{(as_of.as_of_date or utc_today()).isoformat()}.csv",
        [_("Section"), _("Account"), _("Currency"), _("Amount")],
        balance_sheet_rows(sheet, lambda section: str(SECTION_LABELS[section]), public_group_label),
    )
