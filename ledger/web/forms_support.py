"""Turning domain refusals into messages next to the form field they concern."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from ledger.messages import message_for

# Domain field names that differ from the forms' field names.
_FIELD_ALIASES = {"money": "amount", "date": "spent_on", "account": "paid_from", "fund": "prisoner"}


def show_error(form: FlaskForm, code: str, field: str | None, params: dict | None = None) -> None:
    """Attach the translated message to the named field, or flash it when no field fits."""
    message = message_for(code, params)
    name = _FIELD_ALIASES.get(field or "", field)
    target = getattr(form, name, None) if name else None
    if target is not None and hasattr(target, "errors"):
        errors = list(target.errors) if isinstance(target.errors, (list, tuple)) else []
        errors.append(message)
        target.errors = errors
    else:
        flash(message, "error")


def fail_on_form(form: FlaskForm, error) -> None:
    """Roll back what the refused action began and show why next to the field."""
    from ledger.extensions import db

    db.session.rollback()
    code, field, params = domain_error_code(error)
    show_error(form, code, field, params)


def domain_error_code(error) -> tuple[str, str | None, dict]:
    """(code, field, params) of a LedgerError, MoneyError, TextError or ReceiptError."""
    params = dict(getattr(error, "params", {}) or {})
    code = getattr(error, "code", "invalid_entry")
    if code == "invalid_entry" and "reason" in params:
        code = params.pop("reason")
    return code, getattr(error, "field", None), params
