"""The fundraising API: prisoners, donations, transfers and pledges (shared/API.md)."""

import pytest
from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry
from ledger.funds.models import Donation, Pledge, Prisoner
from tests.helpers import bearer


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def setup(session):
    get_or_create_account(session, "assets:bank:eur-main")
    session.commit()


def test_prisoner_created_read_and_patched(client, tokens, session, setup):
    body = {
        "slug": "maria-v",
        "name": "Мария В.",
        "name_latin": "Maria V.",
        "status": "sentenced",
        "monthly_need": {"amount": "150.00", "currency": "EUR"},
        "public": True,
        "bio_en": "Nurse.",
    }
    response = client.post("/api/v1/prisoners", json=body, headers=bearer(tokens["coordinator"]))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["prisoner"]["monthly_need"] == {"amount": "150.00", "currency": "EUR"}
    prisoner = session.scalar(select(Prisoner))
    assert fund_account_for(session, prisoner).name == "liabilities:funds:prisoner:maria-v"

    response = client.patch(
        "/api/v1/prisoners/maria-v",
        json={"status": "released", "public": False},
        headers=bearer(tokens["coordinator"]),
    )
    assert response.status_code == 200
    assert response.get_json()["changed"] == ["public", "status"]
    response = client.patch(
        "/api/v1/prisoners/maria-v", json={"balance": "1000000"}, headers=bearer(tokens["coordinator"])
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "balance"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"slug": "Maria", "name": "M"}, "bad_slug", "slug"),
        ({"slug": "maria", "name": ""}, "required", "name"),
        ({"slug": "maria", "name": "M", "public": "true"}, "not_boolean", "public"),
        (
            {"slug": "maria", "name": "M", "monthly_need": {"amount": 100.5, "currency": "EUR"}},
            "float_amount",
            "monthly_need",
        ),
        ({"slug": "maria", "name": "M", "facility": "Nowhere"}, "unknown_facility", "facility"),
        ({"name": "M"}, "missing_field", "slug"),
    ],
)
def test_bad_prisoners_are_refused(client, tokens, session, body, code, field):
    response = client.post("/api/v1/prisoners", json=body, headers=bearer(tokens["coordinator"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["field"] == field
    assert _count(session, Prisoner) == 0


def test_donation_transfer_and_pledge(client, tokens, session, setup):
    headers = bearer(tokens["coordinator"])
    client.post("/api/v1/prisoners", json={"slug": "maria", "name": "M"}, headers=headers)
    response = client.post(
        "/api/v1/pledges",
        json={
            "fund": "general",
            "money": {"amount": "25.00", "currency": "EUR"},
            "frequency": "monthly",
            "starts_on": "2026-01-01",
            "donor": {"public_name": "Friends of M.", "email": "friend@example.net"},
        },
        headers=headers,
    )
    assert response.status_code == 201
    reference = response.get_json()["pledge"]["reference"]
    assert "email" not in str(response.get_json())

    response = client.post(
        "/api/v1/donations",
        json={
            "prisoner": None,
            "money": {"amount": "25.00", "currency": "EUR"},
            "method": "bank",
            "asset": "assets:bank:eur-main",
            "received_on": "2026-02-01",
            "pledge": reference,
        },
        headers={**headers, "Idempotency-Key": "bank-2026-02-01-1"},
    )
    assert response.status_code == 201, response.get_json()
    replay = client.post(
        "/api/v1/donations",
        json={
            "prisoner": None,
            "money": {"amount": "25.00", "currency": "EUR"},
            "method": "bank",
            "asset": "assets:bank:eur-main",
            "received_on": "2026-02-01",
            "pledge": reference,
        },
        headers={**headers, "Idempotency-Key": "bank-2026-02-01-1"},
    )
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert _count(session, Donation) == 1

    response = client.post(
        "/api/v1/transfers",
        json={"from": "general", "to": "maria", "money": {"amount": "20", "currency": "EUR"}},
        headers=headers,
    )
    assert response.status_code == 201
    prisoner = session.scalar(select(Prisoner))
    assert available_in(session, fund_account_for(session, prisoner))["EUR"].minor == 2000
    assert available_in(session, general_fund(session))["EUR"].minor == 500

    listing = client.get("/api/v1/pledges", headers=bearer(tokens["auditor"])).get_json()
    assert listing["pledges"][0]["fulfilment"]["received"] == {"amount": "25.00", "currency": "EUR"}
    schedule = listing["pledges"][0]["schedule"]  # monthly from January, January's instalment paid
    assert schedule["instalments_paid"] == 1
    assert schedule["next_due_on"] == "2026-02-01"
    assert schedule["open"] == {"amount": f"{(schedule['instalments_due'] - 1) * 25}.00", "currency": "EUR"}
    assert 0 < schedule["instalments_missed"] < schedule["instalments_due"]

    response = client.post(
        "/api/v1/transfers",
        json={"from": "general", "to": "maria", "money": {"amount": "5.01", "currency": "EUR"}},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "insufficient_funds"

    # The donor stops: the pledge ends for good; its gift stays in the books.
    cancelled = client.post(f"/api/v1/pledges/{reference.lower()}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.get_json()
    assert cancelled.get_json()["pledge"]["status"] == "cancelled"
    assert cancelled.get_json()["pledge"]["fulfilment"]["received"] == {"amount": "25.00", "currency": "EUR"}
    assert client.post(f"/api/v1/pledges/{reference}/cancel", headers=headers).status_code == 422


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"method": "card"}, "unknown_method", "method"),
        ({"asset": "liabilities:funds:general"}, "bad_asset", "asset"),
        ({"asset": "assets:nowhere"}, "bad_asset", "asset"),
        ({"money": {"amount": "1e2", "currency": "EUR"}}, "invalid_amount", "money"),
        ({"money": {"amount": "10", "currency": "EURO"}}, "unknown_currency", "money"),
        ({"prisoner": "ghost"}, "unknown_prisoner", "prisoner"),
        ({"pledge": "SL-AAAAAA"}, "unknown_pledge", "pledge"),
        ({"received_on": "2026-02-30"}, "invalid_date", "received_on"),
        ({"donor": {"email": "nope"}}, "invalid_email", "email"),
    ],
)
def test_bad_donations_are_refused(client, tokens, session, setup, body, code, field):
    data = {
        "prisoner": None,
        "money": {"amount": "25.00", "currency": "EUR"},
        "method": "bank",
        "asset": "assets:bank:eur-main",
        "received_on": "2026-02-01",
        **body,
    }
    response = client.post("/api/v1/donations", json=data, headers=bearer(tokens["coordinator"]))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["field"] == field
    assert _count(session, JournalEntry) == 0
    assert _count(session, Donation) == 0


def test_auditors_cannot_write(client, tokens, session, setup):
    for path, body in (
        ("/api/v1/prisoners", {"slug": "x", "name": "X"}),
        ("/api/v1/pledges", {}),
        ("/api/v1/donations", {}),
        ("/api/v1/transfers", {}),
    ):
        assert client.post(path, json=body, headers=bearer(tokens["auditor"])).status_code == 403
        assert client.post(path, json=body).status_code == 401
    assert _count(session, Prisoner) == 0
    assert _count(session, Pledge) == 0


def test_public_prisoner_list_and_profile(client, tokens, session, setup, create_prisoner, create_donation):
    from tests.helpers import seal

    visible = create_prisoner("vera", public=True)
    visible.monthly_need_minor, visible.monthly_need_currency = 10000, "EUR"
    create_donation(visible, "250.00", "EUR")
    create_prisoner("hidden-one", public=False, name="Скрытый")
    session.commit()
    seal(session)  # public balances are those of the latest checkpoint
    listing = client.get("/api/v1/prisoners").get_json()
    assert [p["slug"] for p in listing["prisoners"]] == ["vera"]
    assert listing["total"] == 1
    vera = listing["prisoners"][0]
    assert vera["balances"] == [{"amount": "250.00", "currency": "EUR"}]
    assert vera["monthly_need"] == {"amount": "100.00", "currency": "EUR"}
    assert vera["runway_months"].startswith("2.5")
    assert client.get("/api/v1/prisoners/vera").get_json()["prisoner"]["name_latin"] == "Test Testov"
    assert client.get("/api/v1/prisoners/hidden-one").status_code == 404
    hidden = client.get("/api/v1/prisoners/hidden-one", headers=bearer(tokens["auditor"]))
    assert hidden.status_code == 200
    assert hidden.get_json()["prisoner"]["public"] is False
    assert "Скрытый" not in client.get("/api/v1/prisoners?per_page=500").text
