"""The lifecycle and parcel pages as coordinators and admins use them, and what the public
page and the report show afterwards."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from ledger.books.models import JournalEntry
from ledger.funds.models import Facility, PrisonerEvent
from ledger.spending.models import Parcel, ParcelRule
from tests.factories import minimal_pdf
from tests.lifecycle.conftest import COLONY


def _entries(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(JournalEntry))


def _food(**overrides):
    data = {
        "prisoner": "ilya",
        "amount": "500.00",
        "currency": "RUB",
        "category": "food",
        "paid_from": "assets:bank:rub-main",
        "spent_on": "2026-03-05",
    }
    data.update(overrides)
    return data


def test_coordinator_records_a_transfer_and_lost_whereabouts_on_the_pages(client, auth, api, ilya, session):
    auth.login("coordinator")
    response = client.post(
        "/manage/facilities", data={"name": "ИК-9 (fictional)", "kind": "colony", "regime": "strict"}
    )
    assert response.status_code == 302
    facility = session.scalar(select(Facility).where(Facility.name == "ИК-9 (fictional)"))
    assert (facility.kind, facility.regime) == ("colony", "strict")

    page = client.get("/manage/prisoners/ilya/lifecycle")
    assert page.status_code == 200
    assert 'name="fund_policy"' in page.text
    refused = client.post(
        "/manage/prisoners/ilya/lifecycle", data={"type": "transferred", "on": "2026-02-01"}
    )
    assert refused.status_code == 400
    assert "Name the facility" in refused.text
    assert session.scalar(select(func.count()).select_from(PrisonerEvent)) == 0
    response = client.post(
        "/manage/prisoners/ilya/lifecycle",
        data={
            "type": "transferred",
            "on": "2026-02-01",
            "facility": str(facility.id),
            "note": "Этап завершён",
        },
    )
    assert response.status_code == 302
    profile = client.get("/manage/prisoners/ilya/fund").text
    assert "Now at ИК-9 (fictional)" in profile
    assert "strict regime" in profile
    # 4 parcels a year in a strict-regime colony, the law cited in the reader's language
    assert "Penal Enforcement Code, Art. 123(1)(c)" in profile
    assert (
        "УИК РФ ст. 123 ч. 1"
        in client.get("/manage/prisoners/ilya/fund", headers={"Accept-Language": "ru"}).text
    )

    client.post("/manage/prisoners/ilya/lifecycle", data={"type": "whereabouts_unknown", "on": "2026-03-01"})
    before = _entries(session)
    page = client.post("/disbursements/new", data=_food())
    assert "Nobody knows where this prisoner is" in page.text
    assert _entries(session) == before
    client.post("/language/ru")
    page = client.post("/disbursements/new", data=_food())
    assert "Неизвестно, где находится заключённый" in page.text
    assert "Местонахождение неизвестно" in client.get("/manage/prisoners").text


def test_release_page_moves_the_fund_and_the_public_page_says_so(client, auth, api, ilya, session):
    auth.login("coordinator")
    before = _entries(session)
    response = client.post(
        "/manage/prisoners/ilya/lifecycle",
        data={"type": "released", "on": "2026-04-01", "fund_policy": "general"},
        follow_redirects=True,
    )
    assert "moved to the general fund as entry" in response.text
    assert _entries(session) == before + 1
    public = client.get("/prisoners/ilya").text  # signed in: the live books, not the checkpoint
    assert "Released on" in public
    assert "was moved to the general fund" in public
    assert "200.00" in public


def test_parcel_outcome_refund_and_confiscation_on_pages_and_report(client, auth, api, ilya, session, app):
    api.post("/prisoners/ilya/events", {"type": "transferred", "on": "2026-02-01", "facility": COLONY})
    for on in ("2026-02-10", "2026-03-10"):
        status, body = api.parcel(on)
        assert status == 201, body
    returned, confiscated = session.scalars(select(Parcel).order_by(Parcel.id)).all()
    auth.login("coordinator")
    page = client.get(f"/manage/parcels/{returned.id}")
    assert page.status_code == 200
    assert "not known yet" in page.text
    bad = client.post(
        f"/manage/parcels/{returned.id}/outcome", data={"outcome-outcome": "lost", "outcome-on": "2026-03-01"}
    )
    assert bad.status_code == 400
    response = client.post(
        f"/manage/parcels/{returned.id}/outcome",
        data={"outcome-outcome": "returned", "outcome-on": "2026-03-01", "outcome-tracking_number": "RA1RU"},
    )
    assert response.status_code == 302
    scan = client.post(
        f"/manage/parcels/{returned.id}/inventory",
        data={"inventory-file": (io.BytesIO(minimal_pdf()), "опись.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Inventory form attached." in scan.text
    assert "scan on file" in scan.text
    too_much = client.post(
        f"/manage/parcels/{returned.id}/refund",
        data={"refund-amount": "1500.01", "refund-asset": "assets:bank:rub-main", "refund-on": "2026-03-20"},
    )
    assert too_much.status_code == 400
    assert "more than the parcel cost" in too_much.text
    before = _entries(session)
    response = client.post(
        f"/manage/parcels/{returned.id}/refund",
        data={"refund-amount": "1500.00", "refund-asset": "assets:bank:rub-main", "refund-on": "2026-03-20"},
    )
    assert response.status_code == 302
    assert _entries(session) == before + 1
    client.post(
        f"/manage/parcels/{confiscated.id}/outcome",
        data={"outcome-outcome": "confiscated", "outcome-on": "2026-03-25"},
    )
    profile = client.get("/manage/prisoners/ilya/fund").text
    assert "confiscated" in profile
    assert "refunded" in profile

    report = client.get("/prisoners/ilya/report").text
    assert "Returned parcels refunded" in report
    assert "Of which parcels confiscated" in report
    csv_text = client.get("/prisoners/ilya/report.csv").text
    header, *rows = csv_text.splitlines()
    row = next(line for line in rows if line.startswith("RUB"))
    assert "Returned parcels refunded" in header
    assert row.split(",")[header.split(",").index("Returned parcels refunded")] == "1500.00"
    public = client.get("/prisoners/ilya").text  # signed in: the live books, not the checkpoint
    assert '<span class="tag">confiscated</span>' in public
    assert '<span class="tag">returned</span>' in public
    assert "Returned parcels refunded by the post office" in public


def test_admins_edit_parcel_rules_coordinators_read_them(client, auth, api, session):
    rule = session.scalar(
        select(ParcelRule).where(
            ParcelRule.facility_kind == "colony",
            ParcelRule.regime == "general",
            ParcelRule.conditions == "ordinary",
        )
    )
    auth.login("coordinator")
    listing = client.get("/manage/parcel-rules")
    assert listing.status_code == 200
    assert "Penal Enforcement Code, Art. 121(1)(c); weight: Art. 90(1)" in listing.text
    assert client.get(f"/manage/parcel-rules/{rule.id}").status_code == 403
    auth.logout()
    auth.login("admin")
    bad = client.post(f"/manage/parcel-rules/{rule.id}", data={"parcels_per_year": "-3"})
    assert bad.status_code == 200
    response = client.post(
        f"/manage/parcel-rules/{rule.id}",
        data={
            "parcels_per_year": "7",
            "small_parcels_per_year": "6",
            "max_parcel_grams": "20000",
            "max_small_parcel_grams": "5000",
            "exemptions": ["women", "juveniles"],
            "legal_basis": "Своё",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert rule.parcels_per_year == 7
    assert rule.exempt == {"women", "juveniles"}
    assert rule.legal_basis == "Своё"


def test_russian_pages_say_what_happened_to_a_woman_in_the_feminine(client, auth, api, ilya):
    """Issue #18: "Осуждена", "Этапирована", "Освобождена" for a prisoner recorded as female,
    "Осуждён", "Освобождён" for a man; English reads the same for both."""
    ru = {"Accept-Language": "ru"}
    status, body = api.post("/prisoners", {"slug": "boris", "name": "Борис Фиктивный", "public": True})
    assert status == 201, body
    for slug, gender in (("ilya", "female"), ("boris", "male")):
        status, body = api.patch(f"/prisoners/{slug}", {"gender": gender, "status": "sentenced"})
        assert status == 200, body
        status, body = api.post(
            f"/prisoners/{slug}/events", {"type": "transferred", "on": "2026-02-01", "facility": COLONY}
        )
        assert status == 201, body

    woman = client.get("/prisoners/ilya", headers=ru).text
    man = client.get("/prisoners/boris", headers=ru).text
    assert "Осуждена" in woman
    assert "Осуждён" not in woman
    assert "Осуждён" in man
    assert "Осуждена" not in man
    assert "Sentenced" in client.get("/prisoners/ilya").text

    auth.login("coordinator")
    listing = client.get("/manage/prisoners", headers=ru).text
    assert "Осуждена" in listing
    assert "Осуждён" in listing
    fund = client.get("/manage/prisoners/ilya/fund", headers=ru).text
    assert "Этапирована" in fund
    assert "Этапирован<" not in fund

    for slug in ("ilya", "boris"):
        status, body = api.post(
            f"/prisoners/{slug}/events", {"type": "released", "on": "2026-04-01", "fund_policy": "keep"}
        )
        assert status == 201, body
    woman = client.get("/prisoners/ilya", headers=ru).text
    man = client.get("/prisoners/boris", headers=ru).text
    assert "Освобождена" in woman
    assert "Освобождён" not in woman
    assert "Освобождён" in man
    assert "Освобождена" not in man
