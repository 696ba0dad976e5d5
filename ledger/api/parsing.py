"""Reading JSON request bodies strictly: every problem is an ApiError naming its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import request

from ledger.api.errors import ApiError
from ledger.money import Money, MoneyError, parse_amount, parse_currency, parse_rate
from ledger.text import TextError, clean_text


def json_body() -> dict:
    """The request's JSON object; 415 for another content type, 400 for anything but an object."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json")
    return data


def required(data: dict, name: str):
    if data.get(name) in (None, ""):
        raise ApiError(422, "missing_field", name)
    return data[name]


def money_field(data: dict, name: str) -> Money:
    """``{"amount": "12.50", "currency": "EUR"}``: a positive amount as a string."""
    value = required(data, name)
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_amount", name)
    try:
        return parse_amount(value.get("amount"), value.get("currency"))
    except MoneyError as error:
        raise ApiError(422, error.code, name, **error.params) from None


def currency_field(data: dict, name: str) -> str:
    try:
        return parse_currency(required(data, name))
    except MoneyError as error:
        raise ApiError(422, error.code, name, **error.params) from None


def rate_field(data: dict, name: str) -> Decimal | None:
    if data.get(name) is None:
        return None
    try:
        return parse_rate(data[name])
    except MoneyError as error:
        raise ApiError(422, error.code, name) from None


def date_field(data: dict, name: str, default: date | None = None) -> date:
    value = data.get(name)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise ApiError(422, "invalid_date", name)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "invalid_date", name) from None
    if not date(2000, 1, 1) <= parsed <= date(2100, 12, 31) or len(value) != 10:
        raise ApiError(422, "date_out_of_range", name)
    return parsed


def text_field(data: dict, name: str, *, max_length: int = 500, required_: bool = False) -> str | None:
    try:
        return clean_text(data.get(name), max_length=max_length, required=required_) or None
    except TextError as error:
        raise ApiError(422, error.code, name, **error.params) from None


def bool_field(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise ApiError(422, "invalid_boolean", name)
    return value


def page_args(default: int = 50) -> tuple[int, int]:
    """``?page=`` and ``?per_page=`` (at most 500); anything else is a 422 naming the field."""
    values = []
    for name, fallback, largest in (("page", 1, 10**6), ("per_page", default, 500)):
        raw = request.args.get(name)
        if raw is None:
            values.append(fallback)
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= largest:
            raise ApiError(422, "invalid_page", name)
        values.append(int(raw))
    return values[0], values[1]
