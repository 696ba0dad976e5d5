"""Parcel outcomes: a returned parcel's refund and a confiscated parcel, on the report, the
prisoner's page and the exports (hledger agrees); who sends the next parcel."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.funds.prisoners import prisoner_by_slug
from ledger.platform.database import utc_today
from ledger.spending.models import ParcelOutcome
from tests.factories import minimal_pdf
from tests.lifecycle.conftest import COLONY


@pytest.fixture
def two_parcels(api, ilya):
    """Ilya at a general-regime colony, two parcels of 1,500 RUB sent."""
    api.post("/prisoners/ilya/events", {"type": "transferred", "on": "2026-02-01", "facility": COLONY})
    ids = []
    for on in ("2026-02-10", "2026-03-10"):
        status, body = api.parcel(on, tracking_number=f"RA{on[5:7]}0000000RU")
        assert status == 201, body
        ids.append(body["entry"]["id"])
    _status, plan = api.get("/prisoners/ilya/parcels")
    by_entry = {p["entry"]: p["id"] for p in plan["parcels"]}
    return [by_entry[entry] for entry in ids]


def _entries(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(JournalEntry))


def test_returned_parcel_refund_and_confiscated_parcel(api, two_parcels, session, client, runner, tmp_path):
    returned, confiscated = two_parcels
    status, body = api.post(
        f"/parcels/{returned}/outcome",
        {"outcome": "returned", "on": "2026-03-01", "tracking_number": "RA111111111RU", "note": "Отказ ИК"},
    )
    assert status == 200, body
    assert body["parcel"]["outcome"]["outcome"] == "returned"
    assert body["parcel"]["tracking_number"] == "RA111111111RU"
    scan = client.post(
        f"/api/v1/parcels/{returned}/inventory",
        headers={"Authorization": api._headers()["Authorization"]},
        data={"file": (io.BytesIO(minimal_pdf()), "опись.pdf")},
    )
    assert scan.status_code == 201, scan.get_json()
    assert scan.get_json()["parcel"]["outcome"]["inventory_receipt"] == scan.get_json()["receipt"]["id"]

    # A confiscated parcel has no refund; a returned one only up to what it cost, once.
    status, body = api.post(f"/parcels/{confiscated}/outcome", {"outcome": "confiscated", "on": "2026-03-20"})
    assert status == 200, body
    before = _entries(session)
    refund = {
        "money": {"amount": "1500.00", "currency": "RUB"},
        "asset": "assets:bank:rub-main",
        "on": "2026-03-25",
    }
    for parcel, body, code in [
        (confiscated, refund, "parcel_not_returned"),
        (returned, {**refund, "money": {"amount": "1500.01", "currency": "RUB"}}, "refund_exceeds_parcel"),
        (returned, {**refund, "money": {"amount": "10.00", "currency": "EUR"}}, "currency_mismatch"),
        (returned, {**refund, "asset": "liabilities:funds:general"}, "bad_asset"),
    ]:
        status, answer = api.post(f"/parcels/{parcel}/refund", body)
        assert status in (409, 422), answer
        assert answer["error"]["code"] == code, answer
    assert _entries(session) == before
    status, body = api.post(f"/parcels/{returned}/refund", refund)
    assert status == 201, body
    refund_postings = {p["account"]: (p["money"]["amount"], p["category"]) for p in body["entry"]["postings"]}
    assert refund_postings == {
        "assets:bank:rub-main": ("1500.00", "refund"),
        "liabilities:funds:prisoner:ilya": ("-1500.00", "refund"),
    }
    status, answer = api.post(f"/parcels/{returned}/refund", refund)
    assert status == 409
    assert answer["error"]["code"] == "parcel_refunded"
    status, answer = api.post(f"/parcels/{returned}/outcome", {"outcome": "delivered", "on": "2026-03-26"})
    assert status == 409
    assert answer["error"]["code"] == "parcel_refunded"

    # The report: parcels spent 3,000, of which 1,500 confiscated; 1,500 came back.
    _status, body = api.get("/prisoners/ilya/report")  # readers see the live books
    report = body["currencies"]["RUB"]
    assert report["spent"]["parcels"] == {"amount": "3000.00", "currency": "RUB"}
    assert report["confiscated"] == {"amount": "1500.00", "currency": "RUB"}
    assert report["parcel_refunds"] == {"amount": "1500.00", "currency": "RUB"}
    assert report["refunds"] == {"amount": "0.00", "currency": "RUB"}
    assert report["closing"] == {"amount": "28500.00", "currency": "RUB"}
    prisoner = prisoner_by_slug(session, "ilya")
    assert available_in(session, fund_account_for(session, prisoner))["RUB"].minor == 2_850_000
    assert verify_ledger(session).ok

    # A returned parcel does not use up the quota; the confiscated one does (counted in the
    # year they were sent: the page and the API count the current one).
    from ledger.spending.parcel_quota import parcel_allowance

    assert parcel_allowance(session, prisoner, on=date(2026, 12, 31)).parcel.used == 1

    # hledger accepts the export and agrees on the fund and the confiscated parcel.
    if shutil.which("hledger") is None:
        pytest.skip("hledger not installed")
    path = tmp_path / "ledger.journal"
    result = runner.invoke(args=["ledger", "export", "--format", "hledger", "--output", str(path)])
    assert result.exit_code == 0, result.output
    check = subprocess.run(["hledger", "-f", str(path), "check", "-s"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr

    def hledger_total(*query: str) -> Decimal:
        out = (
            subprocess.run(
                ["hledger", "-f", str(path), "balance", "-N", "--layout=bare", "-O", "csv", *query],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()
        )
        totals = [line.split(",") for line in out[1:]]
        return sum((Decimal(row[-1].strip('"')) for row in totals if '"RUB"' in row), Decimal(0))

    assert hledger_total("liabilities:funds:prisoner:ilya") == Decimal("-28500.00")
    assert hledger_total("liabilities:funds:prisoner:ilya", "tag:parcel=confiscated") == Decimal("1500.00")
    assert hledger_total("liabilities:funds:prisoner:ilya", "tag:refund_of") == Decimal("-1500.00")


def test_outcome_refused_for_bad_input_writes_nothing(api, two_parcels, session):
    parcel = two_parcels[0]
    for body, code in [
        ({"outcome": "lost", "on": "2026-03-01"}, "unknown_outcome"),
        ({"outcome": "delivered", "on": "2026-02-01"}, "outcome_before_sending"),
        ({"outcome": "delivered", "on": "2999-01-01"}, "date_out_of_range"),
        ({"outcome": "delivered", "note": "a\u0007b"}, "control_character"),
    ]:
        status, answer = api.post(f"/parcels/{parcel}/outcome", body)
        assert status == 422, answer
        assert answer["error"]["code"] == code, answer
    assert api.post("/parcels/99999/outcome", {"outcome": "delivered"})[0] == 404
    assert api.as_("auditor").post(f"/parcels/{parcel}/outcome", {"outcome": "delivered"})[0] == 403
    assert session.scalar(select(func.count()).select_from(ParcelOutcome)) == 0


def test_who_sends_the_next_parcel_and_the_plan_order(api, ilya, session, users):
    for slug, name in (("anna", "Анна Первая"), ("boris", "Борис Второй")):
        status, body = api.post("/prisoners", {"slug": slug, "name": name})
        assert status == 201, body
    api.post("/prisoners/ilya/events", {"type": "transferred", "on": "2026-01-10", "facility": COLONY})
    # Ilya has had all six parcels of this year: his next one may go only next January.
    for _ in range(6):
        status, body = api.parcel(utc_today().isoformat(), amount="100.00")
        assert status == 201, body
    status, body = api.put("/prisoners/anna/next-parcel", {"coordinator": users["coordinator"]})
    assert status == 200
    assert body["next_parcel_by"] == users["coordinator"]
    status, body = api.put("/prisoners/anna/next-parcel", {"coordinator": users["auditor"]})
    assert status == 422
    assert body["error"]["code"] == "not_a_coordinator"
    status, plan = api.get("/parcel-plan")
    assert status == 200
    order = [row["slug"] for row in plan["prisoners"]]
    # Nobody assigned yet, soonest allowed first; then the ones someone already sends.
    assert order == ["boris", "ilya", "anna"], plan
    assert plan["prisoners"][1]["next_parcel_on"] == f"{utc_today().year + 1}-01-01"
    api.put("/prisoners/anna/next-parcel", {"coordinator": None})
    _status, plan = api.get("/parcel-plan")
    assert [row["slug"] for row in plan["prisoners"]] == ["anna", "boris", "ilya"]
    _status, second = api.get("/parcel-plan?per_page=2&page=2")
    assert [row["slug"] for row in second["prisoners"]] == ["ilya"]
    assert second["total"] == 3
    assert api.get("/parcel-plan?per_page=0")[0] == 422


def test_the_plan_counts_as_one_prisoners_allowance_does_and_pages_in_its_order(
    api, ilya, session, client, auth
):
    """The plan (one set of queries for every prisoner) says what each prisoner's own
    allowance says; /manage/prisoners shows it a page at a time in the plan's order."""
    from ledger.platform.database import utcnow
    from ledger.spending.parcel_plan import parcel_plan
    from ledger.spending.parcel_quota import parcel_allowance

    today = utcnow().date().isoformat()
    sizo = {"name": "СИЗО-1 (fictional)", "kind": "pre_trial", "regime": "none"}
    for slug, name in (("anna", "Анна Первая"), ("boris", "Борис Второй"), ("dima", "Дмитрий Третий")):
        status, body = api.post("/prisoners", {"slug": slug, "name": name})
        assert status == 201, body
    api.patch("/prisoners/anna", {"gender": "female"})
    for slug, facility in (("ilya", COLONY), ("anna", COLONY), ("boris", sizo), ("dima", COLONY)):
        status, body = api.post(
            f"/prisoners/{slug}/events", {"type": "transferred", "on": "2026-01-10", "facility": facility}
        )
        assert status == 201, body
    for _ in range(6):  # Ilya's six parcels of the year
        assert api.parcel(today, amount="100.00")[0] == 201
    # Anna gets a parcel today; Boris uses up the pre-trial 30 kg of this month.
    for slug, grams in (("anna", 3000), ("boris", 30000)):
        assert (
            api.post(
                "/donations",
                {
                    "prisoner": slug,
                    "money": {"amount": "100.00", "currency": "RUB"},
                    "method": "bank",
                    "asset": "assets:bank:rub-main",
                    "received_on": today,
                },
            )[0]
            == 201
        )
        status, body = api.post(
            "/disbursements",
            {
                "prisoner": slug,
                "money": {"amount": "10.00", "currency": "RUB"},
                "category": "parcels",
                "paid_from": "assets:bank:rub-main",
                "spent_on": today,
                "parcel": {"sent_on": today, "total_grams": grams},
            },
        )
        assert status == 201, body
    api.post("/prisoners/dima/events", {"type": "whereabouts_unknown", "on": "2026-02-01"})

    plan = parcel_plan(session)
    assert plan.total == 4
    for row in plan.rows:
        reachable = row.prisoner.slug != "dima"
        alone = parcel_allowance(session, row.prisoner, reachable=reachable)
        for kind in ("parcel", "small_parcel"):
            mine, theirs = row.allowance.of(kind), alone.of(kind)
            assert (mine.used, mine.allowed, mine.next_on) == (theirs.used, theirs.allowed, theirs.next_on)
        assert row.allowance.grams_this_month == alone.grams_this_month
    order = [row.prisoner.name for row in plan.rows]
    # Anna (a woman: no limit of number) may have one today; Boris next month, Ilya next year,
    # nobody knows where Dmitry is.
    assert order == ["Анна Первая", "Борис Второй", "Илья Фиктивный", "Дмитрий Третий"], order

    auth.login("coordinator")
    pages = [client.get(f"/manage/prisoners?per_page=2&page={n}").text for n in (1, 2)]
    assert all(name in pages[0] for name in order[:2])
    assert not any(name in pages[0] for name in order[2:])
    assert all(name in pages[1] for name in order[2:])
    assert not any(name in pages[1] for name in order[:2])
