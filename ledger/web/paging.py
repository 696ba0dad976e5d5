"""Pages of a list on the web: the API's limits (ledger/reports/filters.py), and a redirect
to a valid address where the API would answer 422.

A page number or size that is no whole number in its limits is dropped from the address
and the page says so (a flash message); a page past the end redirects to the last page.
Both are redirects, so the address in the browser is always one that shows what it says.
"""

from __future__ import annotations

from typing import NoReturn
from urllib.parse import urlencode

from flask import abort, flash, redirect, request
from werkzeug.datastructures import MultiDict

from ledger.edge.messages import message_for
from ledger.reports.filters import DEFAULT_PER_PAGE, Page, last_page, parse_page
from ledger.reports.periods import FilterError


def _redirect_to(args: MultiDict[str, str]) -> NoReturn:
    query = args.to_dict(flat=False)
    abort(redirect(request.path + ("?" + urlencode(query, doseq=True) if query else "")))


def page_args(default_per_page: int = DEFAULT_PER_PAGE) -> Page:
    """``?page=`` and ``?per_page=`` of this request; a bad one redirects without it."""
    args = MultiDict(request.args)
    try:
        return parse_page(args, default_per_page)
    except FilterError as error:
        flash(message_for(error.code, error.params), "error")
        args.poplist(error.field)
        while True:  # drop every bad one in one redirect
            try:
                parse_page(args, default_per_page)
                break
            except FilterError as again:
                args.poplist(again.field)
        _redirect_to(args)


def redirect_past_end(page: Page | tuple[int, int], total: int) -> None:
    """Redirect a page past the end of ``total`` items to the last page."""
    number, per_page = page
    last = last_page(total, per_page)
    if number > last:
        args = MultiDict(request.args)
        args["page"] = str(last)
        _redirect_to(args)
