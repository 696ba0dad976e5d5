"""The organisation's books for auditors (and coordinators): pages, CSV and exports."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from ledger.access.models import READERS
from ledger.books.accounts import PRISONER_FUND_PREFIX, find_account
from ledger.books.kinds import CATEGORIES
from ledger.books.models import LedgerHead
from ledger.edge.messages import message_for
from ledger.extensions import db
from ledger.funds.kinds import GENERAL
from ledger.funds.prisoners import prisoner_by_slug
from ledger.money import Money
from ledger.platform.database import utc_today
from ledger.reports.balance_sheet import balance_sheet
from ledger.reports.general_journal import (
    JournalFilter,
    account_ledger,
    account_ledger_lines,
    account_names,
    count_entries,
    iter_filtered_journal,
    journal_page,
    utc_text,
    whole_journal_rows,
)
from ledger.reports.periods import Period, PeriodError, parse_period, parse_report_date
from ledger.reports.pledge_fulfilment import pledge_fulfilment
from ledger.reports.receipts_list import receipts_list
from ledger.reports.trial_balance import TrialBalanceLine, trial_balance
from ledger.web.access_control import role_required
from ledger.web.choices import prisoner_choices
from ledger.web.csv_export import csv_response
from ledger.web.descriptions import description_in_language
from ledger.web.labels import SECTION_LABELS
from ledger.web.page_cache import cached_public_page

bp = Blueprint("reports", __name__, url_prefix="/reports")


def is_reader() -> bool:
    return current_user.is_authenticated and current_user.role in READERS


def page_args(default_per_page: int = 50) -> tuple[int, int]:
    def number(name: str, default: int, largest: int) -> int:
        value = request.args.get(name, "")
        return min(int(value), largest) if value.isdigit() and int(value) > 0 else default

    return number("page", 1, 10**6), number("per_page", default_per_page, 500)


def period_args() -> tuple[Period, str | None]:
    try:
        return parse_period(request.args), None
    except PeriodError as error:
        return Period(), message_for(error.code)


def prisoner_arg() -> tuple[str | None, str | None]:
    """``?prisoner=`` (a slug, chosen by name from the picker) and the error when no prisoner
    has it: the filter then matches nothing and says why."""
    slug = (request.args.get("prisoner") or "").strip()[:80] or None
    if slug is not None and prisoner_by_slug(db.session, slug) is None:
        return slug, message_for("unknown_prisoner_filter", {"value": slug})
    return slug, None


def journal_filter_args() -> tuple[JournalFilter, str | None]:
    period, error = period_args()
    category = request.args.get("category") or None
    if category is not None and category not in CATEGORIES:
        category, error = None, message_for("unknown_category")
    prisoner_slug, prisoner_error = prisoner_arg()
    return JournalFilter(
        period=period,
        account=(request.args.get("account") or "").strip()[:200] or None,
        category=category,
        prisoner_slug=prisoner_slug,
    ), error or prisoner_error


def _amount(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


@bp.route("/")
@role_required(*READERS)
def index():
    head = db.session.get(LedgerHead, 1)
    return render_template("reports/index.html", head=head)


# -- trial balance -------------------------------------------------------------------


def _as_of() -> tuple[date | None, str | None]:
    try:
        return parse_report_date(request.args.get("to"), "to"), None
    except PeriodError as error:
        return None, message_for(error.code)


FUNDS_PER_PAGE = 100


@bp.route("/trial-balance")
@role_required(*READERS)
def trial_balance_page():
    """Every account, with the prisoners' funds folded into one line per currency that
    opens (``?funds=open``) onto their own lines, a page at a time: a thousand funds
    would otherwise be most of the page."""
    as_of, error = _as_of()
    report = trial_balance(db.session, as_of)
    funds = [line for line in report.lines if line.account.startswith(PRISONER_FUND_PREFIX)]
    opened = request.args.get("funds") == "open"
    page, per_page = page_args(FUNDS_PER_PAGE)
    folded: dict[str, TrialBalanceLine] = {}
    if opened:
        shown = funds[(page - 1) * per_page : page * per_page]
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
        page=page,
        per_page=per_page,
        total=len(funds),
        error=error,
    )


@bp.route("/trial-balance.csv")
@role_required(*READERS)
def trial_balance_csv():
    as_of, error = _as_of()
    if error:
        abort(400)
    report = trial_balance(db.session, as_of)
    rows = (
        [
            line.account,
            line.account_type,
            line.currency,
            _amount(line.debits, line.currency),
            _amount(line.credits, line.currency),
            _amount(line.balance, line.currency),
        ]
        for line in report.lines
    )
    return csv_response(
        f"trial-balance-{(as_of or utc_today()).isoformat()}.csv",
        [_("Account"), _("Type"), _("Currency"), _("Debits"), _("Credits"), _("Balance")],
        rows,
    )


# -- balance sheet (public, grouped; detailed for readers) ---------------------------


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
    rows = (
        [
            str(SECTION_LABELS[line.section]),
            line.account if sheet.detailed else public_group_label(line.account),
            line.currency,
            _amount(line.amount, line.currency),
        ]
        for line in sheet.lines
    )
    return csv_response(
        f"balance-sheet-{(as_of.as_of_date or utc_today()).isoformat()}.csv",
        [_("Section"), _("Account"), _("Currency"), _("Amount")],
        rows,
    )


# -- general journal -----------------------------------------------------------------


@bp.route("/journal")
@role_required(*READERS)
def journal():
    filters, error = journal_filter_args()
    page, per_page = page_args()
    total = count_entries(db.session, filters)
    return render_template(
        "reports/journal.html",
        entries=journal_page(db.session, filters, page=page, per_page=per_page),
        filters=filters,
        error=error,
        total=total,
        page=page,
        per_page=per_page,
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

    if filters == JournalFilter():  # the whole journal: one streaming pass
        return csv_response(
            f"journal-{utc_today().isoformat()}.csv", journal_csv_header(), whole_journal_rows(db.session)
        )

    def rows():
        for entry in iter_filtered_journal(db.session, filters):
            for posting in entry.postings:
                yield [
                    entry.id,
                    entry.entry_date.isoformat(),
                    entry.description,
                    utc_text(entry.recorded_at),
                    entry.recorded_by or "",
                    entry.source_type,
                    entry.reverses_id or "",
                    posting.line_no,
                    posting.account,
                    posting.currency,
                    _amount(posting.amount_minor, posting.currency),
                    posting.category or "",
                    posting.memo or "",
                    entry.hash,
                    entry.prev_hash,
                    entry.approved_by or "",
                ]

    return csv_response(f"journal-{utc_today().isoformat()}.csv", journal_csv_header(), rows())


# -- account ledgers -----------------------------------------------------------------


@bp.route("/accounts")
@role_required(*READERS)
def accounts():
    return render_template("reports/accounts.html", accounts=account_names(db.session))


def _account_and_sign() -> tuple[str, int]:
    """The account named by ``?account=`` and the sign its balance is read in by people:
    +1 for assets and spending (a debit balance), -1 for funds and equity (a credit one)."""
    name = request.args.get("account", "")
    account = find_account(db.session, name) if len(name) <= 200 else None
    if account is None:
        abort(404)
    return name, account.normal_sign


@bp.route("/account-ledger")
@role_required(*READERS)
def account_ledger_page():
    name, sign = _account_and_sign()
    period, error = period_args()
    page, per_page = page_args(100)
    lines, total = account_ledger(db.session, name, period=period, page=page, per_page=per_page)
    return render_template(
        "reports/account_ledger.html",
        account=name,
        sign=sign,
        lines=lines,
        total=total,
        page=page,
        per_page=per_page,
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

    def rows():
        for line in account_ledger_lines(db.session, name, period=period):
            yield [
                line.entry_id,
                line.entry_date.isoformat(),
                description_in_language(line.description),
                line.currency,
                _amount(line.amount_minor, line.currency) if line.amount_minor > 0 else "",
                _amount(-line.amount_minor, line.currency) if line.amount_minor < 0 else "",
                line.category or "",
                line.memo or "",
                _amount(line.balance_minor * sign, line.currency),
            ]

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
        rows(),
    )


# -- pledge fulfilment ---------------------------------------------------------------


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

    def rows():
        for item in report:
            pledge = item.pledge
            for month in item.months:
                yield [
                    pledge.reference,
                    pledge.prisoner.slug if pledge.prisoner else GENERAL,
                    pledge.frequency,
                    item.status,
                    pledge.currency,
                    month.month.strftime("%Y-%m"),
                    _amount(month.expected, pledge.currency),
                    _amount(month.received, pledge.currency),
                    _("yes") if item.lapsed else _("no"),
                ]

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
        rows(),
    )


# -- receipts ------------------------------------------------------------------------


@bp.route("/receipts")
@role_required(*READERS)
def receipts():
    period, error = period_args()
    prisoner_slug, prisoner_error = prisoner_arg()
    page, per_page = page_args(100)
    lines, total = receipts_list(
        db.session, period=period, prisoner_slug=prisoner_slug, page=page, per_page=per_page
    )
    return render_template(
        "reports/receipts.html",
        lines=lines,
        total=total,
        page=page,
        per_page=per_page,
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

    def rows():
        page = 1
        while True:
            lines, _total = receipts_list(
                db.session, period=period, prisoner_slug=prisoner_slug, page=page, per_page=1000
            )
            for line in lines:
                yield [
                    line.id,
                    line.entry_id,
                    line.entry_date.isoformat(),
                    description_in_language(line.description),
                    line.prisoner_slug or "",
                    line.category or "",
                    line.currency or "",
                    _amount(line.amount_minor, line.currency) if line.currency else "",
                    line.sha256,
                    line.content_type,
                    line.size_bytes,
                    utc_text(line.uploaded_at),
                ]
            if len(lines) < 1000:
                return
            page += 1

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
        rows(),
    )


# -- whole-journal exports -----------------------------------------------------------

EXPORTS = {
    "hledger": ("journal", "text/plain"),
    "beancount": ("beancount", "text/plain"),
    "jsonl": ("jsonl", "application/x-ndjson"),
}


@bp.route("/exports")
@role_required(*READERS)
def exports():
    head = db.session.get(LedgerHead, 1)
    return render_template("reports/exports.html", head=head)


def journal_export_lines(fmt: str):
    if fmt == "hledger":
        from ledger.reports.hledger_export import export_hledger

        return export_hledger(db.session)
    if fmt == "beancount":
        from ledger.reports.beancount_export import export_beancount

        return export_beancount(db.session)
    from ledger.reports.chain_export import export_chain_jsonl

    return export_chain_jsonl(db.session)


@bp.route("/exports/<fmt>")
@role_required(*READERS)
def export_download(fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    extension, mimetype = EXPORTS[fmt]
    head = db.session.get(LedgerHead, 1)
    response = Response(stream_with_context(journal_export_lines(fmt)), mimetype=mimetype + "; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ledger-{utc_today().isoformat()}-{head.entry_count if head else 0}.{extension}"'
    )
    return response
