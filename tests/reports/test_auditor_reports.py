"""The organisation's books for auditors: access, trial balance, balance sheet, journal,
account ledgers, pledge fulfilment and receipts — each as page, CSV and JSON."""

import csv
import io

import pytest

from ledger.books.balances import all_balances
from tests.conftest import bearer

PAGES = [
    "/reports/",
    "/reports/trial-balance",
    "/reports/journal",
    "/reports/accounts",
    "/reports/account-ledger?account=assets:stripe",
    "/reports/pledges",
    "/reports/receipts",
    "/reports/exports",
    "/reports/trial-balance.csv",
    "/reports/journal.csv",
    "/reports/pledges.csv",
    "/reports/receipts.csv",
    "/reports/account-ledger.csv?account=assets:stripe",
    "/reports/exports/hledger",
]
API = [
    "/api/v1/reports/trial-balance",
    "/api/v1/journal",
    "/api/v1/reports/account-ledger?account=assets:stripe",
    "/api/v1/reports/pledge-fulfilment",
    "/api/v1/reports/receipts",
]


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.parametrize("url", PAGES)
def test_auditor_pages_need_a_reader_role(client, auth, books, url):
    assert client.get(url).status_code == 302  # to the sign-in page
    auth.login("auditor")
    assert client.get(url, buffered=True).status_code == 200
    auth.logout()
    auth.login("coordinator")
    assert client.get(url, buffered=True).status_code == 200


@pytest.mark.parametrize("url", API)
def test_auditor_json_needs_a_reader_token(client, tokens, books, url):
    assert client.get(url).status_code == 401
    for role in ("auditor", "admin", "coordinator"):
        assert client.get(url, headers=bearer(tokens[role])).status_code == 200


def test_trial_balance_debits_equal_credits_and_match_running_balances(client, session, tokens, books):
    body = client.get("/api/v1/reports/trial-balance", headers=bearer(tokens["auditor"])).get_json()
    for totals in body["totals"].values():
        assert totals["debits"] == totals["credits"]
    got = {(a["account"], a["currency"]): a["balance"]["amount"] for a in body["accounts"]}
    for account, money in all_balances(session):
        assert got[(account.name, money.currency)] == str(money.amount)
    fund = got[("liabilities:funds:prisoner:vera", "EUR")]
    assert fund == "-286.85"


def test_trial_balance_as_of_a_date_leaves_later_entries_out(client, tokens, books):
    body = client.get(
        "/api/v1/reports/trial-balance?to=2026-01-31", headers=bearer(tokens["auditor"])
    ).get_json()
    assert {a["account"] for a in body["accounts"]} == {"assets:stripe", "liabilities:funds:prisoner:vera"}
    assert body["as_of"] == "2026-01-31"


