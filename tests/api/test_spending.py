"""The spending API: disbursements, parcels, receipts, conversions and reversals."""

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.spending.models import Receipt
from tests.factories import jpeg_with_gps, minimal_pdf, pdf_with_metadata
from tests.helpers import bearer


def _entries(session):
    return session.scalar(select(func.count()).select_from(JournalEntry))


def _disbursement(**overrides):
    body = {
        "prisoner": "vera",
        "money": {"amount": "1500.00", "currency": "RUB"},
        "category": "food",
        "paid_from": "assets:bank:rub-main",
        "spent_on": "2026-03-01",
        "memo": "Чай, сахар, сало",
    }
    body.update(overrides)
    return body


def test_coordinator_records_a_disbursement(client, tokens, parcel_setup, session):
    response = client.post(
        "/api/v1/disbursements", json=_disbursement(), headers=bearer(tokens["coordinator"])
    )
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()["entry"]
    assert entry["postings"][0] == {
        "account": "liabilities:funds:prisoner:vera",
        "money": {"amount": "1500.00", "currency": "RUB"},
        "category": "food",
        "memo": "Чай, сахар, сало",
    }
    assert available_in(session, fund_account_for(session, parcel_setup))["RUB"].minor == 1850000
    assert verify_ledger(session).ok


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"money": {"amount": "20000.01", "currency": "RUB"}}, 409, "insufficient_funds", "amount"),
        ({"money": {"amount": "-5", "currency": "RUB"}}, 422, "invalid_amount", "money"),
        ({"money": {"amount": 12.5, "currency": "RUB"}}, 422, "float_amount", "money"),
        ({"money": {"amount": "1e3", "currency": "RUB"}}, 422, "invalid_amount", "money"),
        ({"money": {"amount": "10.005", "currency": "RUB"}}, 422, "too_many_decimals", "money"),
        ({"money": {"amount": "10", "currency": "XYZ"}}, 422, "unknown_currency", "money"),
        ({"money": {"amount": "0", "currency": "RUB"}}, 422, "zero_amount", "money"),
        ({"category": "vodka"}, 422, "unknown_category", "category"),
        ({"prisoner": "nobody"}, 422, "unknown_prisoner", "prisoner"),
        ({"paid_from": "liabilities:funds:general"}, 422, "bad_paid_from", "paid_from"),
        ({"paid_from": "assets:bank:nowhere"}, 422, "bad_paid_from", "paid_from"),
        ({"spent_on": "2999-01-01"}, 422, "date_out_of_range", "spent_on"),
        ({"spent_on": "2026-13-01"}, 422, "invalid_date", "spent_on"),
        ({"memo": "line\nbreak"}, 422, "control_character", "memo"),
    ],
)
def test_bad_disbursements_are_refused_and_write_nothing(
    client, tokens, parcel_setup, session, overrides, status, code, field
):
    before = _entries(session)
    response = client.post(
        "/api/v1/disbursements",
        json=_disbursement(**overrides),
        headers={**bearer(tokens["coordinator"]), "Accept-Language": "en"},
    )
    assert response.status_code == status
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert _entries(session) == before


def test_errors_are_in_russian_when_asked(client, tokens, parcel_setup):
    response = client.post(
        "/api/v1/disbursements",
        json=_disbursement(category="vodka"),
        headers={**bearer(tokens["coordinator"]), "Accept-Language": "ru"},
    )
    assert "Выберите категорию" in response.get_json()["error"]["message"]


