"""Two facilities with fictional postal addresses and a funded prisoner in the first, set up
through the API from an empty migrated database."""

from __future__ import annotations

import pytest

from tests.lifecycle.conftest import Api, api, ilya  # noqa: F401  (fixtures used here)

SIZO = {
    "name": "СИЗО-1 (вымышленный)",
    "kind": "pre_trial",
    "region": "Вымышленская область",
    "postal_address_ru": "123456, Вымышленская обл., г. Примерск, ул. Тюремная, д. 1, ФКУ СИЗО-1 ФСИН России",
    "postal_address_latin": "123456, Vymyshlenskaya obl., Primersk, ul. Tyuremnaya 1, FKU SIZO-1 FSIN of Russia",
}
COLONY = {
    "name": "ИК-2 (вымышленная)",
    "kind": "colony",
    "regime": "general",
    "region": "Другая область",
    "postal_address_ru": "654321, Другая обл., пос. Лесной, ул. Лагерная, д. 2, ФКУ ИК-2 ФСИН России",
    "postal_address_latin": "654321, Drugaya obl., Lesnoy, ul. Lagernaya 2, FKU IK-2 FSIN of Russia",
}


@pytest.fixture
def facilities(api):  # noqa: F811
    for facility in (SIZO, COLONY):
        status, body = api.post("/facilities", facility)
        assert status == 201, body
    return SIZO, COLONY


@pytest.fixture
def ilya_in_sizo(api, ilya, facilities):  # noqa: F811
    """Ilya, with a full name and patronymic, transferred to SIZO-1 on 1 March 2026."""
    status, body = api.patch(
        "/prisoners/ilya",
        {
            "name": "Фиктивный Илья Петрович",
            "name_latin": "Fiktivny Ilya Petrovich",
            "birth_date": "1990-02-01",
        },
    )
    assert status == 200, body
    status, body = api.post(
        "/prisoners/ilya/events", {"type": "transferred", "on": "2026-03-01", "facility": SIZO["name"]}
    )
    assert status == 201, body
    return "ilya"
