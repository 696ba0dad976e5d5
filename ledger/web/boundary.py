"""The transaction boundary of every request, and how a page shows a refused action.

A view returns a response or raises; it never commits.  After the view:

- an answer below 400 to a POST, PUT, PATCH or DELETE commits what the view wrote;
- an answer of 400 or more, or an exception, rolls everything back;
- a GET or HEAD never writes: anything it wrote is rolled back and logged, and under
  ``TESTING`` it is an error, so the suite finds such a view;
- a read that did sign-in bookkeeping alone (when an API token was last used) commits it.

The JSON API's writes have already committed, with their stored answer, when this runs
(``ledger/api/idempotency.py``); for them this only finishes the bookkeeping.

Views that run a domain operation for a form use :func:`attempt`: a refusal rolls back what
the operation began and is shown next to the form field it concerns (or flashed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, flash, request
from flask_wtf import FlaskForm

from ledger.edge.messages import message_for
from ledger.edge.refusals import DOMAIN_ERRORS, error_parts
from ledger.extensions import db
from ledger.platform.transaction import BOOKKEEPING_TABLES, finish, written_tables

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Domain field names that differ from the forms' field names.
_FIELD_ALIASES = {"money": "amount", "date": "spent_on", "account": "paid_from", "fund": "prisoner"}


class ReadWroteError(RuntimeError):
    """A GET wrote to the database (raised under TESTING only)."""


def init_boundary(app: Flask) -> None:
    app.after_request(_finish_request)


def _finish_request(response: Response) -> Response:
    keep = response.status_code < 400
    if request.method not in _READS:
        # Always finished here: the ledger writes through Core, which the ORM's bookkeeping of
        # written tables does not see.
        finish(db.session, keep=keep)
        return response
    written = written_tables(db.session)
    if not written:
        return response  # nothing to finish; a streamed body may still read through the session
    if written <= BOOKKEEPING_TABLES:
        finish(db.session, keep=keep)
        return response
    db.session.rollback()
    current_app.logger.error("%s %s wrote %s; rolled back", request.method, request.url_rule, sorted(written))
    if current_app.config.get("TESTING"):
        raise ReadWroteError(f"{request.method} {request.path} wrote {sorted(written)}")
    return response


def show_error(form: FlaskForm | None, code: str, field_name: str | None, params: dict | None = None) -> None:
    """Attach the translated message to the named field, or flash it when no field fits."""
    message = message_for(code, params)
    name = _FIELD_ALIASES.get(field_name or "", field_name)
    target = getattr(form, name, None) if form is not None and name else None
    if target is not None and hasattr(target, "errors"):
        errors = list(target.errors) if isinstance(target.errors, (list, tuple)) else []
        errors.append(message)
        target.errors = errors
    else:
        flash(message, "error")


@dataclass
class Attempt:
    """The outcome of :func:`attempt`: ``ok``, or the refusal and its parts."""

    error: Exception | None = None
    code: str | None = None
    params: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def attempt(form: FlaskForm | None = None) -> Iterator[Attempt]:
    """Run a domain operation; a refusal rolls back what it began and is shown on ``form``
    (next to its field, or flashed when no field fits or ``form`` is None)."""
    outcome = Attempt()
    try:
        yield outcome
    except DOMAIN_ERRORS as error:
        db.session.rollback()
        code, field_name, params = error_parts(error)
        outcome.error, outcome.code, outcome.params = error, code, params
        show_error(form, code, field_name, params)
