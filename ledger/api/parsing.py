"""Reading JSON request bodies strictly: every problem is an ApiError naming its field.

Every JSON write declares its body as a ``Schema`` and reads it with ``@json_request``::

    DONATION = Schema(
        prisoner=Name(),                       # optional: absent, null or a string
        money=MoneyField(required=True),       # {"amount": "12.50", "currency": "EUR"}
        received_on=DateField(default=today),
        donor=Object(Schema(public_name=Text(max_length=120), email=Text(max_length=254))),
        memo=Text(),
    )

    @bp.post("/donations")
    @api_role_required(*WRITERS)
    @idempotent_write
    @json_request(DONATION)
    def create_donation(body):
        body["money"], body.get("prisoner"), ...

First the whole body is checked for fields the schema doesn't know, nested objects and
list items too (422 ``unknown_field``, ``field`` naming it: ``donor.emial``,
``parcel.items.0.nmae``, ``money.amuont``); only then are values read, in the order declared.
Every nested object is read through a schema of its own (``Object``, ``MoneyField``,
``NameOrObject``; a field's ``nested`` names it); a ``Raw`` field takes a JSON scalar (or a list
of them), so an object sent there has no field it knows. The result is a
dict of the fields present in the body (null included) plus those with a default; read
optional ones with ``body.get(name)``, and ``name in body`` tells a PATCH what was sent.

Amounts are decimal strings only (no JSON numbers, no spaces around them); dates are
``YYYY-MM-DD`` only; bodies nest at most ``ledger.platform.json_input.MAX_DEPTH`` levels (400
``json_too_deep``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any

from flask import request

from ledger.api.errors import ApiError
from ledger.money import CURRENCIES, Money, MoneyError, parse_amount, parse_currency, parse_rate
from ledger.platform.json_input import JsonInputError, loads_limited
from ledger.platform.text import TextError, clean_text
from ledger.reports.filters import DEFAULT_PER_PAGE, Page, parse_page
from ledger.reports.periods import EARLIEST_REPORT_DATE, LATEST_REPORT_DATE, FilterError, parse_report_date

_MISSING: Any = object()
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def json_body() -> dict:
    """The request's JSON object; 415 for another content type, 400 for anything but an
    object or for JSON nested too deeply."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type")
    try:
        data = loads_limited(request.get_data(cache=True))
    except JsonInputError as error:
        raise ApiError(400, error.code, None, **error.params) from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json")
    return data


# ---- value parsers: each raises ApiError(422, code, field) -------------------------------------


def strict_amount(value: object, currency: object, field: str, *, allow_zero: bool = False) -> Money:
    """A JSON amount: a decimal string in the currency's format, nothing else."""
    if isinstance(value, float):
        raise ApiError(422, "float_amount", field)
    if isinstance(value, int) and not isinstance(value, bool):
        raise ApiError(422, "amount_not_text", field)
    if isinstance(value, str) and value != value.strip():
        raise ApiError(422, "invalid_amount", field)
    try:
        return parse_amount(value, currency, allow_zero=allow_zero)
    except MoneyError as error:
        raise ApiError(422, error.code, field, **error.params) from None


def strict_date(value: object, field: str) -> date:
    """``YYYY-MM-DD`` between 2000 and 2100; no week dates, ordinal dates or times."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ApiError(422, "invalid_date", field)
    try:
        parsed = parse_report_date(value, field)  # the reports' range and refusals, read once
    except FilterError as error:
        raise ApiError(422, error.code, field) from None
    if parsed is None:  # the pattern above admits no empty value
        raise ApiError(422, "invalid_date", field)
    return parsed


def date_pattern(first: date, last: date) -> str:
    """A pattern for ``YYYY-MM-DD`` from ``first`` to ``last`` (whole years: JSON Schema has no
    date range, so the years are spelled out, a decade at a time where it can)."""
    if (first.month, first.day, last.month, last.day) != (1, 1, 12, 31):
        raise ValueError("a date range a pattern can state runs from 1 January to 31 December")
    years, year = [], first.year
    while year <= last.year:
        if year % 10 == 0 and year + 9 <= last.year:
            years.append(f"{year // 10}[0-9]")
            year += 10
        else:
            years.append(str(year))
            year += 1
    return rf"^({'|'.join(years)})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


# ---- fields ------------------------------------------------------------------------------------


class Field:
    """A body field. ``required``: absent, null or "" is a 422 ``missing_field``.
    ``default``: the value (or a callable giving it) when the field is absent or null."""

    def __init__(self, *, required: bool = False, default: Any = _MISSING) -> None:
        self.required = required
        self.default = default

    # An empty string counts as absent (free text reports its own "required").
    empty_is_missing = True

    def read(self, data: dict, name: str, path: str) -> Any:
        value = data.get(name)
        if self.required and not self.empty_is_missing:
            return self.parse(value, path)  # free text says "required" itself
        if value is None or (self.required and value == ""):
            if self.required:
                raise ApiError(422, "missing_field", path)
            if self.default is not _MISSING:
                return self.default() if callable(self.default) else self.default
            return None
        return self.parse(value, path)

    def parse(self, value: Any, path: str) -> Any:
        return value

    def json_schema(self) -> dict:
        """What this field accepts, as JSON Schema (the published contract reads it); ``{}``
        when the domain checks the value (a ``Raw`` field: the contract describes it)."""
        return {}

    # The schema of the object this field holds, if it holds one (the walk in the tests).
    nested: Schema | None = None

    def unknown_in(self, value: Any, path: str) -> str | None:
        """The first field inside ``value`` that this field doesn't know (nested objects)."""
        return None


