"""The published contract: one OpenAPI 3.1 document assembled from this package.

Every module here (other than this one and names starting with ``_``) describes one area of
the API and defines ``PATHS`` — OpenAPI path items keyed by the path relative to ``/api/v1``
(Flask's ``<int:entry_id>`` becomes ``{entry_id}``) — and may define ``SCHEMAS``
(components/schemas, names prefixed with the area).  Operations reuse the shared components
``Money`` and ``Error`` and the security scheme ``bearer``, list every 4xx they can answer
with its error codes.  Who may call each (``x-roles``) is read from the decorators of its
view by the route walk (``_routes.py``).  ``build_document()`` collects
them with pkgutil, so a new area only adds a module.  The helpers below keep modules short.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
from enum import StrEnum
from functools import lru_cache
from typing import Any

from ledger.api.contract._routes import PUBLIC as PUBLIC_ROLES
from ledger.api.contract._routes import api_operations, enforced_roles, request_schema
from ledger.api.parsing import date_pattern
from ledger.money import CURRENCIES
from ledger.reports.filters import FIRST_PAGE, LAST_PAGE, MAX_PER_PAGE
from ledger.reports.periods import EARLIEST_REPORT_DATE, LATEST_REPORT_DATE

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"


class ContractError(ValueError):
    """Two modules describe the same operation or schema, or a fact can't be stated."""


JSON = "application/json"
MONEY = {"$ref": "#/components/schemas/Money"}
ERROR = {"$ref": "#/components/schemas/Error"}
BEARER: list[dict] = [{"bearer": []}]
PUBLIC: list[dict] = []

SHARED_SCHEMAS: dict[str, dict] = {
    "Currency": {"type": "string", "description": "An ISO 4217 code.", "enum": sorted(CURRENCIES)},
    "Money": {
        "type": "object",
        "description": "An exact amount as a decimal string with the currency's minor-unit precision; "
        "never a float. In request bodies the amount is positive.",
        "required": ["amount", "currency"],
        "properties": {
            "amount": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "examples": ["12.50"]},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["EUR"]},
        },
        "additionalProperties": False,
    },
    "Error": {
        "type": "object",
        "description": "Every refusal: a stable code, a message in the reader's language "
        "(Accept-Language: en, ru) and the field it concerns. Nothing was written.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "field"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "field": {"type": ["string", "null"]},
                    "warnings": {"type": "array", "items": {"type": "object"}},
                },
            }
        },
    },
}


def query_date(description: str) -> dict:
    """A date in a query: never empty, between the dates ``ledger.reports.periods`` accepts."""
    return {
        "type": "string",
        "format": "date",
        "pattern": date_pattern(EARLIEST_REPORT_DATE, LATEST_REPORT_DATE),
        "description": f"{description} From {EARLIEST_REPORT_DATE.isoformat()} to {LATEST_REPORT_DATE.isoformat()}.",
    }


SHARED_PARAMETERS: dict[str, dict] = {
    "Page": {
        "name": "page",
        "in": "query",
        "required": False,
        "description": f"Page number, from {FIRST_PAGE} to {LAST_PAGE}.",
        "schema": {"type": "integer", "minimum": FIRST_PAGE, "maximum": LAST_PAGE},
    },
    "PerPage": {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": f"Items per page, at most {MAX_PER_PAGE}.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    },
    "From": {
        "name": "from",
        "in": "query",
        "required": False,
        "description": "First day of the period (inclusive).",
        "schema": query_date("First day of the period (inclusive)."),
    },
    "To": {
        "name": "to",
        "in": "query",
        "required": False,
        "description": "Last day of the period (inclusive).",
        "schema": query_date("Last day of the period (inclusive)."),
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "The same key with the same body returns the first answer and records nothing "
        "new; with another body it is a 409 idempotency_conflict.",
        "schema": {"type": "string", "maxLength": 200},
    },
}

PAGING = [{"$ref": "#/components/parameters/Page"}, {"$ref": "#/components/parameters/PerPage"}]
PERIOD = [{"$ref": "#/components/parameters/From"}, {"$ref": "#/components/parameters/To"}]
IDEMPOTENCY = [{"$ref": "#/components/parameters/IdempotencyKey"}]

# Codes every JSON write can answer, whatever its fields.
BODY_CODES = ("bad_json",)
MONEY_CODES = (
    "missing_field",
    "invalid_amount",
    "float_amount",
    "missing_amount",
    "zero_amount",
    "too_many_decimals",
    "amount_too_large",
    "unknown_currency",
    "not_decimal",
)
TEXT_CODES = ("invalid_text", "too_long", "control_character", "required")
DATE_CODES = ("invalid_date", "date_out_of_range")
PERIOD_CODES = ("invalid_date", "date_out_of_range", "period_reversed")


