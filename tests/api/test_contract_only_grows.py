"""The contract only grows (issue #31): the generated document still has every operation,
parameter, request field, response code and error code of the hand-written document it
replaced (``fixtures/openapi_before_issue_31.json``, the document as served before #31)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ledger.api.contract import build_document

BEFORE = json.loads((Path(__file__).parent / "fixtures" / "openapi_before_issue_31.json").read_text())
METHODS = {"get", "post", "put", "patch", "delete"}


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        kind, name = schema["$ref"].split("/")[-2:]
        schema = document["components"][kind][name]
    return schema


def _fields(schema: dict, document: dict, prefix: str = "", seen: frozenset = frozenset()) -> set[str]:
    """Every property name of a request body, nested ones as ``parcel.items[].name``."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return set()
        seen = seen | {schema["$ref"]}
    schema = _resolve(schema, document)
    found: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for alternative in schema.get(key, []):
            found |= _fields(alternative, document, prefix, seen)
    if isinstance(schema.get("items"), dict):
        found |= _fields(schema["items"], document, f"{prefix}[]", seen)
    for name, inner in schema.get("properties", {}).items():
        found.add(f"{prefix}.{name}".lstrip("."))
        found |= _fields(inner, document, f"{prefix}.{name}".lstrip("."), seen)
    return found


def _facts(document: dict) -> set[tuple]:
    facts: set[tuple] = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            facts.add(("operation", method, path))
            for parameter in operation.get("parameters", []):
                parameter = _resolve(parameter, document)
                facts.add(("parameter", method, path, parameter["in"], parameter["name"]))
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                for name in _fields(content["schema"], document):
                    facts.add(("request field", method, path, name))
            for status, response in operation["responses"].items():
                facts.add(("response", method, path, status))
                for code in re.findall(r"`([a-z_0-9]+)`", response.get("description", "")):
                    facts.add(("error code", method, path, status, code))
    return facts


def test_the_snapshot_is_the_hand_written_document():
    """The comparison is not empty: the snapshot holds the operations it guards."""
    facts = _facts(BEFORE)
    assert ("operation", "put", "/settings/approval-thresholds") in facts
    assert ("request field", "post", "/donations", "donor.public_name") in facts
    assert ("error code", "post", "/donations", "422", "float_amount") in facts
    assert len([fact for fact in facts if fact[0] == "operation"]) == 72


def test_the_generated_document_keeps_every_fact_of_the_hand_written_one():
    missing = _facts(BEFORE) - _facts(build_document())
    assert not missing, sorted(missing)[:40]


def test_the_generated_document_keeps_every_shared_schema_and_parameter():
    document = build_document()
    assert set(BEFORE["components"]["parameters"]) <= set(document["components"]["parameters"])
    assert {"Money", "Error"} <= set(document["components"]["schemas"])
