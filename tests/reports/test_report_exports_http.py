"""Per-prisoner report as JSON (shared/API.md) and CSV."""

import csv
import io

from tests.reports.conftest import HIDDEN_NAME


def eur(amount: str) -> dict:
    return {"amount": amount, "currency": "EUR"}


def test_report_json_follows_the_contract(client, books):
    response = client.get("/api/v1/prisoners/vera/report")
    assert response.status_code == 200
    body = response.get_json()
    assert body["prisoner"] == {"slug": "vera", "name": "Вера Книжкина", "name_latin": "Vera Knizhkina"}
    assert body["from"] is None and body["to"] is None
    line = body["currencies"]["EUR"]
    assert (
        line["opening"] == eur("0.00") and line["received"] == eur("350.00") and line["fees"] == eur("3.15")
    )
    assert line["transfers_in"] == eur("40.00") and line["transfers_out"] == eur("0.00")
    assert line["conversions_in"] == eur("0.00") and line["conversions_out"] == eur("50.00")
    assert line["spent"] == {"parcels": eur("30.00")} and line["spent_total"] == eur("30.00")
    assert line["refunds"] == eur("20.00") and line["closing"] == eur("286.85")
    assert body["currencies"]["RUB"]["spent"] == {"food": {"amount": "1000.00", "currency": "RUB"}}
    assert body["runway"] == {"months": "2.8", "monthly_need": eur("100.00"), "balance": eur("286.85")}


def test_report_json_for_a_period(client, books):
    body = client.get("/api/v1/prisoners/vera/report?from=2026-03-01&to=2026-03-31").get_json()
    assert body["from"] == "2026-03-01" and body["to"] == "2026-03-31"
    assert body["currencies"]["EUR"]["opening"] == eur("386.85")
    assert body["currencies"]["EUR"]["received"] == eur("0.00")


def test_report_json_refuses_bad_dates_with_a_field(client, books):
    response = client.get("/api/v1/prisoners/vera/report?from=yesterday", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_date"
    assert response.get_json()["error"]["field"] == "from"
    response = client.get("/api/v1/prisoners/vera/report?from=2026-05-01&to=2026-04-01")
    assert response.get_json()["error"]["code"] == "period_reversed"


def test_report_json_hides_hidden_prisoners(client, books):
    response = client.get("/api/v1/prisoners/hidden-one/report")
    assert response.status_code == 404
    assert HIDDEN_NAME not in response.get_data(as_text=True)
    assert client.get("/api/v1/prisoners/nobody/report").status_code == 404


def test_report_csv_has_translated_headers_and_one_row_per_currency(client, books):
    # buffered: the CSV streams, and the test client runs each request in its own context
    response = client.get(
        "/prisoners/vera/report.csv?from=2026-03-01", headers={"Accept-Language": "en"}, buffered=True
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    by_currency = {row["Currency"]: row for row in rows}
    assert by_currency["EUR"]["Opening balance"] == "386.85"
    assert by_currency["EUR"]["Closing balance"] == "286.85"
    assert by_currency["RUB"]["Spent: Food"] == "1000.00"
    assert by_currency["EUR"]["From"] == "2026-03-01"


def test_readers_may_read_a_hidden_prisoners_report_but_the_public_may_not(client, auth, tokens, books):
    from tests.conftest import bearer

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
    assert not header.startswith("\ufeff") and any("а" <= letter <= "я" for letter in header.lower())
