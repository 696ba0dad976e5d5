"""The coordinators' fundraising pages: prisoners, facilities, pledges, gifts, allocations
and bank statements — through HTTP, as a coordinator uses them."""

import io
import re

import pytest
from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.funds.models import Donation, Facility, Pledge, Prisoner


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


PRISONER = {
    "slug": "oleg-s",
    "name": "Олег С.",
    "name_latin": "Oleg S.",
    "status": "awaiting_trial",
    "facility": "",
    "address": "СИЗО-1, ул. Вымышленная, 1",
    "region": "Тверская обл.",
    "charges": "ст. 207.3",
    "sentence": "",
    "bio_en": "<script>alert(1)</script> Engineer.",
    "bio_ru": "Инженер.",
    "need_amount": "12000",
    "need_currency": "RUB",
    "public": "y",
}


def test_coordinator_sets_up_a_facility_and_a_prisoner(client, auth, session):
    auth.login("coordinator")
    response = client.post(
        "/manage/facilities",
        data={
            "name": "СИЗО-1 (fictional)",
            "region": "Тверь",
            "max_parcel_grams": "30000",
            "max_parcels_per_month": "2",
        },
    )
    assert response.status_code == 302
    facility = session.scalar(select(Facility))
    response = client.post("/manage/prisoners/new", data={**PRISONER, "facility": str(facility.id)})
    assert response.status_code == 302, response.text
    prisoner = session.scalar(select(Prisoner).where(Prisoner.slug == "oleg-s"))
    assert prisoner.facility is facility
    assert prisoner.public
    assert prisoner.monthly_need_minor == 1200000
    assert fund_account_for(session, prisoner).name == "liabilities:funds:prisoner:oleg-s"
    listing = client.get("/manage/prisoners").text
    assert "Олег С." in listing
    assert "12,000.00" in listing

    page = client.get("/manage/prisoners/oleg-s/edit")
    assert page.status_code == 200
    assert 'value="12000.00"' in page.text
    assert "&lt;script&gt;" in page.text
    assert "<script>alert" not in page.text
    response = client.post(
        "/manage/prisoners/oleg-s/edit",
        data={**PRISONER, "status": "sentenced", "sentence": "6 лет", "public": ""},
    )
    assert response.status_code == 302
    session.expire_all()
    assert prisoner.status == "sentenced"
    assert not prisoner.public


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "Oleg S"}, "lowercase Latin letters"),
        ({"slug": ""}, "lowercase Latin letters"),
        ({"name": ""}, "This field is required"),
        ({"need_amount": "12 00"}, "in digits, like 1250.50"),
        ({"need_amount": "-1"}, "in digits, like 1250.50"),
        ({"status": "dead"}, "Not a valid choice"),
        ({"name": "Олег\u202e"}, "control characters"),
    ],
)
def test_bad_prisoner_forms_create_nothing(client, auth, session, change, message):
    auth.login("coordinator")
    page = client.post("/manage/prisoners/new", data={**PRISONER, **change})
    assert page.status_code == 200
    assert message in page.text
    assert _count(session, Prisoner) == 0


def test_slug_taken_is_explained(client, auth, session):
    auth.login("coordinator")
    client.post("/manage/prisoners/new", data=PRISONER)
    page = client.post("/manage/prisoners/new", data=PRISONER)
    assert "already used" in page.text
    assert _count(session, Prisoner) == 1


@pytest.fixture
def prisoner(client, auth, session):
    auth.login("coordinator")
    client.post("/manage/prisoners/new", data=PRISONER)
    get_or_create_account(session, "assets:bank:rub-main")
    get_or_create_account(session, "assets:bank:eur-main")
    session.commit()
    return session.scalar(select(Prisoner))


