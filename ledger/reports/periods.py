"""Report periods and calendar months, as plain values shared by every report."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Extract, SQLColumnExpression, extract


@dataclass(frozen=True)
class Period:
    """Dates from ``start`` to ``end``, both included; ``None`` leaves that side open."""

    start: date | None = None
    end: date | None = None

    def includes(self, column: SQLColumnExpression[date]) -> list[ColumnElement[bool]]:
        """SQL condition: ``column`` (a date) lies in the period."""
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column <= self.end)
        return conditions


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from ``first``'s to ``last``'s, both included."""
    months = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def month_columns(column: SQLColumnExpression[date]) -> tuple[Extract, Extract]:
    """``(year, month)`` SQL expressions of a date column (portable: SQLite and PostgreSQL)."""
    return extract("year", column), extract("month", column)


# The dates a report's query may name (the API documents this range from here).
EARLIEST_REPORT_DATE = date(2000, 1, 1)
LATEST_REPORT_DATE = date(2100, 12, 31)


class FilterError(ValueError):
    """A bad value in a report's query (ledger/reports/filters.py): ``code`` is a message
    code, ``field`` the parameter, ``params`` the message's parameters."""

    def __init__(self, code: str, field: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


class PeriodError(FilterError):
    """A bad date or period in a report's query."""


def parse_report_date(value: str | None, field: str) -> date | None:
    """An ISO date (``2026-11-24``) from a query string; empty means none."""
    if value is None or value == "":
        return None
    if len(value) != 10:
        raise PeriodError("invalid_date", field)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PeriodError("invalid_date", field) from None
    if not EARLIEST_REPORT_DATE <= parsed <= LATEST_REPORT_DATE:
        raise PeriodError("date_out_of_range", field)
    return parsed


def parse_period(args: Mapping[str, str], start_field: str = "from", end_field: str = "to") -> Period:
    """The period of ``?from=&to=`` in ``args`` (any mapping); raises PeriodError."""
    start = parse_report_date(args.get(start_field), start_field)
    end = parse_report_date(args.get(end_field), end_field)
    if start is not None and end is not None and end < start:
        raise PeriodError("period_reversed", end_field)
    return Period(start, end)


def month_end(day: date) -> date:
    return add_months(day, 1).replace(day=1) - timedelta(days=1)


def whole_months(period: Period) -> Period:
    """The period widened to whole calendar months (public reports: no figure for less
    than a month).  An open side stays open."""
    return Period(
        month_start(period.start) if period.start is not None else None,
        month_end(period.end) if period.end is not None else None,
    )


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: object) -> date | None:
    """The first day of the month written ``YYYY-MM`` (2000-01 to 2999-12), or None."""
    if not isinstance(value, str):
        return None
    match = _MONTH.match(value)
    if match is None or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2999:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)
