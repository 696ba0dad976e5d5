"""The coordinators' spending pages, as a coordinator uses them: cash advance, a parcel
paid in cash, a conversion when roubles run short, a receipt, a reversal — and every bad
input answered on the page with nothing written."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.spending.models import Parcel, Receipt
from tests.factories import jpeg_with_gps


def _entries(session):
    return session.scalar(select(func.count()).select_from(JournalEntry))


def _latest(session):
    return session.scalar(select(JournalEntry).order_by(JournalEntry.id.desc()).limit(1))


def _form(**overrides):
    data = {
        "prisoner": "vera",
        "amount": "1500.00",
        "currency": "RUB",
        "category": "food",
        "paid_from": "assets:bank:rub-main",
        "spent_on": "2026-03-02",
        "memo": "Чай и сахар",
    }
    data.update(overrides)
    return data


def _available(session, prisoner):
    session.expire_all()
    return {c: m.amount for c, m in available_in(session, fund_account_for(session, prisoner)).items()}


def test_coordinator_journey_cash_parcel_conversion_receipt_reversal(
    app, client, auth, parcel_setup, session
):
    auth.login("coordinator")
    funds = client.get("/manage/funds")
    assert funds.status_code == 200
    assert "Тест Тестов" in funds.text

    # Take 25,000 roubles of cash from the bank.
    response = client.post(
        "/cash",
        data={
            "direction": "advance",
            "bank": "assets:bank:rub-main",
            "amount": "25000",
            "currency": "RUB",
            "on": "2026-03-01",
            "memo": "For parcels",
        },
    )
    assert response.status_code == 302
    assert "25,000.00" in client.get("/cash").text

    # The parcel costs more roubles than the fund holds: refused, balances shown, conversion offered.
    cash_account = "assets:cash:coordinator-2-rub"  # one box per currency, opened by the advance
    before = _entries(session)
    form = _form(
        amount="24000.00",
        category="parcels",
        paid_from=cash_account,
        **{
            "parcel_sent_on": "2026-03-02",
            "items-0-name": "Тёплые носки",
            "items-0-quantity": "3",
            "items-0-grams": "300",
            "items-0-cost": "900",
            "parcel_total_grams": "6000",
        },
    )
    page = client.post("/disbursements/new", data=form)
    assert page.status_code == 200
    assert "Not enough money" in page.text
    assert 'id="fund-balances"' in page.text
    assert "€500.00" in page.text
    offer = re.search(r'href="(/conversions/new\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert "from=EUR" in offer
    assert "to=RUB" in offer
    assert "fund=vera" in offer
    assert _entries(session) == before

    # Convert 100 EUR to 10,000 RUB inside the fund, then record the parcel.
    assert client.get(offer).status_code == 200
    response = client.post(
        "/conversions/new",
        data={
            "kind": "fund",
            "fund-fund": "vera",
            "fund-amount": "100.00",
            "fund-currency": "EUR",
            "fund-to_currency": "RUB",
            "fund-rate": "100",
            "fund-on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    assert _available(session, parcel_setup) == {"EUR": 400, "RUB": 30000}

    response = client.post("/disbursements/new", data=form)
    assert response.status_code == 302, response.text
    entry = _latest(session)
    assert response.location.endswith(f"/entries/{entry.id}")
    parcel = session.scalar(select(Parcel).where(Parcel.entry_id == entry.id))
    assert parcel.total_grams == 6000
    assert parcel.items[0].name == "Тёплые носки"
    page = client.get(response.location).text
    assert "Тёплые носки" in page
    assert "assets:cash:coordinator-2-rub" in page

    # Attach the receipt photo: stored without its EXIF, hash shown.
    upload = client.post(
        f"/entries/{entry.id}/receipts",
        data={"file": (io.BytesIO(jpeg_with_gps()), "check.jpg")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    receipt = session.scalar(select(Receipt).where(Receipt.entry_id == entry.id))
    page = client.get(f"/entries/{entry.id}").text
    assert receipt.sha256 in page
    stored = client.get(f"/receipts/{receipt.id}")
    assert stored.status_code == 200
    assert stored.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(stored.data)).getexif()

    # The parcel was a mistake: reverse it with a reason, once asked to confirm; the original
    # stays, linked.
    asked = client.post(f"/entries/{entry.id}/reverse", data={"reason": "Wrong prisoner"})
    assert asked.status_code == 200
    assert 'name="confirm" value="yes"' in asked.text
    assert 'value="Wrong prisoner"' in asked.text
    assert "Reverse entry #" in asked.text
    assert (
        session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.reverses_id == entry.id)
        )
        == 0
    )
    response = client.post(
        f"/entries/{entry.id}/reverse", data={"reason": "Wrong prisoner", "confirm": "yes"}
    )
    assert response.status_code == 302
    original = client.get(f"/entries/{entry.id}").text
    assert "Reversed by" in original
    assert _available(session, parcel_setup) == {"EUR": 400, "RUB": 30000}
    assert verify_ledger(session).ok


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "1e3"}, "in digits, like 1250.50"),
        ({"amount": "-5"}, "in digits, like 1250.50"),
        ({"amount": "nan"}, "in digits, like 1250.50"),
        ({"amount": "12,50"}, "in digits, like 1250.50"),
        ({"amount": "1.005"}, "at most 2 decimal places"),
        ({"amount": "0"}, "greater than zero"),
        ({"amount": "99999999999999999999"}, "too large"),
        ({"amount": "20000.01"}, "Not enough money"),
        ({"category": "vodka"}, "Not a valid choice"),
        ({"currency": "XYZ"}, "Not a valid choice"),
        ({"paid_from": "liabilities:funds:general"}, "Not a valid choice"),
        ({"spent_on": "2999-01-01"}, "cannot be in the future"),
        ({"spent_on": "01.03.2026"}, "Not a valid date"),
        ({"memo": "line\x07bell"}, "control characters"),
        ({"prisoner": "nobody"}, "Not a valid choice"),
    ],
)
def test_bad_disbursements_show_a_message_and_write_nothing(
    client, auth, parcel_setup, session, overrides, message
):
    auth.login("coordinator")
    before = _entries(session)
    page = client.post("/disbursements/new", data=_form(**overrides))
    assert page.status_code == 200
    assert message in page.text
    assert _entries(session) == before


def test_messages_are_in_russian(client, auth, parcel_setup, session):
    auth.login("coordinator")
    client.post("/language/ru", data={"next": "/"})
    page = client.post("/disbursements/new", data=_form(amount="20000.01"))
    assert "Не хватает денег" in page.text
    assert "Записать" in page.text


def test_facility_limits_warn_then_record_when_confirmed(client, auth, parcel_setup, session):
    auth.login("coordinator")
    heavy = _form(
        category="parcels",
        parcel_sent_on="2026-03-02",
        parcel_total_grams="25000",
        **{"items-0-name": "Книги", "items-0-quantity": "1", "items-0-grams": "25000"},
    )
    before = _entries(session)
    page = client.post("/disbursements/new", data=heavy)
    assert page.status_code == 200
    assert 'id="limit-warnings"' in page.text
    assert "at most 20,000 g" in page.text
    assert 'name="parcel_override_reason"' in page.text
    assert _entries(session) == before
    response = client.post(
        "/disbursements/new", data={**heavy, "parcel_override_reason": "Решение начальника ИК"}
    )
    assert response.status_code == 302
    assert _entries(session) == before + 1


@pytest.mark.parametrize(
    ("payload", "name", "message"),
    [
        (b"MZ\x90\x00 not an image", "receipt.jpg", "JPEG, PNG or WebP"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "receipt.jpg", "damaged"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_fake_or_broken_receipts_are_refused(client, auth, parcel_setup, session, payload, name, message):
    auth.login("coordinator")
    client.post("/disbursements/new", data=_form())
    entry = _latest(session)
    response = client.post(
        f"/entries/{entry.id}/receipts",
        data={"file": (io.BytesIO(payload), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert message in response.text
    assert session.scalar(select(func.count()).select_from(Receipt)) == 0


def test_oversized_receipt_is_refused(app, client, auth, parcel_setup, session):
    app.config["RECEIPT_MAX_BYTES"] = 1000
    auth.login("coordinator")
    client.post("/disbursements/new", data=_form())
    entry = _latest(session)
    response = client.post(
        f"/entries/{entry.id}/receipts",
        data={"file": (io.BytesIO(jpeg_with_gps() + b"\0" * 2000), "big.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "too large" in response.text
    assert session.scalar(select(func.count()).select_from(Receipt)) == 0


def test_reversal_needs_a_reason_and_happens_once(client, auth, parcel_setup, session):
    auth.login("coordinator")
    client.post("/disbursements/new", data=_form())
    entry = _latest(session)
    page = client.post(f"/entries/{entry.id}/reverse", data={"reason": ""}, follow_redirects=True)
    assert "Give a reason" in page.text
    assert _latest(session).id == entry.id
    client.post(f"/entries/{entry.id}/reverse", data={"reason": "Typo", "confirm": "yes"})
    page = client.post(
        f"/entries/{entry.id}/reverse", data={"reason": "Again", "confirm": "yes"}, follow_redirects=True
    )
    assert "already been reversed" in page.text
    assert _entries(session) == entry.id + 1


def test_asset_conversion_and_cash_return(client, auth, parcel_setup, session):
    from ledger.books.accounts import get_or_create_account
    from ledger.books.balances import balances_of

    get_or_create_account(session, "assets:bank:eur-main")
    session.commit()
    auth.login("coordinator")
    response = client.post(
        "/conversions/new",
        data={
            "kind": "asset",
            "asset-from_account": "assets:bank:eur-main",
            "asset-to_account": "assets:bank:rub-main",
            "asset-amount": "100",
            "asset-currency": "EUR",
            "asset-to_currency": "RUB",
            "asset-to_amount": "9950.50",
            "asset-on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    rub = balances_of(session, get_or_create_account(session, "assets:bank:rub-main"))["RUB"]
    assert str(rub.amount) == "29950.50"
    # Returning cash one does not hold is refused.
    page = client.post(
        "/cash",
        data={
            "direction": "return",
            "bank": "assets:bank:rub-main",
            "amount": "10",
            "currency": "RUB",
            "on": "2026-03-02",
        },
    )
    assert page.status_code == 200
    assert "Not enough money" in page.text


def test_auditors_read_but_cannot_spend(client, auth, parcel_setup, session):
    auth.login("coordinator")
    client.post("/disbursements/new", data=_form())
    entry = _latest(session)
    auth.logout()
    auth.login("auditor")
    assert client.get("/manage/funds").status_code == 200
    page = client.get(f"/entries/{entry.id}")
    assert page.status_code == 200
    assert "Reverse this entry" not in page.text
    before = _entries(session)
    assert client.get("/disbursements/new").status_code == 403
    assert client.post("/disbursements/new", data=_form()).status_code == 403
    assert (
        client.post(f"/entries/{entry.id}/reverse", data={"reason": "x", "confirm": "yes"}).status_code == 403
    )
    assert client.post("/cash", data={}).status_code == 403
    assert _entries(session) == before


def test_strangers_are_sent_to_sign_in(client, parcel_setup):
    for path in ("/manage/funds", "/disbursements/new", "/conversions/new", "/cash", "/entries/1"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.location


def test_receipts_attach_only_to_spending_on_the_pages(app, client, auth, parcel_setup, session):
    """Issue #20: the entry page offered, and the upload took, a receipt for a donation."""
    auth.login("coordinator")
    donation = session.scalar(select(JournalEntry).order_by(JournalEntry.id))
    page = client.get(f"/entries/{donation.id}").text
    assert "Attach receipt" not in page
    response = client.post(
        f"/entries/{donation.id}/receipts",
        data={"file": (io.BytesIO(jpeg_with_gps()), "check.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Receipts belong to spending entries" in response.text
    assert session.scalar(select(func.count()).select_from(Receipt)) == 0
    client.post("/disbursements/new", data=_form())
    assert "Attach receipt" in client.get(f"/entries/{_latest(session).id}").text
