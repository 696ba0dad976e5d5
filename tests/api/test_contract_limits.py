"""The limits the document states for pages and dates are those the parsers enforce (#31):
read from the parsers' constants, and a request at each side of them is answered as stated."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from ledger.api.contract import build_document
from ledger.api.parsing import date_pattern
from ledger.reports.filters import LAST_PAGE, MAX_PER_PAGE
from ledger.reports.periods import EARLIEST_REPORT_DATE, LATEST_REPORT_DATE
from tests.factories import new_prisoner
from tests.helpers import bearer


def _parameter(name: str) -> dict:
    return build_document()["components"]["parameters"][name]["schema"]


def test_page_limits_are_the_parsers():
    assert _parameter("Page")["maximum"] == LAST_PAGE
    assert _parameter("PerPage")["maximum"] == MAX_PER_PAGE


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (f"page={LAST_PAGE}", 200),
        (f"page={LAST_PAGE + 1}", 422),
        (f"per_page={MAX_PER_PAGE}", 200),
        (f"per_page={MAX_PER_PAGE + 1}", 422),
        (f"from={EARLIEST_REPORT_DATE}&to={LATEST_REPORT_DATE}", 200),
        (f"from={EARLIEST_REPORT_DATE - timedelta(days=1)}", 422),
        (f"to={LATEST_REPORT_DATE + timedelta(days=1)}", 422),
        ("to=", 422),
        ("from=", 422),
    ],
)
def test_the_journal_answers_at_each_side_of_the_stated_limits(client, tokens, query, status):
    response = client.get(f"/api/v1/journal?{query}", headers=bearer(tokens["auditor"]))
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert response.get_json()["error"]["code"] in ("invalid_page", "invalid_date", "date_out_of_range")


@pytest.mark.parametrize("path", ["/reports/trial-balance?to=", "/prisoners/vera/report?to="])
def test_an_empty_date_is_refused_by_the_reports(client, tokens, session, path):
    new_prisoner(session, "vera", public=True)
    session.commit()
    response = client.get(f"/api/v1{path}", headers=bearer(tokens["auditor"]))
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        **response.get_json()["error"],
        "code": "invalid_date",
        "field": "to",
    }


def test_the_date_pattern_accepts_exactly_the_parsers_range():
    pattern = re.compile(_parameter("To")["pattern"])
    inside = [EARLIEST_REPORT_DATE, LATEST_REPORT_DATE, date(2050, 6, 15), date(2099, 12, 31)]
    outside = [EARLIEST_REPORT_DATE - timedelta(days=1), LATEST_REPORT_DATE + timedelta(days=1)]
    assert all(pattern.fullmatch(day.isoformat()) for day in inside)
    assert not any(pattern.fullmatch(day.isoformat()) for day in outside)
    assert not pattern.fullmatch("")


def test_a_range_that_is_not_whole_years_cannot_be_stated():
    with pytest.raises(ValueError, match="1 January to 31 December"):
        date_pattern(date(2000, 3, 1), date(2100, 12, 31))


@pytest.mark.parametrize(("flag", "status"), [("true", 200), ("false", 200), ("AAA", 422), ("", 422)])
def test_the_letters_flag_is_true_or_false_as_the_contract_says(client, tokens, flag, status):
    response = client.get(f"/api/v1/letters?unanswered={flag}", headers=bearer(tokens["auditor"]))
    assert response.status_code == status
    enum = next(
        parameter["schema"]["enum"]
        for parameter in build_document()["paths"]["/letters"]["get"]["parameters"]
        if parameter["name"] == "unanswered"
    )
    assert (flag in enum) == (status == 200)
