"""What an attacker and a careless client sent the JSON API (issue #20): misspelled and
unknown fields, numbers as amounts, week dates, deep nesting, re-serialised retries. Each is
refused with a clear error and writes nothing, or (the retry) replays the first answer."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ledger.api.parsing import ListOf, Schema
from ledger.books.accounts import get_or_create_account
from ledger.extensions import db
from ledger.platform.database import Base
from tests.factories import bank_donation, new_prisoner
from tests.helpers import bearer

# JSON writes under /api/v1 that take something else than a JSON body.
# multipart uploads of receipt files and inventory scans
NOT_JSON = {"api.upload_receipt", "api.upload_approval_receipt", "api.parcel_inventory"}
WRITE = {"POST", "PUT", "PATCH"}


def _rows(session) -> dict[str, int]:
    session.expire_all()
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def books(session):
    prisoner = new_prisoner(session, "vera")
    bank_donation(session, prisoner, "500.00", "EUR")
    get_or_create_account(session, "assets:bank:eur-main")
    session.commit()
    return prisoner


def _donation(**changes):
    body = {
        "prisoner": "vera",
        "money": {"amount": "25.00", "currency": "EUR"},
        "method": "bank",
        "asset": "assets:bank:eur-main",
        "received_on": "2026-02-01",
    }
    body.update(changes)
    return body


def _disbursement(**changes):
    body = {
        "prisoner": "vera",
        "money": {"amount": "15.00", "currency": "EUR"},
        "category": "food",
        "paid_from": "assets:bank:eur-main",
        "spent_on": "2026-03-01",
    }
    body.update(changes)
    return body


MISSPELLED = [
    ("/api/v1/donations", _donation(recieved_on="2026-02-01"), "recieved_on"),
    ("/api/v1/disbursements", _disbursement(spent_at="2026-03-01"), "spent_at"),
    (
        "/api/v1/transfers",
        {"from": "general", "to": "vera", "money": {"amount": "1", "currency": "EUR"}, "date": "2026-01-01"},
        "date",
    ),
    (
        "/api/v1/conversions",
        {
            "fund": "vera",
            "from": {"amount": "10", "currency": "EUR"},
            "to": {"amount": "1000", "currency": "RUB"},
            "on": "2026-01-01",
        },
        "on",
    ),
    (
        "/api/v1/pledges",
        {"fund": "vera", "money": {"amount": "5", "currency": "EUR"}, "frequency": "monthly", "start": "x"},
        "start",
    ),
    # nested objects: the donor, the money, the parcel and its items
    ("/api/v1/donations", _donation(donor={"public_name": "A", "emial": "a@example.org"}), "donor.emial"),
    (
        "/api/v1/donations",
        _donation(money={"amount": "25.00", "currency": "EUR", "fee": "1.00"}),
        "money.fee",
    ),
    (
        "/api/v1/disbursements",
        _disbursement(category="parcels", parcel={"sent_on": "2026-03-01", "weight": 100}),
        "parcel.weight",
    ),
    (
        "/api/v1/disbursements",
        _disbursement(category="parcels", parcel={"items": [{"name": "tea", "grams": 100, "qty": 2}]}),
        "parcel.items.0.qty",
    ),
]


@pytest.mark.parametrize(("path", "body", "field"), MISSPELLED)
def test_misspelled_fields_are_refused_and_nothing_is_written(
    client, tokens, session, books, path, body, field
):
    before = _rows(session)
    response = client.post(path, json=body, headers=bearer(tokens["coordinator"]))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("unknown_field", field)
    assert error["message"] == "This field cannot be set here."
    assert _rows(session) == before


def test_unknown_field_message_in_russian(client, tokens, books):
    response = client.post(
        "/api/v1/donations",
        json=_donation(recieved_on="2026-02-01"),
        headers={**bearer(tokens["coordinator"]), "Accept-Language": "ru"},
    )
    assert response.get_json()["error"]["message"] == "Это поле нельзя задать здесь."


@pytest.mark.parametrize(
    ("money", "code"),
    [
        ({"amount": 25, "currency": "EUR"}, "amount_not_text"),
        ({"amount": 25.0, "currency": "EUR"}, "float_amount"),
        ({"amount": " 25.00", "currency": "EUR"}, "invalid_amount"),
        ({"amount": "25.00 ", "currency": "EUR"}, "invalid_amount"),
        ({"amount": "25.001", "currency": "EUR"}, "too_many_decimals"),
        ({"amount": True, "currency": "EUR"}, "invalid_amount"),
    ],
)
def test_amounts_only_as_decimal_strings(client, tokens, session, books, money, code):
    before = _rows(session)
    response = client.post(
        "/api/v1/donations", json=_donation(money=money), headers=bearer(tokens["coordinator"])
    )
    assert response.status_code == 422
    assert (response.get_json()["error"]["code"], response.get_json()["error"]["field"]) == (code, "money")
    assert _rows(session) == before


@pytest.mark.parametrize(
    "value", ["2026-W47-5", "2026W475", "2026-328", "20260201", "2026-02-01T00:00", " 2026-02-01"]
)
def test_dates_only_as_yyyy_mm_dd(client, tokens, session, books, value):
    before = _rows(session)
    response = client.post(
        "/api/v1/donations", json=_donation(received_on=value), headers=bearer(tokens["coordinator"])
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "invalid_date",
        "field": "received_on",
        "message": "Enter the date as YYYY-MM-DD.",
    }
    assert _rows(session) == before


def test_a_re_serialised_retry_replays_instead_of_conflicting(client, tokens, session, books):
    headers = {
        **bearer(tokens["coordinator"]),
        "Idempotency-Key": "retry-1",
        "Content-Type": "application/json",
    }
    body = _donation(memo="Пожертвование")
    first = client.post("/api/v1/donations", data=json.dumps(body), headers=headers)
    assert first.status_code == 201
    # the same JSON, spelled differently: keys reordered, spaces, \u escapes
    respelled = json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=True)
    assert respelled.encode() != json.dumps(body).encode()
    retry = client.post("/api/v1/donations", data=respelled, headers=headers)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    other = client.post("/api/v1/donations", json=_donation(memo="другое"), headers=headers)
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_conflict"


@pytest.mark.parametrize("opening", ["[", '{"a":', '{"money":['])
def test_deeply_nested_json_is_a_clear_400(client, tokens, session, books, opening):
    before = _rows(session)
    payload = opening * 100_000
    for path in ("/api/v1/donations", "/api/v1/disbursements", "/api/v1/prisoners"):
        response = client.post(
            path,
            data=payload,
            headers={
                **bearer(tokens["coordinator"]),
                "Content-Type": "application/json",
                "Idempotency-Key": "d",
            },
        )
        assert response.status_code == 400, path
        assert response.get_json()["error"]["code"] == "json_too_deep"
        assert "nested too deeply" in response.get_json()["error"]["message"]
    assert _rows(session) == before


def test_brackets_inside_strings_do_not_count_as_nesting(client, tokens, books):
    response = client.post(
        "/api/v1/donations",
        json=_donation(memo="[[[[" * 50 + '\\"{{{{' * 50),
        headers=bearer(tokens["coordinator"]),
    )
    assert response.status_code == 201, response.get_json()


# ---- every JSON write, every field it doesn't know ----------------------------------------------


def _json_writes(app) -> list[tuple[str, str, Schema]]:
    """(url, method, schema) for every JSON write under /api/v1, URL parameters filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & WRITE
        if not rule.rule.startswith("/api/v1/") or not methods or rule.endpoint in NOT_JSON:
            continue
        view = app.view_functions[rule.endpoint]
        schema = None
        while view is not None and schema is None:
            schema = getattr(view, "json_schema", None)
            view = getattr(view, "__wrapped__", None)
        assert schema is not None, f"{rule.endpoint} reads JSON without a Schema (ledger/api/parsing.py)"
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if m.group(0).startswith("<int:") else "x", rule.rule)
        found += [(url, method, schema) for method in sorted(methods)]
    return found


