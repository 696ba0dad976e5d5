"""A prisoner and their fund, set up through the API from an empty migrated database."""

from __future__ import annotations

import pytest

from tests.helpers import bearer

COLONY = {"name": "ИК-7 (fictional)", "kind": "colony", "regime": "general", "region": "Карелия"}


class Api:
    """A coordinator's (or another role's) calls to /api/v1, answering (status, json)."""

    def __init__(self, client, tokens, role: str = "coordinator") -> None:
        self.client, self.tokens, self.role = client, tokens, role

    def as_(self, role: str) -> Api:
        return Api(self.client, self.tokens, role)

    def _headers(self, language: str = "en") -> dict:
        return {**bearer(self.tokens[self.role]), "Accept-Language": language}

    def post(self, path: str, body: dict | None = None, *, language: str = "en", **kwargs):
        response = self.client.post(f"/api/v1{path}", json=body, headers=self._headers(language), **kwargs)
        return response.status_code, response.get_json()

    def put(self, path: str, body: dict):
        response = self.client.put(f"/api/v1{path}", json=body, headers=self._headers())
        return response.status_code, response.get_json()

    def patch(self, path: str, body: dict):
        response = self.client.patch(f"/api/v1{path}", json=body, headers=self._headers())
        return response.status_code, response.get_json()

    def get(self, path: str):
        response = self.client.get(f"/api/v1{path}", headers=self._headers())
        return response.status_code, response.get_json()

    def parcel(self, on: str, *, grams: int = 3000, kind: str = "parcel", amount: str = "1500.00", **extra):
        return self.post(
            "/disbursements",
            {
                "prisoner": "ilya",
                "money": {"amount": amount, "currency": "RUB"},
                "category": "parcels",
                "paid_from": "assets:bank:rub-main",
                "spent_on": on,
                "parcel": {"sent_on": on, "total_grams": grams, "kind": kind, **extra},
            },
        )


@pytest.fixture
def api(client, tokens, session):
    """An empty ledger with a rouble and a euro bank account (opened as an admin would)."""
    admin = Api(client, tokens, "admin")
    for currency in ("RUB", "EUR"):
        status, body = admin.post(
            "/accounts",
            {
                "name": f"assets:bank:{currency.lower()}-main",
                "kind": "bank",
                "currency": currency,
                "label": "Bank",
            },
        )
        assert status == 201, body
    return Api(client, tokens)


@pytest.fixture
def ilya(api):
    """Ilya, created through the API, with 30,000 RUB and 200 EUR given by bank transfer."""
    status, body = api.post(
        "/prisoners",
        {"slug": "ilya", "name": "Илья Фиктивный", "name_latin": "Ilya Fiktivny", "public": True},
    )
    assert status == 201, body
    for amount, currency in (("30000.00", "RUB"), ("200.00", "EUR")):
        status, body = api.post(
            "/donations",
            {
                "prisoner": "ilya",
                "money": {"amount": amount, "currency": currency},
                "method": "bank",
                "asset": f"assets:bank:{currency.lower()}-main",
                "received_on": "2026-01-05",
            },
        )
        assert status == 201, body
    return "ilya"
