"""The public search finds a prisoner by where they are now: their current facility's name
and region, in English and Russian pages alike; not by a facility they have left."""

from __future__ import annotations

import pytest

from ledger.funds.prisoners import create_prisoner, save_facility


@pytest.fixture
def prisoners_in_places(session):
    mordovia = save_facility(
        session, None, name="IK-2 (fictional)", address="", region="Republic of Mordovia"
    )
    karelia = save_facility(session, None, name="ИК-9 (вымышленная)", address="", region="Карелия")
    olga = create_prisoner(
        session, "olga", {"name": "Ольга Морошкина", "name_latin": "Olga Moroshkina", "public": True}
    )
    olga.facility = mordovia
    pavel = create_prisoner(
        session, "pavel", {"name": "Павел Сизов", "name_latin": "Pavel Sizov", "public": True}
    )
    pavel.facility = karelia
    session.commit()


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("Mordovia", "Moroshkina", "Sizov"),
        ("mordovia", "Moroshkina", "Sizov"),
        ("карелия", "Sizov", "Moroshkina"),
        ("ИК-9", "Sizov", "Moroshkina"),
    ],
)
def test_search_by_the_current_facilitys_region_and_name(
    client, prisoners_in_places, language, query, found, not_found
):
    page = client.get("/", query_string={"q": query}, headers={"Accept-Language": language}).text
    names = {"Moroshkina": ("Olga Moroshkina", "Ольга Морошкина"), "Sizov": ("Pavel Sizov", "Павел Сизов")}
    shown = names[found][0] if language == "en" else names[found][1]
    hidden = names[not_found][0] if language == "en" else names[not_found][1]
    assert shown in page
    assert hidden not in page


def test_a_latin_query_finds_a_facility_by_its_latin_postal_address(client, session):
    """A region entered in Cyrillic is found from English through the facility's Latin address,
    the one writers abroad use (issue #33: "Mordovia" found nobody)."""
    facility = save_facility(session, None, name="ИК-5 (вымышленная)", address="", region="Мордовия")
    facility.postal_address_latin = "1 Lesnaya St, Yavas, Republic of Mordovia, 431000"
    anna = create_prisoner(
        session, "anna", {"name": "Анна Вымышленная", "name_latin": "Anna Vymyshlennaya", "public": True}
    )
    anna.facility = facility
    session.commit()
    page = client.get("/?q=Mordovia").get_data(as_text=True)
    assert 'href="/prisoners/anna"' in page
    assert 'href="/prisoners/anna"' not in client.get("/?q=Karelia").get_data(as_text=True)
