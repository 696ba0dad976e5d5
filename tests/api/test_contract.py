"""The published OpenAPI document: valid 3.1, complete, and every operation says who may call it."""

import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from ledger.api import contract

METHODS = {"get", "post", "put", "patch", "delete"}


def _api_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1") :])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def _documented(document) -> set[tuple[str, str]]:
    return {
        (path, method) for path, item in document["paths"].items() for method in item if method in METHODS
    }


def test_document_is_served_and_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any schema error


def test_every_api_route_is_in_the_document_and_nothing_else(app):
    document = contract.build_document()
    routes = _api_operations(app)
    assert routes, "the url map has no API routes"
    assert routes - _documented(document) == set(), "API routes missing from openapi.json"
    assert _documented(document) - routes == set(), "openapi.json describes routes that do not exist"


def test_every_operation_has_roles_security_and_error_codes():
    document = contract.build_document()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            roles = operation["x-roles"]
            assert roles, where
            assert set(roles) <= {"public", "admin", "coordinator", "auditor"}, where
            assert operation["security"] == ([] if roles == ["public"] else [{"bearer": []}]), where
            if roles != ["public"]:
                assert {"401", "403"} <= set(operation["responses"]), where
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert "Error codes: `" in response["description"], where
                    assert response["content"]["application/json"]["schema"] == contract.ERROR, where


def test_a_broken_document_is_caught_by_the_validator():
    """The validator is not a rubber stamp: a parameter "in" the body (OpenAPI 2 style) fails."""
    document = contract.build_document()
    parameter = {"name": "x", "in": "body", "schema": {"type": "string"}}
    broken = {**document, "paths": {**document["paths"], "/x": {"get": {"parameters": [parameter]}}}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_two_modules_describing_one_operation_is_an_error(monkeypatch):
    import types

    first = types.SimpleNamespace(__name__="a", PATHS={"/x": {"get": {}}})
    second = types.SimpleNamespace(__name__="b", PATHS={"/x": {"get": {}}})
    monkeypatch.setattr(contract, "_modules", lambda: iter([first, second]))
    contract.build_document.cache_clear()
    try:
        with pytest.raises(contract.ContractError):
            contract.build_document()
    finally:
        contract.build_document.cache_clear()