def test_pledge_then_gift_by_reference(client, session, prisoner):
    response = client.post(
        "/manage/pledges/new",
        data={
            "fund": "oleg-s",
            "amount": "1500",
            "currency": "RUB",
            "frequency": "monthly",
            "starts_on": "2026-01-01",
            "public_name": "",
            "email": "Donor@Example.net",
        },
    )
    assert response.status_code == 302
    pledge = session.scalar(select(Pledge))
    assert re.fullmatch(r"SL-[A-Z2-9]{6}", pledge.reference)
    assert pledge.donor.email == "donor@example.net"
    assert pledge.donor.public_name is None
    page = client.get(response.location).text
    # the email is kept encrypted and shown to admins only, not to coordinators
    assert pledge.reference in page
    assert "donor@example.net" not in page
    assert "anonymous" in client.get("/manage/pledges").text

    response = client.post(
        "/donations/new",
        data={
            "fund": "oleg-s",
            "amount": "1500.00",
            "currency": "RUB",
            "method": "bank",
            "asset": "assets:bank:rub-main",
            "received_on": "2026-02-03",
            "pledge": pledge.reference.lower(),
        },
    )
    assert response.status_code == 302, response.text
    donation = session.scalar(select(Donation))
    assert donation.pledge_id == pledge.id
    assert donation.donor_id == pledge.donor_id
    assert "1,500.00" in client.get(f"/manage/pledges/{pledge.reference}").text
    assert "donor" not in donation.entry.description.lower()

    response = client.post(f"/manage/pledges/{pledge.reference}/cancel")
    assert response.status_code == 302
    session.expire_all()
    assert pledge.status == "cancelled"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pledge": "SL-ZZZZZZ"}, "No pledge has this reference"),
        ({"amount": "1.5e3"}, "in digits, like 1250.50"),
        ({"amount": "0.00"}, "greater than zero"),
        ({"asset": "liabilities:funds:general"}, "Not a valid choice"),
        ({"method": "bitcoin"}, "Not a valid choice"),
        ({"received_on": "2999-01-01"}, "cannot be in the future"),
        ({"received_on": "1900-01-01"}, "Enter a date between 2000 and 2100."),  # issue #20
        ({"currency": "EUR", "pledge": "{ref}"}, "This pledge is in RUB"),
        ({"fund": "general", "pledge": "{ref}"}, "another fund or donor"),
    ],
)
def test_bad_gifts_write_nothing(client, session, prisoner, change, message):
    client.post(
        "/manage/pledges/new",
        data={
            "fund": "oleg-s",
            "amount": "1500",
            "currency": "RUB",
            "frequency": "monthly",
            "starts_on": "2026-01-01",
        },
    )
    reference = session.scalar(select(Pledge.reference))
    data = {
        "fund": "oleg-s",
        "amount": "100",
        "currency": "RUB",
        "method": "cash",
        "asset": "assets:bank:rub-main",
        "received_on": "2026-02-03",
        **change,
    }
    data["pledge"] = data.get("pledge", "").format(ref=reference)
    page = client.post("/donations/new", data=data)
    assert page.status_code == 200
    assert message in page.text
    assert _count(session, JournalEntry) == 0
    assert _count(session, Donation) == 0


def test_allocation_from_the_general_fund(client, session, prisoner):
    client.post(
        "/donations/new",
        data={
            "fund": "general",
            "amount": "300",
            "currency": "EUR",
            "method": "bank",
            "asset": "assets:bank:eur-main",
            "received_on": "2026-02-03",
        },
    )
    page = client.post(
        "/transfers/new",
        data={
            "from_fund": "general",
            "to_fund": "oleg-s",
            "amount": "300.01",
            "currency": "EUR",
            "on": "2026-02-04",
        },
    )
    assert "Not enough money" in page.text
    assert _count(session, JournalEntry) == 1
    response = client.post(
        "/transfers/new",
        data={
            "from_fund": "general",
            "to_fund": "oleg-s",
            "amount": "120",
            "currency": "EUR",
            "on": "2026-02-04",
            "memo": "March parcels",
        },
    )
    assert response.status_code == 302
    assert available_in(session, fund_account_for(session, prisoner))["EUR"].minor == 12000
    assert available_in(session, general_fund(session))["EUR"].minor == 18000
    page = client.post(
        "/transfers/new",
        data={
            "from_fund": "oleg-s",
            "to_fund": "oleg-s",
            "amount": "1",
            "currency": "EUR",
            "on": "2026-02-04",
        },
    )
    assert "two different funds" in page.text


