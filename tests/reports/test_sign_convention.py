"""One sign convention for people: a fund reads positive wherever a person reads it (funds
page, account ledger page and download), the books stay signed (journal, trial balance,
API: debit positive, credit negative), and every page that shows signs says so."""

import csv
import io

from tests.helpers import bearer

VERA = "liabilities:funds:prisoner:vera"


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_a_funds_ledger_reads_as_what_it_holds_and_the_api_keeps_the_signed_books(
    client, tokens, auth, books
):
    api = client.get(
        f"/api/v1/reports/account-ledger?account={VERA}", headers=bearer(tokens["auditor"])
    ).get_json()
    eur = [p for p in api["postings"] if p["money"]["currency"] == "EUR"]
    assert eur[-1]["balance"]["amount"] == "-286.85"  # the books: a credit balance

    auth.login("auditor")
    rows = [
        row
        for row in _rows(
            client.get(
                f"/reports/account-ledger.csv?account={VERA}",
                headers={"Accept-Language": "en"},
                buffered=True,
            )
        )
        if row["Currency"] == "EUR"
    ]
    assert rows[-1]["Running balance"] == "286.85"
    assert all(bool(row["Debit"]) != bool(row["Credit"]) for row in rows)  # one side, never both
    assert not any(row["Debit"].startswith("-") or row["Credit"].startswith("-") for row in rows)
    assert next(row for row in rows if row["Category"] == "donation")["Credit"]  # a gift credits the fund
    assert any(row["Debit"] for row in rows)  # spending or a fee debits it

    page = client.get(f"/reports/account-ledger?account={VERA}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "286.85" in page
    assert "-286.85" not in page
    assert "−286.85" not in page
    assert "a credit puts money in" in page
    russian = client.get(
        f"/reports/account-ledger?account={VERA}", headers={"Accept-Language": "ru"}
    ).get_data(as_text=True)
    assert "Дебет" in russian
    assert "Кредит" in russian


def test_an_asset_ledger_and_the_trial_balance_explain_their_signs(client, auth, books):
    auth.login("auditor")
    asset = client.get("/reports/account-ledger?account=assets:stripe").get_data(as_text=True)
    assert "a debit puts money in" in asset
    trial = client.get("/reports/trial-balance").get_data(as_text=True)
    assert "Balance = debits − credits" in trial