def enum_of(kind: type[StrEnum], *, without: tuple[StrEnum, ...] = ()) -> dict:
    """The values of ``kind`` (less ``without``), named so a test can hold them against it."""
    described: dict = {
        "enum": [str(value) for value in kind if value not in without],
        "x-enum": kind.__name__,
    }
    if without:
        described["x-enum-without"] = [str(value) for value in without]
    return described


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """``schema`` or null (OpenAPI 3.1 / JSON Schema)."""
    return {"anyOf": [schema, {"type": "null"}]}


def string(**extra: Any) -> dict:
    return {"type": "string", **extra}


def integer(**extra: Any) -> dict:
    return {"type": "integer", **extra}


def obj(properties: dict, required: list[str] | None = None, *, closed: bool = False, **extra: Any) -> dict:
    schema: dict = {"type": "object", "properties": properties, **extra}
    schema["required"] = list(properties) if required is None else required
    if closed:
        schema["additionalProperties"] = False
    return schema


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def json_content(schema: dict) -> dict:
    return {JSON: {"schema": schema}}


def answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": json_content(schema)}


def error(*codes: str, description: str | None = None) -> dict:
    """A 4xx response listing its error codes."""
    unique = list(dict.fromkeys(codes))
    text = description or "Refused"
    return {
        "description": f"{text}. Error codes: " + ", ".join(f"`{code}`" for code in unique),
        "content": json_content(ERROR),
    }


def body(schema: dict, *, required: bool = True) -> dict:
    return {"required": required, "content": json_content(schema)}


