"""API: reports (shared/API.md) — per-prisoner report, trial balance, balance sheet,
journal, account ledgers, pledge fulfilment and receipts."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ledger.access.models import READERS
from ledger.api import bp
from ledger.api.auth import api_role_required
from ledger.api.errors import ApiError
from ledger.api.parsing import page_args
from ledger.api.serialise import minor_json, money_json
from ledger.books.accounts import find_account
from ledger.edge.public_words import public_group_label
from ledger.edge.visibility import as_of_json, request_as_of
from ledger.extensions import db
from ledger.funds.kinds import GENERAL
from ledger.funds.prisoners import prisoner_by_slug
from ledger.reports import general_journal, pledge_fulfilment, prisoner_report, receipts_list, trial_balance
from ledger.reports.balance_sheet import SECTIONS, balance_sheet
from ledger.reports.filters import parse_prisoner, read_journal_filter
from ledger.reports.general_journal import JournalFilter
from ledger.reports.periods import (
    FilterError,
    Period,
    PeriodError,
    parse_period,
    parse_report_date,
    whole_months,
)


def _refuse_empty_dates() -> None:
    """``?to=`` with no date is a bad date here (the contract's dates are never empty), not an
    open end as on the report pages' forms."""
    for name in ("from", "to"):
        if request.args.get(name) == "":
            raise ApiError(422, "invalid_date", name)


def _period() -> Period:
    _refuse_empty_dates()
    try:
        return parse_period(request.args)
    except PeriodError as error:
        raise ApiError(422, error.code, error.field) from None


def prisoner_report_json(report: prisoner_report.PrisonerReport) -> dict:
    def money(line, minor):
        return minor_json(minor, line.currency)

    runway = report.runway
    return {
        "prisoner": {
            "slug": report.prisoner.slug,
            "name": report.prisoner.name,
            "name_latin": report.prisoner.name_latin,
        },
        "from": report.period.start.isoformat() if report.period.start else None,
        "to": report.period.end.isoformat() if report.period.end else None,
        "currencies": {
            line.currency: {
                "opening": money(line, line.opening),
                "received": money(line, line.received),
                "fees": money(line, line.fees),
                "transfers_in": money(line, line.transfers_in),
                "transfers_out": money(line, line.transfers_out),
                "conversions_in": money(line, line.conversions_in),
                "conversions_out": money(line, line.conversions_out),
                "spent": {category: money(line, minor) for category, minor in line.spent.items()},
                "spent_total": money(line, line.spent_total),
                "refunds": money(line, line.refunds),
                "parcel_refunds": money(line, line.parcel_refunds),
                "confiscated": money(line, line.confiscated),
                "closing": money(line, line.closing),
            }
            for line in report.currencies
        },
        "runway": None
        if runway is None
        else {
            "months": str(runway.months) if runway.months is not None else None,
            "monthly_need": money_json(runway.monthly_need),
            "balance": money_json(runway.balance),
        },
    }


@bp.get("/prisoners/<slug>/report", endpoint="prisoner_report")
def prisoner_report_view(slug: str):
    """Public: the state of the latest checkpoint over whole calendar months (a shorter
    period is widened and ``widened`` says so); signed-in readers: the live books, any period."""
    prisoner = prisoner_by_slug(db.session, slug)
    readers = current_user.is_authenticated and current_user.role in READERS
    if prisoner is None or not (prisoner.public or readers):  # the public never sees hidden prisoners
        raise ApiError(404, "not_found")
    asked = _period()
    as_of = request_as_of()
    period = asked if as_of.live else whole_months(asked)
    report = prisoner_report.prisoner_report(db.session, prisoner, period, as_of=as_of)
    return jsonify({**prisoner_report_json(report), "widened": period != asked, "as_of": as_of_json(as_of)})


@bp.get("/reports/trial-balance", endpoint="trial_balance")
@api_role_required(*READERS)
def trial_balance_view():
    _refuse_empty_dates()
    try:
        as_of = parse_report_date(request.args.get("to"), "to")
    except PeriodError as error:
        raise ApiError(422, error.code, error.field) from None
    report = trial_balance.trial_balance(db.session, as_of)
    return jsonify(
        {
            "as_of": as_of.isoformat() if as_of else None,
            "accounts": [
                {
                    "account": line.account,
                    "type": line.account_type,
                    "currency": line.currency,
                    "debits": minor_json(line.debits, line.currency),
                    "credits": minor_json(line.credits, line.currency),
                    "balance": minor_json(line.balance, line.currency),
                }
                for line in report.lines
            ],
            "totals": {
                currency: {"debits": minor_json(debits, currency), "credits": minor_json(credits, currency)}
                for currency, (debits, credits) in report.totals().items()
            },
        }
    )


@bp.get("/reports/balance-sheet", endpoint="balance_sheet")
def balance_sheet_view():
    """Public: grouped, in plain words, as of the latest checkpoint; readers: every account, live."""
    detailed = current_user.is_authenticated and current_user.role in READERS
    as_of = request_as_of()
    sheet = balance_sheet(db.session, detailed=detailed, as_of=as_of)
    totals = sheet.totals()
    return jsonify(
        {
            "detailed": detailed,
            "as_of": as_of_json(as_of),
            "lines": [
                {
                    "section": line.section,
                    "account": line.account,
                    "label": None if detailed else public_group_label(line.account),
                    "amount": minor_json(line.amount, line.currency),
                }
                for line in sheet.lines
            ],
            "totals": {
                currency: {
                    **{section: minor_json(values[section], currency) for section in SECTIONS},
                    "balanced": values["assets"] == values["funds"] + values["equity"] + values["other"],
                }
                for currency, values in totals.items()
            },
            "balanced": sheet.balanced(),
        }
    )


def _journal_filter() -> JournalFilter:
    _refuse_empty_dates()
    filters, errors = read_journal_filter(db.session, request.args)
    if errors:
        raise ApiError(422, errors[0].code, errors[0].field, **errors[0].params)
    return filters


def _prisoner_arg() -> str | None:
    """``?prisoner=``: a prisoner's slug; one no prisoner has is a 422, not an empty answer."""
    try:
        return parse_prisoner(db.session, request.args)
    except FilterError as error:
        raise ApiError(422, error.code, error.field, **error.params) from None


@bp.get("/journal", endpoint="journal")
@api_role_required(*READERS)
def journal_view():
    filters = _journal_filter()
    page, per_page = page_args()
    entries = general_journal.journal_page(db.session, filters, page=page, per_page=per_page)
    return jsonify(
        {
            "page": page,
            "per_page": per_page,
            "total": general_journal.count_entries(db.session, filters),
            "entries": [
                {
                    "id": entry.id,
                    "date": entry.entry_date.isoformat(),
                    "description": entry.description,
                    "recorded_at": entry.recorded_at.isoformat() + "Z",
                    "author": entry.recorded_by,
                    "approver": entry.approved_by,
                    "source": entry.source_type,
                    "source_ref": entry.source_ref,
                    "reverses": entry.reverses_id,
                    "advance": entry.is_advance,
                    "conversion_rate": entry.conversion_rate,
                    "hash": entry.hash,
                    "prev_hash": entry.prev_hash,
                    "postings": [
                        {
                            "line": p.line_no,
                            "account": p.account,
                            "money": minor_json(p.amount_minor, p.currency),
                            "category": p.category,
                            "memo": p.memo,
                        }
                        for p in entry.postings
                    ],
                }
                for entry in entries
            ],
        }
    )


@bp.get("/reports/account-ledger", endpoint="account_ledger")
@api_role_required(*READERS)
def account_ledger_view():
    name = request.args.get("account", "")
    if len(name) > 200 or find_account(db.session, name) is None:
        raise ApiError(404, "not_found", "account")
    page, per_page = page_args(100)
    lines, total = general_journal.account_ledger(
        db.session, name, period=_period(), page=page, per_page=per_page
    )
    return jsonify(
        {
            "account": name,
            "page": page,
            "per_page": per_page,
            "total": total,
            "postings": [
                {
                    "entry": line.entry_id,
                    "date": line.entry_date.isoformat(),
                    "description": line.description,
                    "money": minor_json(line.amount_minor, line.currency),
                    "category": line.category,
                    "memo": line.memo,
                    "balance": minor_json(line.balance_minor, line.currency),
                }
                for line in lines
            ],
        }
    )


@bp.get("/reports/pledge-fulfilment", endpoint="pledge_fulfilment")
@api_role_required(*READERS)
def pledge_fulfilment_view():
    period = _period()
    report = pledge_fulfilment.pledge_fulfilment(db.session, start=period.start, end=period.end)
    return jsonify(
        {
            "pledges": [
                {
                    "reference": item.pledge.reference,
                    "fund": item.pledge.prisoner.slug if item.pledge.prisoner else GENERAL,
                    "donor": {"id": item.pledge.donor_id, "public_name": item.pledge.donor.public_name},
                    "frequency": item.pledge.frequency,
                    "status": item.status,
                    "instalments_paid": item.state.paid_count,
                    "amount": minor_json(item.pledge.amount_minor, item.pledge.currency),
                    "starts_on": item.pledge.starts_on.isoformat(),
                    "ends_on": item.pledge.ends_on.isoformat() if item.pledge.ends_on else None,
                    "expected": money_json(item.expected_total),
                    "received": money_json(item.received_total),
                    "lapsed": item.lapsed,
                    "months": [
                        {
                            "month": month.month.strftime("%Y-%m"),
                            "expected": minor_json(month.expected, item.pledge.currency),
                            "received": minor_json(month.received, item.pledge.currency),
                        }
                        for month in item.months
                    ],
                }
                for item in report
            ],
        }
    )


@bp.get("/reports/receipts", endpoint="receipts_report")
@api_role_required(*READERS)
def receipts_report_view():
    page, per_page = page_args(100)
    lines, total = receipts_list.receipts_list(
        db.session, period=_period(), prisoner_slug=_prisoner_arg(), page=page, per_page=per_page
    )
    return jsonify(
        {
            "page": page,
            "per_page": per_page,
            "total": total,
            "receipts": [
                {
                    "id": line.id,
                    "entry": line.entry_id,
                    "date": line.entry_date.isoformat(),
                    "description": line.description,
                    "prisoner": line.prisoner_slug,
                    "category": line.category,
                    "money": minor_json(line.amount_minor, line.currency) if line.currency else None,
                    "sha256": line.sha256,
                    "content_type": line.content_type,
                    "size": line.size_bytes,
                    "uploaded_at": line.uploaded_at.isoformat() + "Z",
                }
                for line in lines
            ],
        }
    )
