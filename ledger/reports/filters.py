"""The page and the filters of a list, read from query parameters the same way for the web
pages and the API: one set of limits, one set of error codes.

Every function takes any mapping of query parameters (``request.args``, a dict) and raises
FilterError (code, parameter, message parameters) for a value outside its limits. The API
answers it with a 422; the web pages redirect to a valid address or show the message
(ledger/web/paging.py). The limits are module constants so that the API contract can state
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from sqlalchemy.orm import Session

from ledger.books.kinds import CATEGORIES
from ledger.funds.prisoners import prisoner_by_slug
from ledger.reports.general_journal import JournalFilter
from ledger.reports.periods import FilterError, Period, parse_period

FIRST_PAGE = 1
LAST_PAGE = 10**6  # a page number beyond is a mistake, not a request
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 50
MAX_ACCOUNT_LENGTH = 200  # an account name or prefix; longer is cut
MAX_PRISONER_SLUG_LENGTH = 80


class Page(NamedTuple):
    """A page number (from 1) and its size."""

    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _whole_number(args: Mapping[str, str], name: str, default: int, largest: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not FIRST_PAGE <= int(raw) <= largest:
        raise FilterError("invalid_page", name)
    return int(raw)


def parse_page(args: Mapping[str, str], default_per_page: int = DEFAULT_PER_PAGE) -> Page:
    """``?page=`` (1 to LAST_PAGE) and ``?per_page=`` (1 to MAX_PER_PAGE); absent: the
    first page of ``default_per_page``. Anything else, an empty value included, is
    ``invalid_page`` naming the parameter."""
    return Page(
        _whole_number(args, "page", FIRST_PAGE, LAST_PAGE),
        _whole_number(args, "per_page", default_per_page, MAX_PER_PAGE),
    )


def last_page(total: int, per_page: int) -> int:
    """The number of the last page of ``total`` items (1 when there are none)."""
    return max(FIRST_PAGE, -(-total // per_page))


def parse_account(args: Mapping[str, str]) -> str | None:
    """``?account=``: an account's name or the prefix of several (``assets:``)."""
    return (args.get("account") or "").strip()[:MAX_ACCOUNT_LENGTH] or None


def parse_category(args: Mapping[str, str]) -> str | None:
    """``?category=``: one of the spending and income categories."""
    category = args.get("category") or None
    if category is not None and category not in CATEGORIES:
        raise FilterError("unknown_category", "category")
    return category


def parse_prisoner(session: Session, args: Mapping[str, str]) -> str | None:
    """``?prisoner=``: a prisoner's slug; one no prisoner has is ``unknown_prisoner_filter``
    (not an empty answer that would look like a prisoner without entries)."""
    slug = (args.get("prisoner") or "").strip()[:MAX_PRISONER_SLUG_LENGTH] or None
    if slug is not None and prisoner_by_slug(session, slug) is None:
        raise FilterError("unknown_prisoner_filter", "prisoner", value=slug)
    return slug


def read_journal_filter(session: Session, args: Mapping[str, str]) -> tuple[JournalFilter, list[FilterError]]:
    """The journal's filter and what was wrong in it, in the order category, period,
    prisoner. A bad category or period is left out; an unknown prisoner stays in the
    filter, so that it matches nothing. The API refuses the first error; a page shows it
    above what the rest of the filter finds."""
    errors: list[FilterError] = []
    category = period = prisoner = None
    try:
        category = parse_category(args)
    except FilterError as error:
        errors.append(error)
    try:
        period = parse_period(args)
    except FilterError as error:
        errors.append(error)
    try:
        prisoner = parse_prisoner(session, args)
    except FilterError as error:
        errors.append(error)
        prisoner = str(error.params["value"])
    return JournalFilter(
        period=period or Period(), account=parse_account(args), category=category, prisoner_slug=prisoner
    ), errors
