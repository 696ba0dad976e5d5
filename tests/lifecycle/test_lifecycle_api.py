"""The issue's "Done when", through the API from an empty database: parcel quota by the
colony's regime, unknown whereabouts stopping spending, release moving the fund."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for, general_fund
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.funds.models import PrisonerEvent
from ledger.funds.prisoners import prisoner_by_slug
from ledger.platform.database import utc_today
from tests.helpers import seal
from tests.lifecycle.conftest import COLONY


def _entries(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(JournalEntry))


def test_a_general_regime_colony_allows_six_parcels_a_year_then_refuses(api, ilya, session):
    status, body = api.post(
        "/prisoners/ilya/events", {"type": "transferred", "on": "2026-02-01", "facility": COLONY}
    )
    assert status == 201, body
    assert body["lifecycle"]["facility"]["kind"] == "colony"
    assert body["lifecycle"]["facility"]["regime"] == "general"
    # Sent today, whatever the date: the allowance below is this calendar year's.
    today = utc_today().isoformat()
    next_year = f"{utc_today().year + 1}-01-01"
    for _ in range(6):
        status, body = api.parcel(today)
        assert status == 201, body
    before = _entries(session)
    status, body = api.parcel(today)
    assert status == 409, body
    assert body["error"]["code"] == "parcel_quota", body
    assert body["error"]["details"]["used"] == 6
    assert body["error"]["details"]["allowed"] == 6
    assert body["error"]["details"]["next_on"] == next_year
    assert str(utc_today().year + 1) in body["error"]["message"]
    assert "6 of 6" in body["error"]["message"]
    assert _entries(session) == before

    # Small parcels have their own quota (УИК ст. 121 ч. 1 п. «в»), and 5 kg each at most.
    status, body = api.parcel(today, kind="small_parcel", grams=2000)
    assert status == 201, body
    status, body = api.parcel(today, kind="small_parcel", grams=5001)
    assert status == 409
    assert body["error"]["code"] == "parcel_weight"

    # The coordinator records why a parcel beyond the quota is allowed; it is kept with it.
    status, body = api.parcel(today, override_reason="Переведён на облегчённые условия")
    assert status == 201, body
    assert body["entry"]["parcel"]["override_reason"] == "Переведён на облегчённые условия"

    status, plan = api.get("/prisoners/ilya/parcels")
    assert status == 200
    assert plan["allowance"]["parcel"]["used"] == 7
    assert plan["allowance"]["parcel"]["allowed"] == 6
    assert plan["allowance"]["parcel"]["next_on"] == next_year
    assert plan["allowance"]["rule"]["legal_basis"].startswith("УИК РФ ст. 121 ч. 1")

    # In lightened conditions the same colony allows 12 (УИК ст. 121 ч. 2 п. «в»).
    status, body = api.patch("/prisoners/ilya", {"conditions": "lightened"})
    assert status == 200, body
    status, body = api.parcel(today)
    assert status == 201, body
    assert verify_ledger(session).ok


def test_women_are_exempt_from_the_number_but_not_the_weight(api, ilya):
    api.patch("/prisoners/ilya", {"gender": "female"})
    api.post("/prisoners/ilya/events", {"type": "transferred", "on": "2026-02-01", "facility": COLONY})
    for day in range(1, 9):
        status, body = api.parcel(f"2026-03-{day:02d}", amount="100.00")
        assert status == 201, body
    status, body = api.parcel("2026-03-10", amount="100.00", grams=20001)
    assert status == 409
    assert body["error"]["code"] == "parcel_weight"


def test_unknown_whereabouts_refuse_spending_until_a_transfer(api, ilya, session):
    api.post("/prisoners/ilya/events", {"type": "transferred", "on": "2026-02-01", "facility": COLONY})
    status, body = api.post(
        "/prisoners/ilya/events",
        {"type": "whereabouts_unknown", "on": "2026-03-01", "note": "Этап, адвокат не знает куда"},
    )
    assert status == 201
    assert body["lifecycle"]["state"] == "whereabouts_unknown"
    food = {
        "prisoner": "ilya",
        "money": {"amount": "500.00", "currency": "RUB"},
        "category": "food",
        "paid_from": "assets:bank:rub-main",
        "spent_on": "2026-03-05",
    }
    before = _entries(session)
    status, body = api.post("/disbursements", food)
    assert status == 409
    assert body["error"]["code"] == "prisoner_unreachable"
    assert body["error"]["field"] == "prisoner"
    assert _entries(session) == before
    status, body = api.post("/disbursements", food, language="ru")
    assert "Неизвестно, где" in body["error"]["message"]

    # Donations are still accepted.
    status, body = api.post(
        "/donations",
        {
            "prisoner": "ilya",
            "money": {"amount": "10.00", "currency": "EUR"},
            "method": "bank",
            "asset": "assets:bank:eur-main",
            "received_on": "2026-03-06",
        },
    )
    assert status == 201, body
    status, plan = api.get("/prisoners/ilya/parcels")
    assert plan["allowance"]["parcel"]["next_on"] is None
    assert not plan["allowance"]["reachable"]

    status, body = api.post(
        "/prisoners/ilya/events",
        {
            "type": "transferred",
            "on": "2026-03-20",
            "facility": {"name": "ИК-3 (fictional)", "kind": "colony"},
        },
    )
    assert status == 201
    assert body["lifecycle"]["state"] == "in_detention"
    status, body = api.post("/disbursements", food)
    assert status == 201, body


def test_release_with_policy_general_moves_every_currency_in_one_entry(api, ilya, session, runner):
    before = _entries(session)
    status, body = api.post(
        "/prisoners/ilya/events",
        {"type": "released", "on": "2026-04-01", "fund_policy": "general", "note": "Освобождён по сроку"},
    )
    assert status == 201, body
    assert _entries(session) == before + 1
    entry = body["entry"]
    moved = {
        p["money"]["currency"]: p["money"]["amount"]
        for p in entry["postings"]
        if p["account"].endswith("general")
    }
    assert moved == {"RUB": "-30000.00", "EUR": "-200.00"}
    assert {p["category"] for p in entry["postings"]} == {"transfer"}
    prisoner = prisoner_by_slug(session, "ilya")
    assert available_in(session, fund_account_for(session, prisoner)) == {}
    assert available_in(session, general_fund(session))["RUB"].minor == 3_000_000
    assert prisoner.status == "released"
    assert session.scalar(select(PrisonerEvent.entry_id)) == entry["id"]
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output

    # The public sees the status and what happened to the money (the default publication),
    # the amounts once a release publishes the move (docs/privacy.md).
    unpublished = api.client.get("/api/v1/prisoners/ilya").get_json()["prisoner"]["lifecycle"]
    assert unpublished["fund"][0]["moved_to_general"] == []
    seal(session)
    public = api.client.get("/api/v1/prisoners/ilya").get_json()["prisoner"]["lifecycle"]
    assert public["state"] == "released"
    assert "events" not in public
    assert public["fund"][0]["policy"] == "general"
    assert {m["currency"] for m in public["fund"][0]["moved_to_general"]} == {"EUR", "RUB"}

    # The movement is a normal entry: it can be reversed, and the fund is back.
    status, body = api.post(f"/entries/{entry['id']}/reverse", {"reason": "Ошибка: не освобождён"})
    assert status == 201, body
    assert available_in(session, fund_account_for(session, prisoner))["EUR"].minor == 20000
    assert verify_ledger(session).ok


def test_release_keeping_the_fund_lets_spending_go_on(api, ilya, session):
    before = _entries(session)
    status, body = api.post(
        "/prisoners/ilya/events", {"type": "released", "on": "2026-04-01", "fund_policy": "keep"}
    )
    assert status == 201
    assert body["entry"] is None
    assert _entries(session) == before
    status, body = api.post(
        "/disbursements",
        {
            "prisoner": "ilya",
            "money": {"amount": "500.00", "currency": "RUB"},
            "category": "clothing",
            "paid_from": "assets:bank:rub-main",
            "spent_on": "2026-04-02",
        },
    )
    assert status == 201, body


def test_death_then_nothing_more(api, ilya, session):
    status, body = api.post(
        "/prisoners/ilya/events", {"type": "died", "on": "2026-04-01", "fund_policy": "general"}
    )
    assert status == 201
    assert body["lifecycle"]["state"] == "died"
    status, body = api.post("/prisoners/ilya/events", {"type": "whereabouts_unknown", "on": "2026-04-02"})
    assert status == 409
    assert body["error"]["code"] == "prisoner_deceased"


def test_bad_events_are_refused_and_write_nothing(api, ilya, session):
    before = _entries(session)
    events_before = session.scalar(select(func.count()).select_from(PrisonerEvent))
    for body, status, code, field in [
        ({"type": "escaped", "on": "2026-01-01"}, 422, "unknown_event_type", "type"),
        ({"type": "transferred", "on": "2026-01-01"}, 422, "facility_required", "facility"),
        ({"type": "transferred", "facility": "Nowhere"}, 422, "unknown_facility", "facility"),
        (
            {"type": "transferred", "facility": {"name": "X", "kind": "castle"}},
            422,
            "unknown_facility_kind",
            "kind",
        ),
        ({"type": "released", "on": "2026-01-01"}, 422, "unknown_fund_policy", "fund_policy"),
        ({"type": "released", "fund_policy": "burn"}, 422, "unknown_fund_policy", "fund_policy"),
        ({"type": "died", "on": "2999-01-01", "fund_policy": "keep"}, 422, "date_out_of_range", "on"),
        ({"type": "whereabouts_unknown", "note": "a\nb"}, 422, "control_character", "note"),
        ({"type": "whereabouts_unknown", "fund_policy": "keep"}, 422, "unknown_field", "fund_policy"),
        ({"type": "released", "fund_policy": "general", "extra": 1}, 422, "unknown_field", "extra"),
    ]:
        got, answer = api.post("/prisoners/ilya/events", body)
        assert (got, answer["error"]["code"], answer["error"]["field"]) == (status, code, field), body
    assert api.as_("auditor").post("/prisoners/ilya/events", {"type": "whereabouts_unknown"})[0] == 403
    assert api.post("/prisoners/nobody/events", {"type": "whereabouts_unknown"})[0] == 404
    assert _entries(session) == before
    assert session.scalar(select(func.count()).select_from(PrisonerEvent)) == events_before


def test_publication_is_chosen_by_admins(api, ilya):
    api.post("/prisoners/ilya/events", {"type": "transferred", "on": "2026-02-01", "facility": COLONY})
    status, body = api.patch("/prisoners/ilya", {"lifecycle_public": "history"})
    assert status == 403
    assert body["error"]["code"] == "admins_only"
    status, body = api.as_("admin").patch("/prisoners/ilya", {"lifecycle_public": "history"})
    assert status == 200, body
    public = api.client.get("/api/v1/prisoners/ilya").get_json()["prisoner"]["lifecycle"]
    assert public["events"][0]["type"] == "transferred"
    assert "note" not in public["events"][0]
    api.as_("admin").patch("/prisoners/ilya", {"lifecycle_public": "nothing"})
    assert api.client.get("/api/v1/prisoners/ilya").get_json()["prisoner"]["lifecycle"] is None


def test_a_facility_added_through_the_api_carries_its_kind_and_regime(api, ilya):
    """POST /facilities takes the kind and regime the parcel rules depend on; a transfer to it
    by name applies the colony's general-regime quota."""
    status, body = api.post(
        "/facilities", {"name": "ИК-2 (fictional)", "kind": "colony", "regime": "general"}
    )
    assert status == 201, body
    assert (body["facility"]["kind"], body["facility"]["regime"]) == ("colony", "general")
    status, body = api.post("/facilities", {"name": "ИК-3 (fictional)", "kind": "camp"})
    assert status == 422
    assert body["error"]["code"] == "unknown_facility_kind"
    status, body = api.post(
        "/prisoners/ilya/events", {"type": "transferred", "on": "2026-02-01", "facility": "ИК-2 (fictional)"}
    )
    assert status == 201, body
    status, body = api.get("/prisoners/ilya/parcels")
    assert body["allowance"]["parcel"]["allowed"] == 6
    listed = api.client.get("/api/v1/facilities").get_json()["facilities"]
    assert {f["name"]: f["regime"] for f in listed}["ИК-2 (fictional)"] == "general"
