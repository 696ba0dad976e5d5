"""Search folds case and ё/е in Cyrillic and Latin, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from ledger.funds.prisoners import create_prisoner, save_facility
from ledger.platform.text import fold_for_search
from ledger.reports.overview import public_prisoners_page


@pytest.fixture
def colony_prisoners(session):
    colony = save_facility(session, None, name="ИК-7 (вымышленная)", address="", region="Карелия")
    for slug, name, latin in (
        ("petr", "Пётр Чечёткин", "Pyotr Chechyotkin"),
        ("anna", "Анна Ёлкина", "Anna Yolkina"),
        ("ivan", "Иван Иванов", "Ivan Ivanov"),
    ):
        prisoner = create_prisoner(session, slug, {"name": name, "name_latin": latin, "public": True})
        if slug != "ivan":
            prisoner.facility = colony
    session.commit()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ик-7", {"petr", "anna"}),
        ("ИК-7", {"petr", "anna"}),
        ("Чечеткин", {"petr"}),
        ("чечёткин", {"petr"}),
        ("ЧЕЧЁТКИН", {"petr"}),
        ("елкина", {"anna"}),
        ("PYOTR", {"petr"}),
        ("иванов", {"ivan"}),
        ("ВЫМЫШЛЕННАЯ", {"petr", "anna"}),
        ("100%", set()),
    ],
)
def test_search_folds_case_and_yo(session, colony_prisoners, query, found):
    summaries, total = public_prisoners_page(session, query)
    assert {summary.prisoner.slug for summary in summaries} == found
    assert total == len(found)


def test_the_home_page_search_folds_too(client, session, colony_prisoners):
    html = client.get("/?q=чечеткин", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert 'href="/prisoners/petr"' in html
    assert 'href="/prisoners/ivan"' not in html


def test_folding_in_python_matches_what_readers_type():
    assert fold_for_search("Ёлкина ИК-7 Straße") == "елкина ик-7 strasse"
