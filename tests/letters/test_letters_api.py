"""Letters recorded through the API: a paid one is letters spending at the service's prices
through the normal spending rules, a free one is only counted; replies; the report (issue 29)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry, Posting
from ledger.books.verify import verify_ledger
from ledger.funds.prisoners import prisoner_by_slug
from ledger.letters.models import Letter
from ledger.platform.database import utc_today
from tests.helpers import seal

RUB_BANK = "assets:bank:rub-main"


def _counts(session) -> tuple[int, int]:
    session.expire_all()
    entries = session.scalar(select(func.count()).select_from(JournalEntry))
    letters = session.scalar(select(func.count()).select_from(Letter))
    return entries, letters


def _rub_in_fund(session) -> int:
    session.expire_all()
    return available_in(session, fund_account_for(session, prisoner_by_slug(session, "ilya")))["RUB"].minor


def letter(api, **fields):
    body = {"prisoner": "ilya", "service": "fsin_pismo", "sent_on": "2026-04-02", **fields}
    return api.post("/letters", body)


def test_fsin_pismo_with_two_images_and_a_reply_form_costs_180_roubles(api, ilya_in_sizo, session):
    before = _rub_in_fund(session)
    status, body = letter(api, images=2, reply_form=True, paid_from=RUB_BANK)
    assert status == 201, body
    assert body["letter"]["cost"] == {"amount": "180.00", "currency": "RUB"}
    assert body["letter"]["status"] == "posted"
    status, entry = api.get(f"/entries/{body['letter']['entry']}")
    assert status == 200
    postings = {p["account"]: p for p in entry["entry"]["postings"]}
    assert postings["liabilities:funds:prisoner:ilya"]["category"] == "letters"
    assert postings["liabilities:funds:prisoner:ilya"]["money"] == {"amount": "180.00", "currency": "RUB"}
    assert postings[RUB_BANK]["money"] == {"amount": "-180.00", "currency": "RUB"}
    assert before - _rub_in_fund(session) == 18000
    assert verify_ledger(session).ok


def test_a_free_rosuznik_letter_posts_nothing_but_is_counted(api, ilya_in_sizo, session):
    entries, letters = _counts(session)
    status, body = letter(api, service="rosuznik", pages=3)
    assert status == 201, body
    assert body["letter"]["status"] == "free"
    assert body["letter"]["entry"] is None
    assert body["letter"]["cost"] == {"amount": "0.00", "currency": "RUB"}
    assert _counts(session) == (entries, letters + 1)
    status, listed = api.get("/letters?prisoner=ilya&month=2026-04")
    assert status == 200
    assert [item["service"] for item in listed["letters"]] == ["rosuznik"]


def test_a_given_cost_wins_and_an_unknown_price_needs_one(api, ilya_in_sizo, session):
    entries, letters = _counts(session)
    status, body = letter(api, service="zonatelecom", paid_from=RUB_BANK)
    assert status == 422
    assert body["error"]["code"] == "letter_cost_required"
    assert body["error"]["field"] == "cost"
    assert "Zonatelecom" in body["error"]["message"]
    status, body = api.post(
        "/letters",
        {"prisoner": "ilya", "service": "zonatelecom", "sent_on": "2026-04-02", "paid_from": RUB_BANK},
        language="ru",
    )
    assert "укажите стоимость письма" in body["error"]["message"]
    assert _counts(session) == (entries, letters)
    status, body = letter(
        api, service="zonatelecom", cost={"amount": "70.00", "currency": "RUB"}, paid_from=RUB_BANK
    )
    assert status == 201, body
    assert body["letter"]["cost"]["amount"] == "70.00"
    status, body = letter(api, cost={"amount": "42.00", "currency": "RUB"}, paid_from=RUB_BANK)
    assert body["letter"]["cost"]["amount"] == "42.00"


def test_a_paid_letter_goes_through_the_spending_rules(api, ilya_in_sizo, session):
    entries, letters = _counts(session)
    status, body = letter(api)
    assert status == 422
    assert body["error"]["code"] == "letter_paid_from_required"
    # More than the fund holds: refused, and neither the letter nor an entry is written.
    status, body = letter(api, cost={"amount": "99999.00", "currency": "RUB"}, paid_from=RUB_BANK)
    assert status == 409
    assert body["error"]["code"] == "insufficient_funds"
    # Paid from a euro account: the account holds another currency.
    status, body = letter(api, paid_from="assets:bank:eur-main")
    assert status == 422
    assert body["error"]["code"] == "currency_mismatch"
    assert _counts(session) == (entries, letters)
    # Nobody knows where he is: neither paid nor free letters are recorded.
    api.post("/prisoners/ilya/events", {"type": "whereabouts_unknown", "on": "2026-04-05"})
    for service in ("fsin_pismo", "rosuznik"):
        status, body = letter(api, service=service, paid_from=RUB_BANK, sent_on="2026-04-06")
        assert status == 409
        assert body["error"]["code"] == "prisoner_unreachable"
    assert _counts(session)[1] == letters


def test_above_the_threshold_a_letter_waits_for_a_second_person(api, ilya_in_sizo, session):
    status, body = api.as_("admin").put("/settings/approval-thresholds", {"thresholds": {"RUB": "100.00"}})
    assert status == 200, body
    status, body = letter(api, images=2, reply_form=True, paid_from=RUB_BANK)
    assert status == 202, body
    assert body["letter"]["status"] == "pending"
    approval = body["letter"]["approval"]
    assert body["letter"]["entry"] is None
    status, body = api.post(f"/approvals/{approval}/approve")
    assert status == 403  # never one's own
    status, body = api.as_("admin").post(f"/approvals/{approval}/approve")
    assert status in (200, 201), body
    status, listed = api.get("/letters?prisoner=ilya")
    assert listed["letters"][0]["status"] == "posted"
    entry_id = listed["letters"][0]["entry"]
    session.expire_all()
    assert (
        session.scalar(
            select(func.sum(Posting.amount_minor)).where(
                Posting.entry_id == entry_id, Posting.amount_minor > 0
            )
        )
        == 18000
    )


def test_replies_are_recorded_once_and_unanswered_letters_listed(api, ilya_in_sizo):
    _status, first = letter(api, service="rosuznik")
    _status, second = letter(api, service="rosuznik", sent_on="2026-04-03")
    status, body = api.post(f"/letters/{first['letter']['id']}/reply", {"on": "2026-04-20"})
    assert status == 200, body
    assert body["letter"]["replied_on"] == "2026-04-20"
    status, body = api.post(f"/letters/{first['letter']['id']}/reply", {"on": "2026-04-21"})
    assert status == 409
    assert body["error"]["code"] == "letter_already_answered"
    status, body = api.post(f"/letters/{second['letter']['id']}/reply", {"on": "2026-04-01"})
    assert status == 422
    assert body["error"]["code"] == "reply_before_letter"
    _status, listed = api.get("/letters?unanswered=true")
    assert [item["id"] for item in listed["letters"]] == [second["letter"]["id"]]
    status, body = api.get("/letters?month=2026-13")
    assert status == 422
    assert body["error"]["code"] == "unknown_month"


def test_only_writers_record_and_only_admins_change_services(api, ilya_in_sizo):
    status, _body = letter(api.as_("auditor"), service="rosuznik")
    assert status == 403
    status, body = api.patch(
        "/letter-services/fsin_pismo", {"letter_price": {"amount": "60.00", "currency": "RUB"}}
    )
    assert status == 403
    status, body = api.as_("admin").patch(
        "/letter-services/fsin_pismo", {"letter_price": {"amount": "60.00", "currency": "RUB"}}
    )
    assert status == 200, body
    assert body["service"]["letter_price"] == {"amount": "60.00", "currency": "RUB"}
    status, body = letter(api, paid_from=RUB_BANK)
    assert body["letter"]["cost"]["amount"] == "60.00"
    status, body = api.as_("admin").patch(
        "/letter-services/fsin_pismo", {"image_price": {"amount": "1.00", "currency": "EUR"}}
    )
    assert status == 422
    assert body["error"]["code"] == "letter_price_currency"
    status, body = api.as_("admin").post(
        "/letter-services", {"key": "friends_post", "name": "Friends' post", "url": "https://example.org/"}
    )
    assert status == 201, body
    assert body["service"]["letter_price"] is None
    status, body = api.get("/letter-services")
    assert "friends_post" in [s["key"] for s in body["services"]]


def test_public_counts_per_month_without_who_wrote(api, ilya_in_sizo, client, session):
    today = utc_today()
    for _ in range(2):
        status, body = letter(api, service="rosuznik", sent_on=today.isoformat())
        assert status == 201, body
    status, body = letter(api, sent_on=today.isoformat(), paid_from=RUB_BANK)
    assert status == 201, body
    page = client.get("/prisoners/ilya").get_data(as_text=True)
    assert "letters in" not in page  # no checkpoint yet: the public sees nothing
    seal(session)
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    page = client.get("/prisoners/ilya").get_data(as_text=True)
    assert f"3 letters in {months[today.month - 1]} {today.year}" in page
    assert "coordinator@example.org" not in page
    ru = client.get("/prisoners/ilya", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "3 письма в " in ru
    # A letter recorded after the checkpoint appears with the next one.
    letter(api, service="rosuznik", sent_on=today.isoformat())
    assert f"3 letters in {months[today.month - 1]}" in client.get("/prisoners/ilya").get_data(as_text=True)
    seal(session)
    ru = client.get("/prisoners/ilya", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "4 письма в " in ru


def test_the_auditor_s_letters_report_and_csv(api, ilya_in_sizo, auth, client):
    letter(api, images=2, reply_form=True, paid_from=RUB_BANK)
    letter(api, service="rosuznik", sent_on="2026-04-03")
    auth.login("auditor")
    response = client.get("/reports/letters?from=2026-04&to=2026-04")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Фиктивный Илья Петрович" in text or "Fiktivny Ilya Petrovich" in text
    response = client.get("/reports/letters.csv?from=2026-04&to=2026-04")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Letter", "Sent on", "Prisoner", "Service"]
    by_service = {row[3]: row for row in rows[1:]}
    assert by_service["fsin_pismo"][7] == "180.00"
    assert by_service["fsin_pismo"][10] == "posted"
    assert by_service["rosuznik"][7] == "0.00"
    assert by_service["rosuznik"][10] == "free"
    assert client.get("/reports/letters?from=2026-99").status_code == 400
