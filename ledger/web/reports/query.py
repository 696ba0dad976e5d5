"""The reports' filters from this request (ledger/reports/filters.py), each with the
translated message of what was wrong: a page shows it above what the rest finds; a CSV
download of a bad filter is a 400."""

from __future__ import annotations

from datetime import date

from flask import request

from ledger.edge.messages import message_for
from ledger.extensions import db
from ledger.reports.filters import parse_prisoner, read_journal_filter
from ledger.reports.general_journal import JournalFilter
from ledger.reports.periods import FilterError, Period, PeriodError, parse_period, parse_report_date


def _message(error: FilterError) -> str:
    return message_for(error.code, error.params)


def period_args() -> tuple[Period, str | None]:
    try:
        return parse_period(request.args), None
    except PeriodError as error:
        return Period(), _message(error)


def as_of_arg() -> tuple[date | None, str | None]:
    """``?to=``: the day a statement is drawn up at the end of (none: today)."""
    try:
        return parse_report_date(request.args.get("to"), "to"), None
    except PeriodError as error:
        return None, _message(error)


def prisoner_arg() -> tuple[str | None, str | None]:
    """``?prisoner=`` (a slug, chosen by name from the picker) and the error when no prisoner
    has it: the filter then matches nothing and says why."""
    try:
        return parse_prisoner(db.session, request.args), None
    except FilterError as error:
        return str(error.params["value"]), _message(error)


def journal_filter_args() -> tuple[JournalFilter, str | None]:
    filters, errors = read_journal_filter(db.session, request.args)
    return filters, _message(errors[0]) if errors else None