def test_trial_balance_page_and_csv(client, auth, books):
    auth.login("auditor")
    html = client.get("/reports/trial-balance", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Trial balance" in html and "liabilities:funds:prisoner:vera" not in html
    assert "funds (" in html and "funds=open" in html  # folded into one line
    opened = client.get("/reports/trial-balance?funds=open", headers={"Accept-Language": "en"})
    assert "liabilities:funds:prisoner:vera" in opened.get_data(as_text=True)
    rows = rows_of(client.get("/reports/trial-balance.csv", headers={"Accept-Language": "en"}, buffered=True))
    vera = [r for r in rows if r["Account"] == "liabilities:funds:prisoner:vera" and r["Currency"] == "EUR"][
        0
    ]
    assert (vera["Debits"], vera["Credits"], vera["Balance"]) == ("103.15", "390.00", "-286.85")


def test_balance_sheet_balances_per_currency(client, tokens, books):
    body = client.get("/api/v1/reports/balance-sheet", headers=bearer(tokens["auditor"])).get_json()
    assert body["balanced"] is True and body["detailed"] is True
    eur = body["totals"]["EUR"]
    assert eur["assets"] == {"amount": "499.85", "currency": "EUR"}
    assert eur["funds"] == {"amount": "499.85", "currency": "EUR"} and eur["balanced"] is True
    accounts = {line["account"] for line in body["lines"]}
    assert "liabilities:funds:prisoner:hidden-one" in accounts  # auditors see every fund


def test_public_balance_sheet_groups_funds_and_cash_so_it_names_nobody(client, books):
    body = client.get("/api/v1/reports/balance-sheet").get_json()
    assert body["balanced"] is True and body["detailed"] is False
    accounts = {line["account"] for line in body["lines"]}
    # Plain keys and words, no account codes (docs/privacy.md).
    assert accounts <= {"bank", "card_processor", "cash", "general_fund", "prisoner_funds", "conversion"}
    assert {line["label"] for line in body["lines"]} >= {"In the bank", "Money held for prisoners"}
    html = client.get("/reports/balance-sheet").get_data(as_text=True)
    assert "hidden-one" not in html and "vera" not in html
    assert "liabilities:" not in html and "assets:" not in html and "Money held for prisoners" in html


def test_journal_filters_by_category_prisoner_account_and_dates(client, tokens, books):
    def ids(query):
        body = client.get(f"/api/v1/journal?{query}", headers=bearer(tokens["auditor"])).get_json()
        return body["total"], [entry["id"] for entry in body["entries"]]

    total, entries = ids("category=food")
    assert total == 1 and entries == [books.food_entry.id]
    total, _ = ids("prisoner=vera")
    assert total == 10
    total, _ = ids("account=assets:stripe")
    assert total == 1
    total, _ = ids("account=assets:bank:")  # a prefix
    assert total > 5
    total, _ = ids("from=2026-04-01&to=2026-04-30")
    assert total == 2
    total, entries = ids("prisoner=vera&per_page=5&page=2")
    assert total == 10 and len(entries) == 5


def test_journal_json_carries_author_source_and_hashes(client, tokens, books):
    entry = client.get("/api/v1/journal?category=refund", headers=bearer(tokens["auditor"])).get_json()[
        "entries"
    ][0]
    assert set(entry) >= {"id", "date", "description", "author", "source", "hash", "prev_hash", "postings"}
    assert entry["postings"][0]["money"] == {"amount": "20.00", "currency": "EUR"}


def test_journal_refuses_bad_filters(client, tokens, books):
    assert client.get("/api/v1/journal?category=bribes", headers=bearer(tokens["auditor"])).status_code == 422
    assert client.get("/api/v1/journal?page=0", headers=bearer(tokens["auditor"])).status_code == 422
    assert client.get("/api/v1/journal?from=2026-02-30", headers=bearer(tokens["auditor"])).status_code == 422


def test_journal_page_and_csv(client, auth, books):
    auth.login("auditor")
    html = client.get("/reports/journal?prisoner=vera").get_data(as_text=True)
    assert "Food parcel" in html and "10 entries match" in html
    rows = rows_of(
        client.get("/reports/journal.csv?category=food", headers={"Accept-Language": "en"}, buffered=True)
    )
    assert {row["Entry"] for row in rows} == {str(books.food_entry.id)}
    assert {row["Amount"] for row in rows} == {"1000.00", "-1000.00"}


def test_account_ledger_has_running_balances(client, tokens, books):
    body = client.get(
        "/api/v1/reports/account-ledger?account=liabilities:funds:prisoner:vera",
        headers=bearer(tokens["auditor"]),
    ).get_json()
    eur = [p for p in body["postings"] if p["money"]["currency"] == "EUR"]
    assert eur[-1]["balance"]["amount"] == "-286.85"
    assert eur[0]["balance"] == eur[0]["money"]
    assert (
        client.get(
            "/api/v1/reports/account-ledger?account=assets:nowhere", headers=bearer(tokens["auditor"])
        ).status_code
        == 404
    )


def test_account_ledger_page_and_csv(client, auth, books):
    auth.login("auditor")
    html = client.get("/reports/account-ledger?account=liabilities:funds:prisoner:vera").get_data(
        as_text=True
    )
    assert "Running balance" in html
    rows = rows_of(
        client.get(
            "/reports/account-ledger.csv?account=assets:stripe",
            headers={"Accept-Language": "en"},
            buffered=True,
        )
    )
    assert [row["Running balance"] for row in rows] == ["96.85"]
    assert client.get("/reports/account-ledger?account=nothing").status_code == 404


def test_pledge_fulfilment_expected_against_received_and_lapsed(client, tokens, books):
    body = client.get(
        "/api/v1/reports/pledge-fulfilment?from=2025-12-01&to=2026-03-31", headers=bearer(tokens["auditor"])
    ).get_json()
    pledge = body["pledges"][0]
    assert pledge["reference"] == "SL-TEST-0001" and pledge["fund"] == "vera"
    months = {m["month"]: (m["expected"]["amount"], m["received"]["amount"]) for m in pledge["months"]}
    assert months == {
        "2025-12": ("100.00", "0.00"),
        "2026-01": ("100.00", "100.00"),
        "2026-02": ("100.00", "0.00"),
        "2026-03": ("100.00", "0.00"),
    }
    assert pledge["expected"]["amount"] == "400.00" and pledge["received"]["amount"] == "100.00"
    assert pledge["lapsed"] is True
    assert "email" not in str(body)


def test_pledge_page_and_csv(client, auth, books):
    auth.login("auditor")
    html = client.get("/reports/pledges", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "SL-TEST-0001" in html and "lapsed" in html
    rows = rows_of(
        client.get(
            "/reports/pledges.csv?from=2026-01-01&to=2026-01-31",
            headers={"Accept-Language": "en"},
            buffered=True,
        )
    )
    assert rows == [
        {
            "Pledge": "SL-TEST-0001",
            "Fund": "vera",
            "Frequency": "monthly",
            "Status": "lapsed",  # by the schedule rules (ledger/funds/schedules.py)
            "Currency": "EUR",
            "Month": "2026-01",
            "Expected": "100.00",
            "Received": "100.00",
            "Lapsed": "yes",
        }
    ]


def test_receipts_list_links_files_to_entries_and_funds(client, tokens, auth, books):
    body = client.get("/api/v1/reports/receipts", headers=bearer(tokens["auditor"])).get_json()
    assert body["total"] == 1
    receipt = body["receipts"][0]
    assert receipt["entry"] == books.food_entry.id and receipt["prisoner"] == "vera"
    assert receipt["money"] == {"amount": "1000.00", "currency": "RUB"} and receipt["sha256"] == "a" * 64
    auth.login("auditor")
    assert "a" * 64 in client.get("/reports/receipts").get_data(as_text=True)
    rows = rows_of(client.get("/reports/receipts.csv", headers={"Accept-Language": "en"}, buffered=True))
    assert rows[0]["SHA-256"] == "a" * 64


def test_csv_cells_that_look_like_formulas_are_defused(client, auth, session, books):
    from datetime import date

    from tests.reports.conftest import spend

    spend(session, books.vera, "1.00", "EUR", "other", on=date(2026, 5, 1), description='=HYPERLINK("x")')
    session.commit()
    auth.login("auditor")
    rows = rows_of(
        client.get("/reports/journal.csv?category=other", headers={"Accept-Language": "en"}, buffered=True)
    )
    assert rows[0]["Description"].startswith("'=")
    assert rows[0]["Amount"] in ("1.00", "-1.00")


def test_every_report_works_on_an_empty_ledger(client, auth, tokens):
    auth.login("auditor")
    for url in PAGES + ["/reports/balance-sheet", "/reports/exports/beancount", "/reports/exports/jsonl"]:
        if "account-ledger" in url:
            continue  # no account has postings yet; unknown accounts are 404
        assert client.get(url, buffered=True).status_code == 200, url
    for url in API:
        if "account-ledger" not in url:
            assert client.get(url, headers=bearer(tokens["auditor"])).status_code == 200, url