class Raw(Field):
    """A JSON scalar (or a list of scalars), checked by the domain (profile fields, choices).
    An object here knows no fields: its first key is refused as ``unknown_field``."""

    def unknown_in(self, value: Any, path: str) -> str | None:
        if isinstance(value, dict) and value:
            return f"{path}.{next(iter(value))}"
        if isinstance(value, list):
            for index, item in enumerate(value):
                found = self.unknown_in(item, f"{path}.{index}")
                if found:
                    return found
        return None


class Text(Field):
    """Free text (``ledger.platform.text.clean_text``): stripped, no control characters."""

    empty_is_missing = False

    def __init__(self, *, max_length: int = 500, **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length

    def parse(self, value: Any, path: str) -> str | None:
        try:
            return clean_text(value, max_length=self.max_length, required=self.required) or None
        except TextError as error:
            raise ApiError(422, error.code, path, **error.params) from None

    def json_schema(self) -> dict:
        return {"type": "string", "maxLength": self.max_length}


class Name(Text):
    """A name that is looked up (a slug, an account, a reference): short text."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)


class MoneyField(Field):
    """``{"amount": "12.50", "currency": "EUR"}``; positive unless ``allow_zero``."""

    def __init__(self, *, allow_zero: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.allow_zero = allow_zero

    def parse(self, value: Any, path: str) -> Money:
        if not isinstance(value, dict):
            raise ApiError(422, "invalid_amount", path)
        return strict_amount(value.get("amount"), value.get("currency"), path, allow_zero=self.allow_zero)

    def json_schema(self) -> dict:
        return {"$ref": "#/components/schemas/Money"}

    def unknown_in(self, value: Any, path: str) -> str | None:
        return MONEY.unknown_in(value, prefix=f"{path}.") if isinstance(value, dict) else None


class CurrencyField(Field):
    def parse(self, value: Any, path: str) -> str:
        try:
            return parse_currency(value)
        except MoneyError as error:
            raise ApiError(422, error.code, path, **error.params) from None

    def json_schema(self) -> dict:
        return CURRENCY_SCHEMA


class CurrencyAmounts(Field):
    """``{"RUB": "10000.00", "EUR": "100.00"}``: an amount per currency code, each a
    positive decimal string (errors name ``path.CODE``); the keys are data, not fields."""

    def parse(self, value: Any, path: str) -> dict[str, Money]:
        if not isinstance(value, dict):
            raise ApiError(422, "invalid_object", path)
        amounts = {}
        for raw_currency, raw_amount in value.items():
            try:
                currency = parse_currency(raw_currency)
            except MoneyError as error:
                raise ApiError(422, error.code, f"{path}.{str(raw_currency)[:20]}", **error.params) from None
            amounts[currency] = strict_amount(raw_amount, currency, f"{path}.{currency}")
        return amounts

    def json_schema(self) -> dict:
        return currency_amounts_schema()


class RateField(Field):
    """An exchange rate as a decimal string."""

    def parse(self, value: Any, path: str) -> Decimal:
        if isinstance(value, float):
            raise ApiError(422, "float_amount", path)
        if not isinstance(value, str) or value != value.strip():
            raise ApiError(422, "invalid_rate", path)
        try:
            return parse_rate(value)
        except MoneyError as error:
            raise ApiError(422, error.code, path) from None

    def json_schema(self) -> dict:
        return {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}


class DateField(Field):
    def parse(self, value: Any, path: str) -> date:
        return strict_date(value, path)

    def json_schema(self) -> dict:
        return {
            "type": "string",
            "format": "date",
            "pattern": date_pattern(EARLIEST_REPORT_DATE, LATEST_REPORT_DATE),
        }


class BirthDateField(Field):
    """``YYYY-MM-DD`` of a person's birth: the domain checks the range (1900 to today)."""

    def parse(self, value: Any, path: str) -> date:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ApiError(422, "invalid_date", path)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ApiError(422, "invalid_date", path) from None

    def json_schema(self) -> dict:
        return {"type": "string", "format": "date"}


class Bool(Field):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("default", False)
        super().__init__(**kwargs)

    def parse(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise ApiError(422, "invalid_boolean", path)
        return value

    def json_schema(self) -> dict:
        return {"type": "boolean"}


class Integer(Field):
    """A whole JSON number (not a string, not a boolean) from ``minimum`` up."""

    def __init__(self, *, minimum: int = 0, maximum: int = 10**9, code: str = "invalid_number", **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum, self.code = minimum, maximum, code

    def parse(self, value: Any, path: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not self.minimum <= value <= self.maximum:
            raise ApiError(422, self.code, path)
        return value

    def json_schema(self) -> dict:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


class Object(Field):
    """A nested object with its own schema; ``invalid`` is the code when it isn't an object."""

    def __init__(self, schema: Schema, *, invalid: str = "invalid_object", **kwargs) -> None:
        super().__init__(**kwargs)
        self.schema = schema
        self.nested = schema
        self.invalid = invalid

    def parse(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            raise ApiError(422, self.invalid, path)
        return self.schema.read(value, prefix=f"{path}.")

    def unknown_in(self, value: Any, path: str) -> str | None:
        return self.schema.unknown_in(value, prefix=f"{path}.") if isinstance(value, dict) else None

    def json_schema(self) -> dict:
        return self.schema.json_schema()


class NameOrObject(Field):
    """A name (a string, checked by the domain), or an object read through ``schema``; anything
    else is ``invalid``. The lifecycle's facility: a name, or ``{name, kind, regime, …}``."""

    def __init__(self, schema: Schema, *, invalid: str = "invalid_object", max_length: int = 200, **kwargs):
        super().__init__(**kwargs)
        self.schema = schema
        self.nested = schema
        self.invalid = invalid
        self.max_length = max_length

    def parse(self, value: Any, path: str) -> str | dict:
        if isinstance(value, dict):
            return self.schema.read(value, prefix=f"{path}.")
        if not isinstance(value, str):
            raise ApiError(422, self.invalid, path)
        return Name(max_length=self.max_length).parse(value, path) or ""

    def json_schema(self) -> dict:
        return {"anyOf": [{"type": "string", "maxLength": self.max_length}, self.schema.json_schema()]}

    def unknown_in(self, value: Any, path: str) -> str | None:
        return self.schema.unknown_in(value, prefix=f"{path}.") if isinstance(value, dict) else None


class ListOf(Field):
    """A JSON array of at most ``max_items`` values of one field."""

    def __init__(self, item: Field, *, max_items: int = 100, invalid: str = "invalid_list", **kwargs):
        super().__init__(**kwargs)
        self.item, self.max_items, self.invalid = item, max_items, invalid

    def parse(self, value: Any, path: str) -> list:
        if not isinstance(value, list) or len(value) > self.max_items:
            raise ApiError(422, self.invalid, path)
        return [self.item.read({"i": item}, "i", f"{path}.{index}") for index, item in enumerate(value)]

    def json_schema(self) -> dict:
        return {"type": "array", "maxItems": self.max_items, "items": self.item.json_schema()}

    def unknown_in(self, value: Any, path: str) -> str | None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                found = self.item.unknown_in(item, f"{path}.{index}")
                if found:
                    return found
        return None


class Schema:
    """The fields a JSON object may have."""

    def __init__(self, **fields: Field) -> None:
        self.fields = fields

    def unknown_in(self, data: dict, prefix: str = "") -> str | None:
        for key, value in data.items():
            field = self.fields.get(key)
            if field is None:
                return f"{prefix}{key}"
            found = field.unknown_in(value, f"{prefix}{key}")
            if found:
                return found
        return None

    def read(self, data: dict, prefix: str = "") -> dict:
        """The parsed values: fields present in ``data`` and those with a default."""
        unknown = self.unknown_in(data, prefix)
        if unknown:
            raise ApiError(422, "unknown_field", unknown)
        parsed = {}
        for name, field in self.fields.items():
            if name in data or field.required or field.default is not _MISSING:
                parsed[name] = field.read(data, name, f"{prefix}{name}")
        return parsed

    def json_schema(self) -> dict:
        """The object this schema reads: its fields, which are required, and no other field.
        A field that is not required may also be null (read as absent)."""
        properties = {}
        for name, field in self.fields.items():
            described = field.json_schema()
            if not field.required and described:
                described = {"anyOf": [described, {"type": "null"}]}
            properties[name] = described
        required = [name for name, field in self.fields.items() if field.required]
        return {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }


class ThresholdsBody(Schema):
    """A body that is a map of currency code to amount (``{"RUB": "10000.00"}``), or that map
    as ``{"thresholds": {…}}``: its keys are data, so a key that is no ISO 4217 code is an
    unknown field."""

    def __init__(self) -> None:
        super().__init__(thresholds=CurrencyAmounts(required=True))

    @staticmethod
    def _wrapped(data: dict) -> bool:
        return set(data) == {"thresholds"} and isinstance(data["thresholds"], dict)

    def unknown_in(self, data: dict, prefix: str = "") -> str | None:
        if self._wrapped(data):
            return super().unknown_in(data, prefix)
        return next((f"{prefix}{key}" for key in data if key not in CURRENCIES), None)

    def read(self, data: dict, prefix: str = "") -> dict:
        if self._wrapped(data):
            return super().read(data, prefix)
        unknown = self.unknown_in(data, prefix)
        if unknown:
            raise ApiError(422, "unknown_field", unknown)
        amounts = {}
        for raw_currency, raw_amount in data.items():
            try:
                currency = parse_currency(raw_currency)
            except MoneyError as error:
                raise ApiError(422, error.code, f"{prefix}{raw_currency}", **error.params) from None
            amounts[currency] = strict_amount(raw_amount, currency, f"{prefix}{currency}")
        return {"thresholds": amounts}

    def json_schema(self) -> dict:
        return {"anyOf": [super().json_schema(), currency_amounts_schema()]}


# An ISO 4217 code (the contract's shared ``Currency``: every code ``parse_currency`` knows).
CURRENCY_SCHEMA = {"$ref": "#/components/schemas/Currency"}


def currency_amounts_schema() -> dict:
    """An object of ISO 4217 code to a positive decimal amount."""
    return {
        "type": "object",
        "propertyNames": CURRENCY_SCHEMA,
        "additionalProperties": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
    }


# A money object's fields (``MoneyField`` parses them together; this names what it knows).
MONEY = Schema(amount=Raw(), currency=Raw())
MoneyField.nested = MONEY


def json_request(schema: Schema, *, body_optional: bool = False) -> Callable:
    """Read the request body by ``schema`` and pass it to the view as ``body``
    (``body_optional``: a request with no body at all reads as ``{}``).

    Put it below ``@idempotent_write`` (a replayed request is answered before its body is
    read again). The schema stays on the view as ``json_schema``: the test that every JSON
    write refuses unknown fields finds it there.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            empty = body_optional and not request.get_data(cache=True)
            return view(*args, body=schema.read({} if empty else json_body()), **kwargs)

        wrapped.json_schema = schema
        return wrapped

    return decorator


# ---- single fields, for code that reads a body without a schema ---------------------------------


def required(data: dict, name: str):
    if data.get(name) in (None, ""):
        raise ApiError(422, "missing_field", name)
    return data[name]


def money_field(data: dict, name: str) -> Money:
    return MoneyField(required=True).read(data, name, name)


def currency_field(data: dict, name: str) -> str:
    return CurrencyField(required=True).read(data, name, name)


def rate_field(data: dict, name: str) -> Decimal | None:
    return RateField().read(data, name, name)


def date_field(data: dict, name: str, default: date | None = None) -> date:
    value = data.get(name)
    if value is None and default is not None:
        return default
    return strict_date(value, name)


def text_field(data: dict, name: str, *, max_length: int = 500, required_: bool = False) -> str | None:
    return Text(max_length=max_length, required=required_).read(data, name, name)


def bool_field(data: dict, name: str) -> bool:
    return Bool().read(data, name, name)


def page_args(default: int = DEFAULT_PER_PAGE) -> Page:
    """``?page=`` and ``?per_page=`` within the limits of ledger/reports/filters.py; anything
    else is a 422 ``invalid_page`` naming the parameter."""
    try:
        return parse_page(request.args, default)
    except FilterError as error:
        raise ApiError(422, error.code, error.field) from None