def _nested_places(schema: Schema, prefix: tuple = ()) -> list[tuple]:
    """Paths to every object the schema nests: ("donor",), ("parcel", "items", 0)."""
    places = [prefix]
    for name, field in schema.fields.items():
        if field.nested is not None:
            places += _nested_places(field.nested, (*prefix, name))
        elif isinstance(field, ListOf) and field.item.nested is not None:
            places += _nested_places(field.item.nested, (*prefix, name, 0))
    return places


def _schema_at(schema: Schema, place: tuple) -> Schema:
    for step in place:
        if step == 0:
            continue
        field = schema.fields[step]
        nested = field.item.nested if isinstance(field, ListOf) else field.nested
        assert nested is not None
        schema = nested
    return schema


def _body_with(place: tuple, name: str, value) -> dict:
    node: object = {name: value}
    for step in reversed(place):
        node = [node] if step == 0 else {step: node}
    return node  # type: ignore[return-value]


def test_every_json_write_has_a_schema_and_is_found(app):
    urls = {url for url, _method, _schema in _json_writes(app)}
    assert {
        "/api/v1/donations",
        "/api/v1/disbursements",
        "/api/v1/prisoners/x",
        "/api/v1/entries/1/reverse",
    } <= urls


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=30), value=JSON_VALUES, choice=st.integers(min_value=0))
def test_every_json_write_refuses_every_field_it_does_not_know(app, client, tokens, name, value, choice):
    """Property: whatever the endpoint, wherever in the body, a field the schema doesn't name is
    refused as ``unknown_field`` naming it, and nothing is written."""
    writes = _json_writes(app)
    url, method, schema = writes[choice % len(writes)]
    places = _nested_places(schema)
    place = places[(choice // len(writes)) % len(places)]
    if name in _schema_at(schema, place).fields:
        return
    with app.app_context():
        before = _rows(db.session)
    response = client.open(
        url, method=method, json=_body_with(place, name, value), headers=bearer(tokens["admin"])
    )
    assert response.status_code == 422, (url, response.get_json())
    expected = ".".join(str(step) for step in (*place, name))
    assert response.get_json()["error"]["code"] == "unknown_field"
    assert response.get_json()["error"]["field"] == expected
    with app.app_context():
        assert _rows(db.session) == before
