"""Who may call what (issue #31): the roles the document states for each operation are the
roles its route enforces — read from the decorators by the route walk, and checked here by
calling every operation with a token of every role."""

from __future__ import annotations

import json
from pathlib import Path

from ledger.access.roles import ROLES
from ledger.api.contract import build_document
from ledger.api.contract._routes import api_operations, enforced_roles
from tests.helpers import bearer

BEFORE = json.loads((Path(__file__).parent / "fixtures" / "openapi_before_issue_31.json").read_text())
SAMPLE = {"entry_id": "999999", "slug": "no-such-prisoner", "currency": "XTS", "name": "assets:bank:none"}


def _url(path: str) -> str:
    url = "/api/v1" + path
    while "{" in url:
        start, end = url.index("{"), url.index("}")
        name = url[start + 1 : end]
        url = url[:start] + SAMPLE.get(name, "999999" if name.endswith("_id") else "none") + url[end + 1 :]
    return url


def test_each_operation_states_the_roles_its_decorator_enforces():
    document = build_document()
    operations = api_operations()
    assert len(operations) == 72
    for (path, method), view in operations.items():
        described = document["paths"][path][method]
        assert described["x-roles"] == list(enforced_roles(view)), f"{method} {path}"


def test_the_generated_roles_are_those_the_hand_written_document_stated():
    document = build_document()
    for path, item in BEFORE["paths"].items():
        for method, described in item.items():
            assert set(document["paths"][path][method]["x-roles"]) == set(described["x-roles"]), (
                method,
                path,
            )


def test_a_token_of_a_role_the_document_leaves_out_is_refused_and_one_it_names_is_not(client, tokens):
    """Every operation, called with each role's token (writes with no body, so nothing is
    written): 403 exactly for the roles its ``x-roles`` leaves out; public ones never 401."""
    document = build_document()
    checked = 0
    for path, item in document["paths"].items():
        for method, described in item.items():
            roles = described["x-roles"]
            call = getattr(client, method)
            if roles == ["public"]:
                assert call(_url(path)).status_code not in (401, 403), (method, path)
                continue
            assert call(_url(path)).status_code == 401, (method, path)
            for role in ROLES:
                status = call(_url(path), headers=bearer(tokens[role])).status_code
                assert (status == 403) == (role not in roles), (method, path, role, status)
                checked += 1
    assert checked > 150