def path_parameter(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def query_parameter(name: str, schema: dict, description: str, *, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def operation(
    summary: str,
    *,
    responses: dict,
    tags: list[str],
    operation_id: str,
    request: dict | None = None,
    parameters: list[dict] | None = None,
    description: str | None = None,
) -> dict:
    """One operation (who may call it is added from its route: ``_with_roles``)."""
    item: dict = {"operationId": operation_id, "summary": summary, "tags": tags, "responses": responses}
    if description:
        item["description"] = description
    if parameters:
        item["parameters"] = parameters
    if request is not None:
        item["requestBody"] = request
    return item


def auth_errors(*, write: bool) -> dict:
    """401 and 403 of an operation that needs a token (writes always need a bearer token)."""
    why = "No valid bearer token" + (" (a session cookie is not enough for writes)" if write else "")
    return {
        "401": error("unauthorized", description=why),
        "403": error("forbidden", description="The token's role may not do this"),
    }


def write_errors(unprocessable: tuple[str, ...] | list[str], conflict: tuple[str, ...] = ()) -> dict:
    """The 4xx answers of a JSON write: bad body, auth, conflicts and field errors."""
    return {
        "400": error("bad_json", "bad_idempotency_key", description="Not a JSON object or a bad key"),
        **auth_errors(write=True),
        "409": error(*conflict, "idempotency_conflict", description="Conflicts with the ledger's state"),
        "413": error("too_large", description="The body is too large"),
        "415": error("unsupported_media_type", description="The body is not JSON"),
        "422": error(*unprocessable, description="A field is missing or not acceptable"),
    }


def _modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{__name__}.{info.name}")


def _close(schema: dict, schemas: dict[str, dict], seen: set[str]) -> None:
    """Mark every object in a request body's ``schema`` (refs, alternatives, items and
    properties followed) as refusing properties it doesn't name, unless it says what its
    other properties are (amounts per currency)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _close(schemas[name], schemas, seen)
        return
    for key in ("oneOf", "anyOf", "allOf"):
        for alternative in schema.get(key, []):
            _close(alternative, schemas, seen)
    if isinstance(schema.get("items"), dict):
        _close(schema["items"], schemas, seen)
    if schema.get("type") == "object" or "properties" in schema:
        schema.setdefault("additionalProperties", False)
        for value in schema.get("properties", {}).values():
            _close(value, schemas, seen)


def _close_request_bodies(paths: dict[str, dict], schemas: dict[str, dict]) -> None:
    """Every JSON write reads its body through a Schema that refuses unknown fields at every
    level (ledger/api/parsing.py), so every object of a JSON request body is closed here."""
    seen: set[str] = set()
    for item in paths.values():
        for described in item.values():
            content = (
                described.get("requestBody", {}).get("content", {}) if isinstance(described, dict) else {}
            )
            if isinstance(content.get(JSON, {}).get("schema"), dict):
                _close(content[JSON]["schema"], schemas, seen)


def _with_roles(paths: dict[str, dict]) -> None:
    """Each operation's ``x-roles`` and ``security``: the roles its view's ``@api_role_required``
    enforces (``["public"]`` without one), found by the route walk."""
    for (path, method), view in api_operations().items():
        described = paths.get(path, {}).get(method)
        if described is None:
            raise ContractError(f"{method.upper()} {path} is served but not described")
        roles = list(enforced_roles(view))
        described["x-roles"] = roles
        described["security"] = PUBLIC if roles == list(PUBLIC_ROLES) else BEARER


TEXT_KEYS = ("title", "description", "example", "examples")
STRUCTURE = (
    "anyOf",
    "oneOf",
    "allOf",
    "$ref",
    "properties",
    "items",
    "additionalProperties",
    "propertyNames",
)


def _resolved(schema: dict, schemas: dict[str, dict]) -> dict:
    while "$ref" in schema and schema["$ref"].rsplit("/", 1)[-1] in schemas:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _without_null(schema: dict) -> dict:
    alternatives = [a for a in schema.get("anyOf", []) if a != {"type": "null"}]
    return alternatives[0] if "anyOf" in schema and len(alternatives) == 1 else schema


def _overlay(generated: dict, written: dict, schemas: dict[str, dict]) -> dict:
    """``generated`` (what the parser accepts) with the text of ``written`` (the area module's
    description of the same value).  A field the parser leaves to the domain (``Raw``:
    ``{}``) keeps the area module's description whole: the domain is its parser."""
    written = _without_null(_resolved(written, schemas))
    if not generated:
        return written
    text = {key: written[key] for key in TEXT_KEYS if key in written}
    if generated.get("anyOf") and generated["anyOf"][-1] == {"type": "null"}:
        return {**text, "anyOf": [_overlay(generated["anyOf"][0], written, schemas), {"type": "null"}]}
    if "anyOf" in generated:
        alternatives = [_resolved(a, schemas) for a in written.get("anyOf") or written.get("oneOf") or []]
        return {**text, "anyOf": [_overlay(g, _alike(g, alternatives), schemas) for g in generated["anyOf"]]}
    if "properties" in generated:
        described = written.get("properties", {})
        properties = {
            name: _overlay(g, described.get(name, {}), schemas) for name, g in generated["properties"].items()
        }
        return {**text, **generated, "properties": properties}
    if "items" in generated:
        return {**text, **generated, "items": _overlay(generated["items"], written.get("items", {}), schemas)}
    if "$ref" in generated or any(key in written for key in STRUCTURE) or "type" not in written:
        return {**text, **generated}
    return {**written, **generated}


def _alike(generated: dict, alternatives: list[dict]) -> dict:
    """The written alternative describing the same kind of value as ``generated``: the same
    type, and for objects, one naming the same properties (or both naming none)."""
    for written in alternatives:
        if written.get("type") != generated.get("type"):
            continue
        if generated.get("type") != "object" or bool(written.get("properties")) == bool(
            generated.get("properties")
        ):
            return written
    return {}


def _with_request_bodies(paths: dict[str, dict], schemas: dict[str, dict]) -> None:
    """Each JSON write's request body from the ``Schema`` its view reads the body with: fields,
    required ones, types and limits as the parser enforces them; the area module adds text."""
    for (path, method), view in api_operations().items():
        schema = request_schema(view)
        if schema is None or not schema.fields:
            continue
        described = paths[path][method]
        written = described.get("requestBody", {"required": True})
        media = written.get("content", {}).get(JSON, {})
        generated = _overlay(schema.json_schema(), media.get("schema", {}), schemas)
        described["requestBody"] = {**written, "content": {JSON: {**media, "schema": generated}}}


@lru_cache(maxsize=1)
def build_document() -> dict:
    """The whole OpenAPI 3.1 document (cached: it only changes with the code)."""
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = dict(SHARED_SCHEMAS)
    for module in _modules():
        for path, item in getattr(module, "PATHS", {}).items():
            merged = paths.setdefault(path, {})
            for method, described in item.items():
                if method in merged:
                    raise ContractError(f"{path} {method} described twice ({module.__name__})")
                merged[method] = described
        for name, schema in getattr(module, "SCHEMAS", {}).items():
            if name in schemas:
                raise ContractError(f"schema {name} defined twice ({module.__name__})")
            schemas[name] = schema
    paths, schemas = copy.deepcopy(paths), copy.deepcopy(schemas)
    _with_roles(paths)
    _with_request_bodies(paths, schemas)
    _close_request_bodies(paths, schemas)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Solidarity ledger API",
            "version": API_VERSION,
            "description": "Fundraising and commissary-support ledger for political prisoners. "
            "JSON in and out; money as decimal strings with a currency; errors as "
            '`{"error": {"code", "message", "field"}}` in English or Russian (Accept-Language). '
            "Writes need `Authorization: Bearer <token>` (`flask --app wsgi tokens create EMAIL`); "
            "`x-roles` on each operation says which roles may call it.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "parameters": SHARED_PARAMETERS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token; it carries its user's role.",
                }
            },
        },
    }
