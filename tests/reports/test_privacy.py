"""Nothing public names a donor who did not choose a public name, shows any email, or
mentions a hidden prisoner — pages, JSON and CSV alike."""

import pytest

from tests.factories import ANONYMOUS_EMAIL, HIDDEN_NAME, PUBLIC_DONOR_EMAIL

PUBLIC_URLS = [
    "/",
    "/?q=a",
    "/?q=Skryty",
    "/?q=hidden",
    "/prisoners/vera",
    "/prisoners/pavel",
    "/prisoners/olga",
    "/prisoners/vera/report",
    "/prisoners/vera/report.csv",
    "/prisoners/pavel/report.csv",
    "/api/v1/prisoners/vera/report",
    "/api/v1/prisoners/pavel/report",
    "/reports/balance-sheet",
    "/reports/balance-sheet.csv",
    "/api/v1/reports/balance-sheet",
    "/api/v1/ledger/head",
    "/prisoners/hidden-one",
    "/prisoners/hidden-one/report",
    "/prisoners/hidden-one/report.csv",
    "/api/v1/prisoners/hidden-one/report",
]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_public_page_json_or_csv_shows_an_email_or_a_hidden_prisoner(client, books, language):
    for url in PUBLIC_URLS:
        response = client.get(url, headers={"Accept-Language": language}, buffered=True)
        text = response.get_data(as_text=True)
        for secret in (PUBLIC_DONOR_EMAIL, ANONYMOUS_EMAIL, HIDDEN_NAME, "Skryty Uznikov", "hidden-one"):
            if secret == "hidden-one" and url.startswith(
                ("/prisoners/hidden-one", "/api/v1/prisoners/hidden-one")
            ):
                assert response.status_code == 404
                continue
            assert secret not in text, (url, secret)
        assert "example.com" not in text, url
        assert "example.net" not in text, url


def test_a_purged_donor_is_anonymous_again(client, session, books):
    from ledger.funds.models import Donor
    from ledger.platform.database import utcnow
    from tests.factories import PUBLIC_DONOR

    donor = session.scalar(session.query(Donor).filter_by(public_name=PUBLIC_DONOR).statement)
    donor.purged_at = utcnow()
    session.commit()
    assert PUBLIC_DONOR not in client.get("/prisoners/vera").get_data(as_text=True)