def test_bank_statement_preview_post_and_reimport(client, session, prisoner):
    client.post(
        "/manage/pledges/new",
        data={
            "fund": "oleg-s",
            "amount": "1500",
            "currency": "RUB",
            "frequency": "monthly",
            "starts_on": "2026-01-01",
        },
    )
    reference = session.scalar(select(Pledge.reference))
    csv_text = (
        "Дата;Сумма;Назначение;Плательщик\n"
        f"05.03.2026;1 500,00;Пожертвование {reference};Иванов И.\n"
        "06.03.2026;700,00;На посылки;Сидорова А.\n"
        "07.03.2026;-50,00;Комиссия;\n"
    )
    upload = {
        "file": (io.BytesIO(csv_text.encode("cp1251")), "statement.csv"),
        "asset": "assets:bank:rub-main",
        "date_column": "Дата",
        "amount_column": "Сумма",
        "reference_column": "Назначение",
        "currency_column": "",
        "default_currency": "RUB",
        "payer_column": "Плательщик",
        "decimal_comma": "y",
    }
    preview = client.post("/imports/bank", data=upload, content_type="multipart/form-data")
    assert preview.status_code == 200, preview.text
    assert "1 matched, 1 to assign, 1 outgoing, 0 already recorded, 0 unreadable" in preview.text
    assert "Иванов И." in preview.text
    assert _count(session, JournalEntry) == 0
    hidden = dict(re.findall(r'name="(statement|asset|mapping)" value="([^"]*)"', preview.text))
    hidden["mapping"] = hidden["mapping"].replace("&#34;", '"')
    posted = client.post("/imports/bank/post", data={**hidden, "row-1": "oleg-s", "row-2": "general"})
    assert posted.status_code == 200
    assert "2 donations recorded" in posted.text
    assert _count(session, Donation) == 2
    assert session.scalar(select(Donation).where(Donation.pledge_id.isnot(None))).amount_minor == 150000
    assert not any("Иванов" in (e.description or "") for e in session.scalars(select(JournalEntry)))

    upload["file"] = (io.BytesIO(csv_text.encode("cp1251")), "statement.csv")
    again = client.post("/imports/bank", data=upload, content_type="multipart/form-data")
    assert "0 matched, 0 to assign, 1 outgoing, 2 already recorded" in again.text
    # Each preview has its own token: the first one was deleted when its rows were recorded.
    spent = client.post("/imports/bank/post", data={**hidden, "row-1": "oleg-s", "row-2": "general"})
    assert spent.status_code == 302
    hidden = dict(re.findall(r'name="(statement|asset|mapping)" value="([^"]*)"', again.text))
    hidden["mapping"] = hidden["mapping"].replace("&#34;", '"')
    posted = client.post("/imports/bank/post", data={**hidden, "row-1": "oleg-s", "row-2": "general"})
    assert "0 donations recorded" in posted.text
    assert _count(session, Donation) == 2
    assert verify_ledger(session).ok


def test_unreadable_statement_is_explained(client, session, prisoner):
    upload = {
        "file": (io.BytesIO(b"when,how much\n2026-01-01,5\n"), "x.csv"),
        "asset": "assets:bank:rub-main",
        "date_column": "date",
        "amount_column": "amount",
        "reference_column": "reference",
        "currency_column": "currency",
        "payer_column": "",
    }
    page = client.post("/imports/bank", data=upload, content_type="multipart/form-data")
    assert page.status_code == 200
    assert "Columns not found: date, amount, reference." in page.text
    expired = client.post("/imports/bank/post", data={"statement": "0" * 64}, follow_redirects=True)
    assert "expired" in expired.text


def test_auditor_reads_but_cannot_write(client, auth, session, prisoner):
    auth.logout()
    auth.login("auditor")
    for path in ("/manage/prisoners", "/manage/facilities", "/manage/pledges"):
        assert client.get(path).status_code == 200
    for path in (
        "/manage/prisoners/new",
        "/donations/new",
        "/transfers/new",
        "/imports/bank",
        "/manage/pledges/new",
        "/manage/prisoners/oleg-s/edit",
    ):
        assert client.get(path).status_code == 403
        assert client.post(path, data={}).status_code == 403
    assert client.post("/manage/facilities", data={"name": "X"}).status_code == 403
    assert _count(session, Facility) == 0


def test_facility_pages_render_for_coordinators(client, auth, session):
    auth.login("coordinator")
    assert 'name="max_parcel_grams"' in client.get("/manage/facilities").text
    page = client.post("/manage/facilities", data={"name": "", "max_parcel_grams": "-5"})
    assert page.status_code == 200
    assert "This field is required" in page.text
    client.post("/manage/facilities", data={"name": "ИК-9 (fictional)"})
    facility = session.scalar(select(Facility))
    assert 'value="ИК-9 (fictional)"' in client.get(f"/manage/facilities/{facility.id}/edit").text
    response = client.post(
        f"/manage/facilities/{facility.id}/edit", data={"name": "ИК-9", "max_parcels_per_month": "2"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert facility.name == "ИК-9"
    assert facility.max_parcels_per_month == 2


@pytest.mark.parametrize(
    ("language", "typed"),
    [("ru", "1 500,50"), ("ru", "1500,50"), ("en", "1,500.50"), ("en", "1500.50")],
)
def test_a_gift_is_typed_as_the_coordinator_writes_numbers(client, session, prisoner, language, typed):
    client.get(f"/language/{language}")
    response = client.post(
        "/donations/new",
        data={
            "fund": "oleg-s",
            "amount": typed,
            "currency": "RUB",
            "method": "bank",
            "asset": "assets:bank:rub-main",
            "received_on": "2026-02-03",
        },
    )
    assert response.status_code == 302, response.text
    assert session.scalar(select(Donation.amount_minor)) == 150050


def test_roubles_read_with_a_space_after_the_code_in_english(client, session, prisoner):
    client.get("/language/en")
    listing = client.get("/manage/prisoners").text
    assert "RUB\u00a012,000.00" in listing
    assert "RUB12,000.00" not in listing
    client.get("/language/ru")
    assert "12\u00a0000,00\u00a0₽" in client.get("/manage/prisoners").text
