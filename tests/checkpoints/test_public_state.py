"""Public figures are those of the latest signed checkpoint: every public page and API
answer stays the same after a gift until the next checkpoint; periods are whole months;
a reversed gift vanishes from every public total and list; signed-in staff see live books."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from ledger.books.posting import reverse_entry
from ledger.platform.database import utc_today
from tests.factories import ANONYMOUS_EMAIL, HIDDEN_NAME, PUBLIC_DONOR_EMAIL
from tests.helpers import bearer, seal
from tests.security.test_route_walk import POLICY, PUBLIC

# Query strings that a prober would add to the public routes.
EXTRA = {
    "prisoners.prisoner_report_page": ["?from=2026-12-01&to=2026-12-01", "?from=2026-02-05&to=2026-02-05"],
    "prisoners.prisoner_report_csv": ["?from=2026-12-01&to=2026-12-01"],
    "api.prisoner_report": ["?from=2026-12-01&to=2026-12-01", "?from=2026-02-05&to=2026-02-05"],
    "web.home": ["?q=vera"],
    "transparency.open_books": ["?month=2026-12", "?month=2026-03"],
}
VALUES = {
    "slug": "vera",
    "code": "en",
    "filename": "style.css",
    "reference": "SL-NOSUCHPLEDGE",
    "token": "not-a-token",
    "action": "cancel",
    "month_text": "2026-03",
}


def public_get_urls(app) -> list[str]:
    """Every public GET route of the url_map (pages, CSV, JSON lines and API), with probes."""
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or POLICY.get(rule.endpoint) != PUBLIC:
                continue
            if rule.endpoint in ("static", "web.set_language"):
                continue
            missing = set(rule.arguments) - set(VALUES)
            assert not missing, f"{rule.endpoint}: add a value for {missing}"
            url = url_for(rule.endpoint, **{name: VALUES[name] for name in rule.arguments})
            urls += [url] + [url + extra for extra in EXTRA.get(rule.endpoint, [])]
    return sorted(urls)


def snapshot(client, urls) -> dict[str, tuple[int, bytes]]:
    return {url: (r.status_code, r.get_data()) for url in urls for r in [client.get(url)]}


def test_no_public_endpoint_changes_after_a_gift_until_the_next_checkpoint(app, session, books, tokens):
    seal(session)
    anonymous = app.test_client()
    urls = public_get_urls(app)
    assert "/api/v1/ledger/head" in urls
    assert "/open-books.jsonl" in urls
    assert "/prisoners/vera" in urls
    before = snapshot(anonymous, urls)
    assert all(status < 500 for status, _body in before.values())

    gift = {
        "prisoner": "vera",
        "money": {"amount": "123.45", "currency": "EUR"},
        "method": "bank",
        "asset": "assets:bank:eur-main",
        "received_on": utc_today().isoformat(),
    }
    response = app.test_client().post("/api/v1/donations", json=gift, headers=bearer(tokens["coordinator"]))
    assert response.status_code == 201, response.get_json()

    after = snapshot(anonymous, urls)
    changed = sorted(url for url in urls if before[url] != after[url])
    assert changed == []

    seal(session)
    sealed = snapshot(anonymous, urls)
    moved = {url for url in urls if before[url] != sealed[url]}
    assert {"/", "/api/v1/ledger/head", "/api/v1/prisoners/vera", "/prisoners/vera", "/checkpoints"} <= moved
    head = json.loads(sealed["/api/v1/ledger/head"][1])
    assert head["entries"] == json.loads(before["/api/v1/ledger/head"][1])["entries"] + 1
    assert head["as_of"]["checkpoint"] == 2


def test_signed_in_staff_see_the_live_books(
    app, client, session, books, auth, tokens, create_recorded_donation
):
    seal(session)
    create_recorded_donation(books.vera, "123.45", on=date(2026, 4, 20))
    session.commit()
    assert "123,45" not in app.test_client().get("/prisoners/vera/report").get_data(as_text=True).replace(
        ".", ","
    )
    live = client.get("/api/v1/prisoners/vera", headers=bearer(tokens["auditor"])).get_json()
    public = app.test_client().get("/api/v1/prisoners/vera").get_json()
    assert live["as_of"]["live"] is True
    assert public["as_of"]["live"] is False
    assert {b["amount"] for b in live["prisoner"]["balances"]} != {
        b["amount"] for b in public["prisoner"]["balances"]
    }
    auth.login("auditor")
    page = client.get("/prisoners/vera/report?from=2026-04-20&to=2026-04-20").get_data(as_text=True)
    assert "Live books" in page
    assert "€123.45" in page


def test_with_no_checkpoint_public_figures_show_nothing_and_say_so(app, session, books):
    anonymous = app.test_client()
    home = anonymous.get("/").get_data(as_text=True)
    assert "No checkpoint has been made yet" in home
    assert "Covered for" not in home
    assert "Nothing left" not in home
    page = anonymous.get("/prisoners/vera").get_data(as_text=True)
    assert "No checkpoint has been made yet" in page
    assert "€286.85" not in page
    assert "Covered for" not in page
    assert anonymous.get("/api/v1/prisoners/vera/report").get_json()["currencies"] == {}
    assert anonymous.get("/api/v1/reports/balance-sheet").get_json()["lines"] == []
    assert all(p["balances"] == [] for p in anonymous.get("/api/v1/prisoners").get_json()["prisoners"])
    head = anonymous.get("/api/v1/ledger/head").get_json()
    assert head["entries"] == 0
    assert head["as_of"] == {
        "live": False,
        "checkpoint": None,
        "date": None,
        "entries": 0,
    }
    assert anonymous.get("/api/v1/checkpoints/latest").status_code == 404
    books_page = anonymous.get("/open-books").get_data(as_text=True)
    assert "Nothing is published yet" in books_page
    lines = anonymous.get("/open-books.jsonl").get_data(as_text=True).splitlines()
    assert lines == ['{"format": 2, "type": "open_books"}']


def test_public_reports_cover_whole_months(app, session, books):
    seal(session)
    anonymous = app.test_client()
    one_day = anonymous.get("/api/v1/prisoners/vera/report?from=2026-02-05&to=2026-02-05").get_json()
    assert (one_day["from"], one_day["to"], one_day["widened"]) == ("2026-02-01", "2026-02-28", True)
    assert one_day["currencies"]["EUR"]["received"] == {"amount": "250.00", "currency": "EUR"}  # 200 + 50
    month = anonymous.get("/api/v1/prisoners/vera/report?from=2026-02-01&to=2026-02-28").get_json()
    assert month["widened"] is False
    assert month["currencies"] == one_day["currencies"]
    page = anonymous.get("/prisoners/vera/report?from=2026-02-05&to=2026-02-07").get_data(as_text=True)
    assert "widened to whole months" in page
    assert "€250.00" in page
    csv_text = anonymous.get("/prisoners/vera/report.csv?from=2026-02-07&to=2026-02-07").get_data(
        as_text=True
    )
    assert "2026-02-01,2026-02-28" in csv_text
    assert ",250.00," in csv_text
    assert "целые календарные месяцы" in anonymous.get(
        "/prisoners/vera/report?from=2026-02-05&to=2026-02-05", headers={"Accept-Language": "ru"}
    ).get_data(as_text=True)


def test_a_reversed_gift_never_changes_a_published_month_and_counts_in_the_open_one(
    app, session, books, create_recorded_donation
):
    """A reversal is published like a late gift: in the open month, never in the month of
    the gift it cancels, which was published already (docs/privacy.md).  These tests run
    with one-gift cells (TestingConfig); tests/checkpoints/test_releases.py applies the
    real rules, under which the reversal waits for enough other gifts."""
    from ledger.books.models import JournalEntry
    from ledger.funds.models import Donation

    gift = create_recorded_donation(books.vera, "4321.00", "RUB", on=date(2026, 5, 10))
    session.commit()
    seal(session, now=datetime(2026, 5, 31, 12, 0))
    anonymous = app.test_client()
    may_before = anonymous.get("/api/v1/prisoners/vera/report?from=2026-05-01&to=2026-05-31").get_json()
    assert may_before["currencies"]["RUB"]["received"]["amount"] == "4321.00"
    entry = session.get(JournalEntry, gift.id)
    reverse_entry(session, entry, reason="bounced", entry_date=date(2026, 6, 2))
    session.commit()
    seal(session, now=datetime(2026, 6, 30, 12, 0))

    may = anonymous.get("/api/v1/prisoners/vera/report?from=2026-05-01&to=2026-05-31").get_json()
    june = anonymous.get("/api/v1/prisoners/vera/report?from=2026-06-01&to=2026-06-30").get_json()
    assert may["currencies"] == may_before["currencies"]
    assert june["currencies"]["RUB"]["received"]["amount"] == "-4321.00"
    # The live books leave the reversed gift out of the list of gifts.
    from ledger.reports.prisoner_report import public_donations

    assert all(d.money.amount != Decimal("4321.00") for d in public_donations(session, books.vera))
    assert session.query(Donation).filter_by(entry_id=gift.id).count() == 1  # kept for the auditors


def test_the_open_books_list_spending_one_by_one_and_gifts_by_month_without_donors(app, session, books):
    from ledger.checkpoints.signing import canonical_bytes, signature_valid

    seal(session)
    anonymous = app.test_client()
    march = anonymous.get("/open-books?month=2026-03").get_data(as_text=True)
    assert "Food parcel" in march
    assert "a" * 64 in march
    assert "Parcel and postage" in march
    assert "Conversion EUR→RUB at 100" in march
    assert "Letters for the hidden one" not in march
    assert "not named publicly" in march
    lines = [
        json.loads(line) for line in anonymous.get("/open-books.jsonl").get_data(as_text=True).splitlines()
    ]
    head = lines[1]["checkpoint"]
    assert lines[1]["type"] == "release"
    assert signature_valid(head["public_key"], canonical_bytes(head), head["signature"])
    csv_lines = anonymous.get("/open-books.csv").get_data(as_text=True).splitlines()
    february_vera = [line for line in csv_lines if line.startswith("2026-02,") and "Knizhkina" in line]
    assert len(february_vera) == 1
    assert ",250.00,2," in february_vera[0]
    entries = [line for line in lines if line["type"] == "entry"]
    food = next(e for e in entries if e["description"] == "Food parcel")
    assert [(p["place"], p["money"]["amount"]) for p in food["postings"]] == [
        ("prisoner", "-1000.00"),
        ("bank", "-1000.00"),
    ]  # money leaving the fund and the bank
    kinds = {e["kind"] for e in entries}
    assert {"spending", "transfer", "conversion", "reversal"} <= kinds
    assert not any(p["category"] in ("donation", "fee", "refund") for e in entries for p in e["postings"])
    for body in (march, anonymous.get("/open-books.csv").get_data(as_text=True), json.dumps(lines)):
        for secret in (ANONYMOUS_EMAIL, PUBLIC_DONOR_EMAIL, HIDDEN_NAME, "hidden-one", "stripe:", "txn_"):
            assert secret not in body
        for code in ("liabilities:", "assets:", "equity:"):
            assert code not in body
    russian = anonymous.get("/open-books?month=2026-03", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )
    assert "Открытая бухгалтерия" in russian


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_account_codes_on_any_public_page(app, session, books, language):
    seal(session)
    anonymous = app.test_client()
    for url in public_get_urls(app):
        answer = anonymous.get(url, headers={"Accept-Language": language})
        if answer.mimetype.startswith("image/"):
            continue  # the month's report as a picture: drawn from the same public figures
        body = answer.get_data(as_text=True)
        if url.startswith("/api/v1/openapi"):
            continue  # the contract describes the auditors' endpoints too
        for code in ("liabilities:", "assets:", "equity:"):
            assert code not in body, f"{url} shows {code}"
    sheet = anonymous.get("/reports/balance-sheet").get_data(as_text=True)
    assert ("Money held for prisoners" if language == "en" else "") in sheet
    footer = anonymous.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert "Every entry is public" not in footer


def test_the_page_cache_keys_on_the_checkpoint(app, session, books, create_recorded_donation):
    seal(session)
    anonymous = app.test_client()
    first = anonymous.get("/prisoners/vera").get_data()
    create_recorded_donation(books.vera, "1.00", on=date(2026, 4, 25))
    session.commit()
    cache = app.extensions["page_cache"]
    stored = len(cache.pages)
    assert anonymous.get("/prisoners/vera").get_data() == first
    assert len(cache.pages) == stored  # served from the cache: the live head is not in the key
    seal(session)
    assert anonymous.get("/prisoners/vera").get_data() != first
