"""Descriptions the app wrote are shown in the reader's language; a person's words are not
translated; the journal download keeps the stored (hashed) text."""

from tests.factories import bank_donation, new_prisoner
from tests.helpers import bearer


def _reversed_bank_gift(client, session, tokens):
    entry = bank_donation(session, new_prisoner(session), "50.00")
    session.commit()
    response = client.post(
        f"/api/v1/entries/{entry.id}/reverse",
        json={"reason": "двойной ввод"},
        headers=bearer(tokens["coordinator"]),
    )
    assert response.status_code == 201, response.get_json()
    return entry.id, response.get_json()["entry"]["id"]


def test_the_journal_reads_in_russian_and_in_english(client, session, tokens, auth):
    original, _reversal = _reversed_bank_gift(client, session, tokens)
    auth.login("auditor")
    russian = client.get("/reports/journal", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Банковский перевод" in russian
    assert f"Сторно записи №{original}: двойной ввод" in russian
    assert "Reversal of" not in russian
    assert "Bank transfer" not in russian
    english = client.get("/reports/journal", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"Reversal of #{original}: двойной ввод" in english
    assert "Bank transfer" in english


def test_the_account_ledger_download_is_in_the_readers_language_but_the_journal_keeps_the_facts(
    client, session, tokens, auth
):
    original, _reversal = _reversed_bank_gift(client, session, tokens)
    auth.login("auditor")
    ledger = client.get(
        "/reports/account-ledger.csv?account=assets:bank:eur-main", headers={"Accept-Language": "ru"}
    ).get_data(as_text=True)
    assert "Банковский перевод" in ledger
    assert f"Сторно записи №{original}" in ledger
    journal = client.get("/reports/journal.csv", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Bank transfer" in journal
    assert f"Reversal of #{original}: двойной ввод" in journal


def test_every_code_has_a_translation_with_the_same_parameters(app):
    import re

    from ledger.books.descriptions import TEMPLATES
    from ledger.web.descriptions import TRANSLATED

    assert TRANSLATED.keys() == TEMPLATES.keys()
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        for code, template in TEMPLATES.items():
            english = sorted(re.findall(r"\{(\w+)\}", template))
            assert sorted(re.findall(r"%\((\w+)\)s", TRANSLATED[code]._args[0])) == english, code
            assert sorted(re.findall(r"%\((\w+)\)s", str(TRANSLATED[code]))) == english, code


def test_downloads_give_times_with_their_offset(client, session, tokens, auth):
    import csv
    import io

    _reversed_bank_gift(client, session, tokens)
    auth.login("auditor")
    for url in ("/reports/journal.csv", "/reports/journal.csv?category=donation"):  # streamed and filtered
        rows = list(csv.reader(io.StringIO(client.get(url).get_data(as_text=True).lstrip("\ufeff"))))
        recorded = rows[0].index("Recorded at")
        assert rows[1:], url
        assert all(row[recorded].endswith("+00:00") for row in rows[1:]), url
