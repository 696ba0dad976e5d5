"""Schemathesis against a live server: for every operation of the published contract,
generated requests (with a real token of a role the operation allows) never get a 5xx, and
every answer has a documented status, content type and a body matching its schema.

The server is a real gunicorn process on a free local port over a migrated temporary
SQLite database set up through the CLI and the API (accounts, a facility, a prisoner,
a donation, a conversion, a disbursement, a pledge).  Examples per operation are few
(``MAX_EXAMPLES``) and derandomized, so the run is short and repeatable.
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ledger.api.contract import build_document
from tests.api.live_server import LiveServer
from tests.helpers import PASSWORD, POSTGRES_URL

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(build_document())
# The live server has its own SQLite database; the SQLite suite runs it, the PostgreSQL suite
# (run side by side by make test) does not repeat it.
pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="runs once, in the SQLite suite")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live-api"))
    server.flask("db", "upgrade")
    tokens = {}
    for role in ("admin", "coordinator", "auditor"):
        email = f"{role}@example.org"
        server.flask("users", "create", email, "--role", role, stdin=PASSWORD + "\n")
        tokens[role] = server.flask("tokens", "create", email).stdout.strip()
    server.start()
    try:
        _seed(server, tokens)
        yield server, tokens
    finally:
        server.stop()


def _post(server, token, path, body, expected=201):
    response = requests.post(
        server.api + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == expected, (path, response.text)
    return response.json()


def _seed(server: LiveServer, tokens: dict) -> None:
    admin, coordinator = tokens["admin"], tokens["coordinator"]
    for currency in ("EUR", "RUB"):
        _post(
            server,
            admin,
            "/accounts",
            {
                "name": f"assets:bank:{currency.lower()}-main",
                "currency": currency,
                "label": f"Bank {currency}",
            },
        )
    _post(server, coordinator, "/facilities", {"name": "SIZO-1", "region": "Moscow"})
    _post(
        server,
        coordinator,
        "/prisoners",
        {
            "slug": "ivan-petrov",
            "name": "Иван Петров",
            "facility": "SIZO-1",
            "public": True,
            "monthly_need": {"amount": "15000.00", "currency": "RUB"},
        },
    )
    _post(
        server,
        coordinator,
        "/donations",
        {
            "prisoner": "ivan-petrov",
            "money": {"amount": "300.00", "currency": "EUR"},
            "method": "bank",
            "asset": "assets:bank:eur-main",
        },
    )
    _post(
        server,
        coordinator,
        "/conversions",
        {
            "fund": "ivan-petrov",
            "from": {"amount": "100.00", "currency": "EUR"},
            "to": {"amount": "9840.00", "currency": "RUB"},
        },
    )
    _post(
        server,
        coordinator,
        "/disbursements",
        {
            "prisoner": "ivan-petrov",
            "money": {"amount": "2500.00", "currency": "RUB"},
            "category": "food",
            "paid_from": "assets:bank:rub-main",
        },
    )
    _post(
        server,
        coordinator,
        "/commissary/transfers",
        {
            "prisoner": "ivan-petrov",
            "money": {"amount": "1000.00", "currency": "RUB"},
            "channel": "zonatelecom",
            "paid_from": "assets:bank:rub-main",
        },
    )
    _post(
        server,
        coordinator,
        "/pledges",
        {"fund": "ivan-petrov", "money": {"amount": "20.00", "currency": "EUR"}, "frequency": "monthly"},
    )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_and_never_fails_on_the_server(case, live):
    server, tokens = live
    roles = case.operation.definition.raw["x-roles"]
    headers = {} if roles == ["public"] else {"Authorization": f"Bearer {tokens[roles[-1]]}"}
    try:
        case.call_and_validate(base_url=server.api, headers=headers, checks=CHECKS, timeout=30)
    except Exception:
        print(server.log()[-4000:])  # the server's traceback, if it failed
        raise