def test_overdraw_message_names_what_is_available(client, tokens, parcel_setup):
    response = client.post(
        "/api/v1/disbursements",
        json=_disbursement(money={"amount": "600", "currency": "EUR"}, paid_from="assets:bank:eur-main"),
        headers={**bearer(tokens["coordinator"]), "Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert "€500.00 available" in response.get_json()["error"]["message"]


def test_auditors_and_strangers_cannot_spend(client, tokens, parcel_setup, session):
    before = _entries(session)
    assert client.post("/api/v1/disbursements", json=_disbursement()).status_code == 401
    assert (
        client.post(
            "/api/v1/disbursements", json=_disbursement(), headers=bearer(tokens["auditor"])
        ).status_code
        == 403
    )
    assert _entries(session) == before


def test_non_json_bodies_are_refused(client, tokens, parcel_setup):
    response = client.post(
        "/api/v1/disbursements", data="prisoner=vera", headers=bearer(tokens["coordinator"])
    )
    assert response.status_code == 415
    response = client.post(
        "/api/v1/disbursements",
        data="[1,2",
        content_type="application/json",
        headers=bearer(tokens["coordinator"]),
    )
    assert response.status_code == 400


def test_idempotency_key_replays_and_conflicts(client, tokens, parcel_setup, session):
    headers = {**bearer(tokens["coordinator"]), "Idempotency-Key": "parcel-2026-03-01"}
    first = client.post("/api/v1/disbursements", json=_disbursement(), headers=headers)
    again = client.post("/api/v1/disbursements", json=_disbursement(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/disbursements", json=_disbursement(memo="другое"), headers=headers)
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_conflict"
    assert _entries(session) == 3


def test_parcel_details_and_facility_limits(client, tokens, parcel_setup, session):
    """The facility's own limits (1 parcel a month, 20 kg) refuse a parcel with
    parcel_quota / parcel_weight unless the coordinator says why it is allowed."""
    parcel = {
        "sent_on": "2026-03-02",
        "tracking_number": "RA123456789RU",
        "items": [
            {"name": "Чай", "quantity": 2, "grams": 250, "cost": {"amount": "400.00", "currency": "RUB"}},
            {
                "name": "Носки шерстяные",
                "quantity": 3,
                "grams": 100,
                "cost": {"amount": "900.00", "currency": "RUB"},
            },
        ],
    }
    headers = bearer(tokens["coordinator"])
    first = client.post(
        "/api/v1/disbursements", json=_disbursement(category="parcels", parcel=parcel), headers=headers
    )
    assert first.status_code == 201, first.get_json()
    recorded = first.get_json()["entry"]["parcel"]
    assert recorded["total_grams"] == 800
    assert recorded["facility"] == "ИК-1 (test)"
    assert len(recorded["items"]) == 2
    assert recorded["kind"] == "parcel"

    before = _entries(session)
    second = client.post(
        "/api/v1/disbursements", json=_disbursement(category="parcels", parcel=parcel), headers=headers
    )
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "parcel_quota"
    assert _entries(session) == before
    allowed = {**parcel, "override_reason": "Решение начальника ИК"}
    confirmed = client.post(
        "/api/v1/disbursements", json=_disbursement(category="parcels", parcel=allowed), headers=headers
    )
    assert confirmed.status_code == 201
    assert confirmed.get_json()["entry"]["parcel"]["override_reason"] == "Решение начальника ИК"

    heavy = {**parcel, "sent_on": "2026-04-02", "total_grams": 25000}
    assert (
        client.post(
            "/api/v1/disbursements", json=_disbursement(category="parcels", parcel=heavy), headers=headers
        ).get_json()["error"]["code"]
        == "parcel_weight"
    )

    pricey = {
        **parcel,
        "items": [
            {"name": "Куртка", "quantity": 1, "grams": 900, "cost": {"amount": "9000.00", "currency": "RUB"}}
        ],
    }
    response = client.post(
        "/api/v1/disbursements", json=_disbursement(category="parcels", parcel=pricey), headers=headers
    )
    assert response.get_json()["error"]["code"] == "parcel_items_exceed_amount"
    wrong = client.post(
        "/api/v1/disbursements", json=_disbursement(category="food", parcel=parcel), headers=headers
    )
    assert wrong.get_json()["error"]["code"] == "parcel_needs_category"


def test_receipts_are_sanitised_and_content_checked(app, client, tokens, parcel_setup, session, tmp_path):
    headers = bearer(tokens["coordinator"])
    entry_id = client.post("/api/v1/disbursements", json=_disbursement(), headers=headers).get_json()[
        "entry"
    ]["id"]
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get(0x8825)

    response = client.post(
        f"/api/v1/disbursements/{entry_id}/receipts",
        headers=headers,
        data={"file": (io.BytesIO(photo), "receipt.jpg")},
    )
    assert response.status_code == 201, response.get_json()
    receipt = session.scalar(select(Receipt))
    stored = Path(app.instance_path, "receipts", receipt.storage_name).read_bytes()
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert b"SERIAL-123456" not in stored
    assert b"PhoneMaker" not in stored
    import hashlib

    assert hashlib.sha256(stored).hexdigest() == response.get_json()["receipt"]["sha256"] == receipt.sha256

    pdf = client.post(
        f"/api/v1/disbursements/{entry_id}/receipts",
        headers=headers,
        data={"file": (io.BytesIO(minimal_pdf()), "чек.pdf")},
    )
    assert pdf.status_code == 201

    count = session.scalar(select(func.count()).select_from(Receipt))
    files = sorted(Path(app.instance_path, "receipts").rglob("*"))
    for payload, name, code in [
        (b"<html><script>alert(1)</script></html>", "receipt.jpg", "receipt_type"),
        (b"MZ\x90\x00" + b"\x00" * 100, "receipt.pdf", "receipt_type"),
        (b"\xff\xd8\xff\xe0" + b"garbage" * 10, "broken.jpg", "receipt_corrupt"),
        (b"", "empty.png", "receipt_empty"),
        (photo, "again.jpg", "receipt_duplicate"),
    ]:
        response = client.post(
            f"/api/v1/disbursements/{entry_id}/receipts",
            headers=headers,
            data={"file": (io.BytesIO(payload), name)},
        )
        assert response.status_code == 422, name
        assert response.get_json()["error"]["code"] == code, name
    app.config["RECEIPT_MAX_BYTES"] = 1000
    too_big = client.post(
        f"/api/v1/disbursements/{entry_id}/receipts",
        headers=headers,
        data={"file": (io.BytesIO(photo + b"\x00" * 2000), "big.jpg")},
    )
    assert too_big.get_json()["error"]["code"] == "receipt_too_large"
    assert session.scalar(select(func.count()).select_from(Receipt)) == count
    assert sorted(Path(app.instance_path, "receipts").rglob("*")) == files
    assert (
        client.post(
            f"/api/v1/disbursements/{entry_id}/receipts",
            headers=bearer(tokens["auditor"]),
            data={"file": (io.BytesIO(minimal_pdf()), "x.pdf")},
        ).status_code
        == 403
    )


def test_pdf_receipts_lose_their_metadata(app, client, tokens, parcel_setup, session):
    """Issue #20: a scanned PDF kept the coordinator's name, the app and the time it was made."""
    from pypdf import PdfReader

    headers = bearer(tokens["coordinator"])
    entry_id = client.post("/api/v1/disbursements", json=_disbursement(), headers=headers).get_json()[
        "entry"
    ]["id"]
    original = pdf_with_metadata()
    assert b"Secret Coordinator" in original
    assert b"ScanMaster" in original
    response = client.post(
        f"/api/v1/disbursements/{entry_id}/receipts",
        headers=headers,
        data={"file": (io.BytesIO(original), "scan.pdf")},
    )
    assert response.status_code == 201, response.get_json()
    receipt = session.scalar(select(Receipt))
    stored = Path(app.instance_path, "receipts", receipt.storage_name).read_bytes()
    for trace in (b"Secret Coordinator", b"ScanMaster", b"PhoneScanner", b"D:2026", b"xmpmeta", b"pypdf"):
        assert trace not in stored, trace
    for key in (
        b"/Author",
        b"/Producer",
        b"/Creator",
        b"/CreationDate",
        b"/ModDate",
        b"/Metadata",
        b"/Annots",
    ):
        assert key not in stored, key
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 1
    assert not reader.metadata
    assert receipt.content_type == "application/pdf"
    assert receipt.size_bytes == len(stored)
    broken = client.post(
        f"/api/v1/disbursements/{entry_id}/receipts",
        headers=headers,
        data={"file": (io.BytesIO(b"%PDF-1.4\ngarbage\n%%EOF\n"), "broken.pdf")},
    )
    assert broken.status_code == 422
    assert broken.get_json()["error"]["code"] == "receipt_corrupt"


def test_receipts_attach_only_to_spending(app, client, tokens, parcel_setup, session):
    """Issue #20: a receipt could be attached to a donation (or any entry) through the API."""
    headers = bearer(tokens["coordinator"])
    donation = session.scalar(select(JournalEntry).order_by(JournalEntry.id))
    spent = client.post("/api/v1/disbursements", json=_disbursement(), headers=headers).get_json()["entry"]
    reversal = client.post(
        f"/api/v1/entries/{spent['id']}/reverse", headers=headers, json={"reason": "wrong"}
    ).get_json()["entry"]
    for entry_id in (donation.id, reversal["id"]):
        response = client.post(
            f"/api/v1/disbursements/{entry_id}/receipts",
            headers={**headers, "Accept-Language": "en"},
            data={"file": (io.BytesIO(jpeg_with_gps()), "receipt.jpg")},
        )
        assert response.status_code == 409, entry_id
        assert response.get_json()["error"]["code"] == "receipt_not_spending"
        assert "spending entries" in response.get_json()["error"]["message"]
    assert session.scalar(select(func.count()).select_from(Receipt)) == 0
    assert not Path(app.instance_path, "receipts").exists() or not any(
        Path(app.instance_path, "receipts").rglob("*.*")
    )


def test_conversion_within_a_fund_then_spending(client, tokens, parcel_setup, session):
    headers = bearer(tokens["coordinator"])
    response = client.post(
        "/api/v1/conversions",
        headers=headers,
        json={
            "fund": "vera",
            "from": {"amount": "100.00", "currency": "EUR"},
            "rate": "98.455",
            "to_currency": "RUB",
            "date": "2026-03-01",
        },
    )
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()["entry"]
    assert entry["conversion_rate"] == "98.455"
    assert {p["account"] for p in entry["postings"]} == {
        "liabilities:funds:prisoner:vera",
        "equity:conversion",
    }
    held = available_in(session, fund_account_for(session, parcel_setup))
    assert held["EUR"].minor == 40000
    assert held["RUB"].minor == 2000000 + 984550
    implied = client.post(
        "/api/v1/conversions",
        headers=headers,
        json={
            "fund": "vera",
            "from": {"amount": "10.00", "currency": "EUR"},
            "to": {"amount": "990.00", "currency": "RUB"},
        },
    )
    assert implied.get_json()["entry"]["conversion_rate"] == "99"
    same = client.post(
        "/api/v1/conversions",
        headers=headers,
        json={
            "fund": "vera",
            "from": {"amount": "10.00", "currency": "EUR"},
            "to": {"amount": "10.00", "currency": "EUR"},
        },
    )
    assert same.get_json()["error"]["code"] == "same_currency"
    too_much = client.post(
        "/api/v1/conversions",
        headers=headers,
        json={
            "fund": "vera",
            "from": {"amount": "1000.00", "currency": "EUR"},
            "rate": "98",
            "to_currency": "RUB",
        },
    )
    assert too_much.status_code == 409
    assert verify_ledger(session).ok


def test_asset_conversion_balances_per_currency(client, tokens, parcel_setup, session):
    response = client.post(
        "/api/v1/conversions",
        headers=bearer(tokens["coordinator"]),
        json={
            "from_account": "assets:bank:eur-main",
            "to_account": "assets:bank:rub-main",
            "from": {"amount": "200.00", "currency": "EUR"},
            "to": {"amount": "19500.00", "currency": "RUB"},
        },
    )
    assert response.status_code == 201
    amounts = {}
    for posting in response.get_json()["entry"]["postings"]:
        currency = posting["money"]["currency"]
        amounts[currency] = (
            amounts.get(currency, 0)
            + float(posting["money"]["amount"]) * 0
            + int(posting["money"]["amount"].replace(".", ""))
        )
    assert amounts == {"EUR": 0, "RUB": 0}


def test_reversal_through_the_api(client, tokens, parcel_setup, session):
    headers = bearer(tokens["coordinator"])
    entry_id = client.post("/api/v1/disbursements", json=_disbursement(), headers=headers).get_json()[
        "entry"
    ]["id"]
    response = client.post(
        f"/api/v1/entries/{entry_id}/reverse", headers=headers, json={"reason": "wrong prisoner"}
    )
    assert response.status_code == 201
    assert response.get_json()["entry"]["reverses"] == entry_id
    original = client.get(f"/api/v1/entries/{entry_id}", headers=bearer(tokens["auditor"])).get_json()[
        "entry"
    ]
    assert original["reversed_by"] == response.get_json()["entry"]["id"]
    again = client.post(f"/api/v1/entries/{entry_id}/reverse", headers=headers, json={"reason": "again"})
    assert again.status_code == 422
    assert again.get_json()["error"]["code"] == "already_reversed"
    no_reason = client.post(f"/api/v1/entries/{entry_id}/reverse", headers=headers, json={})
    assert no_reason.get_json()["error"]["code"] == "required"
    assert (
        client.post(
            f"/api/v1/entries/{entry_id}/reverse", headers=bearer(tokens["auditor"]), json={"reason": "x"}
        ).status_code
        == 403
    )
    assert verify_ledger(session).ok
