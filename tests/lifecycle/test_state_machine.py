"""A prisoner's state, derived from the timeline in one place (ledger/funds/lifecycle.py):
every pair of events walked through the domain, what state it leaves and whether spending and
parcels are allowed; and the pages, the API and the spending rule after unknown whereabouts
ended by a release (issue #27)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ledger.books.errors import LedgerError
from ledger.books.models import JournalEntry
from ledger.funds.lifecycle import ensure_reachable, lifecycle_of, record_event, states_of
from ledger.funds.models import Facility
from tests.factories import new_prisoner

T, U, F, R, D = "transferred", "whereabouts_unknown", "found", "released", "died"
DETAINED, LOST, FREE, DEAD = "in_detention", "whereabouts_unknown", "released", "died"

# (first, second) -> (the state after both, what refused the first, what refused the second).
# Written out by hand, one line per pair: the state machine's table, not its code.
PAIRS = {
    (T, T): (DETAINED, None, None),
    (T, U): (LOST, None, None),
    (T, F): (DETAINED, None, "whereabouts_known"),
    (T, R): (FREE, None, None),
    (T, D): (DEAD, None, None),
    (U, T): (DETAINED, None, None),
    (U, U): (LOST, None, None),
    (U, F): (DETAINED, None, None),
    (U, R): (FREE, None, None),
    (U, D): (DEAD, None, None),
    (F, T): (DETAINED, "whereabouts_known", None),
    (F, U): (LOST, "whereabouts_known", None),
    (F, F): (DETAINED, "whereabouts_known", "whereabouts_known"),
    (F, R): (FREE, "whereabouts_known", None),
    (F, D): (DEAD, "whereabouts_known", None),
    (R, T): (DETAINED, None, None),
    (R, U): (LOST, None, None),
    (R, F): (FREE, None, "whereabouts_known"),
    (R, R): (FREE, None, None),
    (R, D): (DEAD, None, None),
    (D, T): (DEAD, None, "prisoner_deceased"),
    (D, U): (DEAD, None, "prisoner_deceased"),
    (D, F): (DEAD, None, "prisoner_deceased"),
    (D, R): (DEAD, None, "prisoner_deceased"),
    (D, D): (DEAD, None, "prisoner_deceased"),
}
# Longer walks: found returns to where they were before nobody knew.
WALKS = {
    (U, R, U, F): FREE,
    (R, U, F): FREE,
    (T, U, F): DETAINED,
    (U, F, U): LOST,
    (U, R, T): DETAINED,
}


def test_the_table_covers_every_pair_of_event_types():
    from ledger.funds.kinds import EVENT_TYPES

    assert set(PAIRS) == {(a, b) for a in EVENT_TYPES for b in EVENT_TYPES}


def _record(session, prisoner, kind: str, day: int, facility) -> str | None:
    try:
        with session.begin_nested():
            record_event(
                session,
                prisoner,
                type=kind,
                on=date(2026, 1, day),
                facility=facility if kind == T else None,
                fund_policy="keep" if kind in (R, D) else None,
            )
    except LedgerError as error:
        return str(dict(error.params).get("reason") or error.code)
    return None


def _facility(session) -> Facility:
    facility = Facility(name="ИК-2 (fictional)", kind="colony", regime="general")
    session.add(facility)
    session.flush()
    return facility


@pytest.mark.parametrize(("first", "second"), list(PAIRS), ids=[f"{a}-then-{b}" for a, b in PAIRS])
def test_every_pair_of_events(session, first, second):
    prisoner = new_prisoner(session, "pair")
    facility = _facility(session)
    refusals = [_record(session, prisoner, kind, day, facility) for day, kind in ((1, first), (2, second))]
    state, *refused = PAIRS[(first, second)]
    assert refusals == refused
    current = lifecycle_of(session, prisoner)
    assert current.state == state
    assert current.spending_allowed == (state != LOST)
    assert current.parcels_allowed == (state == DETAINED)
    assert states_of(session, {prisoner.id: prisoner.status})[prisoner.id].state == state
    if state == LOST:
        with pytest.raises(LedgerError) as refused_spending:
            ensure_reachable(session, prisoner)
        assert refused_spending.value.code == "prisoner_unreachable"
    else:
        ensure_reachable(session, prisoner)


@pytest.mark.parametrize("walk", list(WALKS), ids=["-".join(walk) for walk in WALKS])
def test_longer_walks(session, walk):
    prisoner = new_prisoner(session, "walk")
    facility = _facility(session)
    assert [_record(session, prisoner, kind, day, facility) for day, kind in enumerate(walk, 1)] == [
        None
    ] * len(walk)
    assert lifecycle_of(session, prisoner).state == WALKS[walk]


def test_a_back_dated_event_takes_its_place_in_the_timeline(session):
    prisoner = new_prisoner(session, "late")
    _record(session, prisoner, R, 10, None)
    _record(session, prisoner, U, 5, None)  # recorded later, happened before the release
    assert lifecycle_of(session, prisoner).state == FREE


# ---- the bug, through the pages and the API ----------------------------------------------------


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


def _entries(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(JournalEntry))


def test_release_after_unknown_whereabouts_lets_the_kept_fund_be_spent(client, auth, api, ilya, session):
    status, _body = api.post("/prisoners/ilya/events", {"type": U, "on": "2026-02-01"})
    assert status == 201
    status, body = api.post("/prisoners/ilya/events", {"type": R, "on": "2026-02-10", "fund_policy": "keep"})
    assert status == 201, body
    assert (body["lifecycle"]["state"], body["lifecycle"]["since"]) == (FREE, "2026-02-10")

    auth.login("coordinator")
    for url in ("/manage/prisoners/ilya/lifecycle", "/manage/prisoners/ilya/fund"):
        page = client.get(url).text
        assert "spending is refused" not in page
        assert "Released." in page
    before = _entries(session)
    response = client.post("/disbursements/new", data=_food())
    assert response.status_code == 302, response.text
    assert _entries(session) == before + 1
    status, body = api.post(
        "/disbursements",
        {
            "prisoner": "ilya",
            "money": {"amount": "300.00", "currency": "RUB"},
            "category": "food",
            "paid_from": "assets:bank:rub-main",
            "spent_on": "2026-03-06",
        },
    )
    assert status == 201, body

    public = client.get("/prisoners/ilya").text
    assert "Whereabouts unknown" not in public
    assert "Released on" in public
    client.post("/language/ru")
    public = client.get("/prisoners/ilya").text
    assert "Местонахождение неизвестно" not in public
    assert "На свободе" in public  # gender not recorded: the neutral form
    assert "На свободе." in client.get("/manage/prisoners/ilya/fund").text


def test_found_ends_unknown_whereabouts_on_the_page_with_or_without_a_facility(
    client, auth, api, ilya, session
):
    auth.login("coordinator")
    client.post(
        "/manage/facilities", data={"name": "СИЗО-1 (fictional)", "kind": "pre_trial", "regime": "none"}
    )
    facility = session.scalar(select(Facility).where(Facility.name == "СИЗО-1 (fictional)"))
    refused = client.post("/manage/prisoners/ilya/lifecycle", data={"type": F, "on": "2026-02-01"})
    assert refused.status_code == 400
    assert "Their whereabouts are known" in refused.text
    client.post("/manage/prisoners/ilya/lifecycle", data={"type": U, "on": "2026-02-01"})
    assert client.post("/disbursements/new", data=_food()).status_code == 200  # refused, the form again
    response = client.post(
        "/manage/prisoners/ilya/lifecycle", data={"type": F, "on": "2026-02-15", "facility": str(facility.id)}
    )
    assert response.status_code == 302
    page = client.get("/manage/prisoners/ilya/fund").text
    assert "Now at СИЗО-1 (fictional)" in page
    assert "spending is refused" not in page
    assert client.post("/disbursements/new", data=_food()).status_code == 302
    client.post("/language/ru")
    assert "Найден" in client.get("/manage/prisoners/ilya/lifecycle").text


def test_found_through_the_api_without_a_facility_keeps_the_last_one(api, ilya):
    status, body = api.post(
        "/prisoners/ilya/events",
        {"type": T, "on": "2026-01-10", "facility": {"name": "ИК-3 (fictional)", "kind": "colony"}},
    )
    assert status == 201, body
    api.post("/prisoners/ilya/events", {"type": U, "on": "2026-02-01"})
    status, body = api.post("/prisoners/ilya/events", {"type": F, "on": "2026-02-20"})
    assert status == 201, body
    assert body["event"]["type"] == F
    assert (body["lifecycle"]["state"], body["lifecycle"]["since"]) == (DETAINED, "2026-02-20")
    status, body = api.get("/prisoners/ilya/parcels")
    assert body["allowance"]["reachable"]
    status, body = api.post("/prisoners/ilya/events", {"type": F, "on": "2026-02-21"}, language="ru")
    assert status == 422
    assert body["error"]["code"] == "whereabouts_known"
    assert body["error"]["message"] != "Their whereabouts are known"
