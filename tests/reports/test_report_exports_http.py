"""Per-prisoner report as JSON (shared/API.md) and CSV."""

import csv
import io


def eur(amount: str) -> dict:
    return {"amount": amount, "currency": "EUR"}


def test_report_csv_has_translated_headers_and_one_row_per_currency(client, books):
    # buffered: the CSV streams, and the test client runs each request in its own context
    response = client.get(
        "/prisoners/vera/report.csv?from=2026-03-01", headers={"Accept-Language": "en"}, buffered=True
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    by_currency = {row["Currency"]: row for row in rows}
    assert by_currency["EUR"]["Opening balance"] == "386.85"
    assert by_currency["EUR"]["Closing balance"] == "286.85"
    assert by_currency["RUB"]["Spent: Food"] == "1000.00"
    assert by_currency["EUR"]["From"] == "2026-03-01"


def test_readers_may_read_a_hidden_prisoners_report_but_the_public_may_not(client, auth, tokens, books):
    from tests.helpers import bearer

    assert client.get("/api/v1/prisoners/hidden-one/report").status_code == 404
    body = client.get("/api/v1/prisoners/hidden-one/report", headers=bearer(tokens["auditor"])).get_json()
    assert body["currencies"]["EUR"]["closing"] == eur("63.00")
    auth.login("coordinator")
    assert client.get("/prisoners/hidden-one/report").status_code == 200
    assert client.get("/prisoners/hidden-one/report.csv", buffered=True).status_code == 200
    assert client.get("/prisoners/hidden-one").status_code == 404  # the public page stays unpublished


def test_csv_downloads_start_with_a_byte_order_mark_for_excel(client, books):
    response = client.get("/prisoners/vera/report.csv", headers={"Accept-Language": "ru"}, buffered=True)
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    header = body.decode("utf-8-sig").splitlines()[0]
    assert not header.startswith("\ufeff")
    assert any("а" <= letter <= "я" for letter in header.lower())
