"""Every nested JSON object the API reads goes through a schema that refuses fields it doesn't
know (issue #27): the money of a public pledge, a donor, a parcel and its items, a facility.
Walked over every JSON write, and held against the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ledger.api.contract import build_document
from ledger.api.parsing import Field, ListOf, Schema
from ledger.extensions import db
from ledger.platform.database import Base
from tests.factories import new_prisoner
from tests.helpers import bearer

WRITE = {"POST", "PUT", "PATCH"}
UNKNOWN = "zz_unknown"


def _rows(session) -> dict[str, int]:
    session.expire_all()
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def _nested(field: Field) -> tuple[Schema | None, bool]:
    """The schema of the object a field holds and whether it sits in a list."""
    if isinstance(field, ListOf):
        return field.item.nested, True
    return field.nested, False


def _places(schema: Schema, prefix: tuple = ()) -> list[tuple[tuple, Schema]]:
    """(path, schema) of every nested object: ("money",), ("parcel", "items", 0), …"""
    found = []
    for name, field in schema.fields.items():
        nested, listed = _nested(field)
        if nested is not None:
            place = (*prefix, name, 0) if listed else (*prefix, name)
            found.append((place, nested))
            found += _places(nested, place)
    return found


def _json_writes(app) -> list[tuple[str, str, str, Schema]]:
    """(url, contract path, method, schema) of every JSON write under /api/v1."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        schema = None
        while view is not None and schema is None:
            schema = getattr(view, "json_schema", None)
            view = getattr(view, "__wrapped__", None)
        if schema is None or not rule.rule.startswith("/api/v1/"):
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if m.group(0).startswith("<int:") else "x", rule.rule)
        contract_path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        found += [(url, contract_path, method, schema) for method in sorted((rule.methods or set()) & WRITE)]
    return found


def _body(place: tuple) -> dict:
    node: object = {UNKNOWN: "1"}
    for step in reversed(place):
        node = [node] if step == 0 else {step: node}
    assert isinstance(node, dict)
    return node


def _cases(app) -> list[tuple[str, str, tuple]]:
    return [
        (url, method, place)
        for url, _path, method, schema in _json_writes(app)
        for place, _nested in _places(schema)
    ]


def test_the_walk_finds_every_kind_of_nested_object(app):
    places = {(url, place) for url, _method, place in _cases(app)}
    assert {
        ("/api/v1/public-pledges", ("money",)),
        ("/api/v1/donations", ("money",)),
        ("/api/v1/donations", ("donor",)),
        ("/api/v1/disbursements", ("parcel", "items", 0, "cost")),
        ("/api/v1/prisoners/x/events", ("facility",)),
        ("/api/v1/conversions", ("from",)),
        ("/api/v1/prisoners", ("monthly_need",)),
    } <= places


def test_every_nested_object_of_every_write_refuses_an_unknown_field(app, client, tokens):
    cases = _cases(app)
    assert len(cases) >= 15
    with app.app_context():
        before = _rows(db.session)
    for url, method, place in cases:
        response = client.open(url, method=method, json=_body(place), headers=bearer(tokens["admin"]))
        error = (response.get_json() or {}).get("error", {})
        expected = ".".join(str(step) for step in (*place, UNKNOWN))
        assert (response.status_code, error.get("code"), error.get("field")) == (
            422,
            "unknown_field",
            expected,
        ), (
            url,
            place,
            response.get_json(),
        )
    with app.app_context():
        assert _rows(db.session) == before


@pytest.mark.parametrize("language", ["en", "ru"])
def test_public_pledge_with_a_misspelled_money_field_writes_nothing(app, client, session, language):
    new_prisoner(session, "vera", public=True)
    session.commit()
    before = _rows(session)
    response = client.post(
        "/api/v1/public-pledges",
        json={
            "prisoner": "vera",
            "money": {"amount": "10.00", "currency": "EUR", "amuont": "99.00"},
            "frequency": "monthly",
        },
        headers={"Accept-Language": language},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("unknown_field", "money.amuont")
    expected = {"en": "This field cannot be set here.", "ru": "Это поле нельзя задать здесь."}[language]
    assert error["message"] == expected
    assert _rows(session) == before


def test_an_object_where_a_plain_value_belongs_is_refused(client, tokens, session):
    new_prisoner(session, "vera")
    session.commit()
    before = _rows(session)
    response = client.post(
        "/api/v1/prisoners/vera/events",
        json={"type": {"value": "released"}, "fund_policy": "keep"},
        headers=bearer(tokens["admin"]),
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "type.value"
    assert _rows(session) == before


# ---- the contract says the same ----------------------------------------------------------------


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _object_in(schema: dict, document: dict) -> dict:
    """The object variant of a schema (a nullable object, a name-or-object)."""
    schema = _resolve(schema, document)
    for key in ("anyOf", "oneOf"):
        for alternative in schema.get(key, []):
            found = _object_in(alternative, document)
            if found.get("type") == "object":
                return found
    return schema


def _walk_against_contract(schema: Schema, described: dict, document: dict, where: str) -> None:
    described = _object_in(described, document)
    assert described.get("type") == "object", where
    assert described.get("additionalProperties") is False, f"{where} takes unknown fields in the contract"
    assert set(schema.fields) == set(described.get("properties", {})), where
    for name, field in schema.fields.items():
        nested, listed = _nested(field)
        if nested is None:
            continue
        inner = _object_in(described["properties"][name], document)
        if listed:  # a list that is not required may also be null
            inner = next((kind for kind in inner.get("anyOf", [inner]) if "items" in kind), inner)
            inner = _object_in(inner["items"], document)
        _walk_against_contract(nested, inner, document, f"{where}.{name}")


def test_the_contract_closes_every_object_the_code_closes(app):
    document = build_document()
    for _url, path, method, schema in _json_writes(app):
        operation = document["paths"][path][method.lower()]
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:  # a write without a body (cancel, approve): nothing to describe
            assert not schema.fields, f"{method} {path}"
            continue
        _walk_against_contract(schema, content["schema"], document, f"{method} {path}")
