"""The organisation's books for auditors: access, trial balance, balance sheet, journal,
account ledgers, pledge fulfilment and receipts — each as page, CSV and JSON."""

import csv
import io

import pytest

from tests.helpers import bearer

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


def test_trial_balance_page_and_csv(client, auth, books):
    auth.login("auditor")
    html = client.get("/reports/trial-balance", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Trial balance" in html
    assert "liabilities:funds:prisoner:vera" not in html
    assert "funds (" in html  # folded into one line
    assert "funds=open" in html
    opened = client.get("/reports/trial-balance?funds=open", headers={"Accept-Language": "en"})
    assert "liabilities:funds:prisoner:vera" in opened.get_data(as_text=True)
    rows = rows_of(client.get("/reports/trial-balance.csv", headers={"Accept-Language": "en"}, buffered=True))
    vera = [r for r in rows if r["Account"] == "liabilities:funds:prisoner:vera" and r["Currency"] == "EUR"][
        0
    ]
    assert (vera["Debits"], vera["Credits"], vera["Balance"]) == ("103.15", "390.00", "-286.85")


def test_journal_page_and_csv(client, auth, books):
    auth.login("auditor")
    html = client.get("/reports/journal?prisoner=vera").get_data(as_text=True)
    assert "Food parcel" in html
    assert "10 entries match" in html
    rows = rows_of(
        client.get("/reports/journal.csv?category=food", headers={"Accept-Language": "en"}, buffered=True)
    )
    assert {row["Entry"] for row in rows} == {str(books.food_entry.id)}
    assert {row["Amount"] for row in rows} == {"1000.00", "-1000.00"}


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


def test_pledge_page_and_csv(client, auth, books):
    auth.login("auditor")
    html = client.get("/reports/pledges", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "SL-TEST-0001" in html
    assert "lapsed" in html
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
    assert receipt["entry"] == books.food_entry.id
    assert receipt["prisoner"] == "vera"
    assert receipt["money"] == {"amount": "1000.00", "currency": "RUB"}
    assert receipt["sha256"] == "a" * 64
    auth.login("auditor")
    assert "a" * 64 in client.get("/reports/receipts").get_data(as_text=True)
    rows = rows_of(client.get("/reports/receipts.csv", headers={"Accept-Language": "en"}, buffered=True))
    assert rows[0]["SHA-256"] == "a" * 64


def test_csv_cells_that_look_like_formulas_are_defused(client, auth, session, books, create_spending):
    from datetime import date

    create_spending(books.vera, "1.00", "EUR", "other", on=date(2026, 5, 1), description='=HYPERLINK("x")')
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
