"""Open redirects found by the attack run (issue #20, defect 1): the language switch and the
sign-in's ``next`` sent a coordinator to another host, or answered 500, for crafted paths."""

import pytest

from tests.helpers import PASSWORD

ATTACKS = [
    "/%09/evil.example",
    "/%0a/x",
    "/%0d%0a/x",
    "//evil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "https://evil.example/",
    "/%20/evil.example",
    "/%E2%80%8B/evil.example",
]


def _stays_here(response) -> None:
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location
    assert "evil.example" not in location
    assert not any(char.isspace() or ord(char) < 32 for char in location)


@pytest.mark.parametrize("target", ATTACKS)
def test_language_switch_never_leaves_the_site(client, target):
    for method in (client.get, client.post):
        _stays_here(method(f"/language/en?next={target}"))


@pytest.mark.parametrize("target", ATTACKS)
def test_sign_in_next_never_leaves_the_site(client, users, target):
    response = client.post(f"/login?next={target}", data={"email": users["auditor"], "password": PASSWORD})
    _stays_here(response)


def test_local_targets_still_work(client, users):
    assert client.get("/language/ru?next=/reports/").headers["Location"] == "/reports/"
    response = client.post("/login?next=/reports/", data={"email": users["auditor"], "password": PASSWORD})
    assert response.headers["Location"] == "/reports/"
