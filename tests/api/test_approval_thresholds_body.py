"""PUT /settings/approval-thresholds takes the body API.md documents, the map itself, and
the shape the code took before; nothing else (issue #31)."""

from tests.helpers import bearer


def test_the_documented_map_sets_the_thresholds_and_the_old_shape_still_works(client, tokens):
    admin = bearer(tokens["admin"])
    answer = client.put(
        "/api/v1/settings/approval-thresholds", json={"RUB": "10000.00", "EUR": "100.00"}, headers=admin
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["thresholds"] == {"EUR": "100.00", "RUB": "10000.00"}
    answer = client.put(
        "/api/v1/settings/approval-thresholds", json={"thresholds": {"RUB": "500.00"}}, headers=admin
    )
    assert answer.get_json()["thresholds"] == {"RUB": "500.00"}
    assert client.put("/api/v1/settings/approval-thresholds", json={}, headers=admin).get_json() == {
        "thresholds": {}
    }


def test_a_key_that_is_no_currency_or_a_bad_amount_is_refused_and_changes_nothing(client, tokens):
    admin = bearer(tokens["admin"])
    client.put("/api/v1/settings/approval-thresholds", json={"RUB": "100.00"}, headers=admin)
    for body, code, field in (
        ({"RUB": "100.00", "amuont": "1"}, "unknown_field", "amuont"),
        ({"XYZ": "1.00"}, "unknown_field", "XYZ"),  # no ISO 4217 code: not a currency
        ({"EUR": "1.001"}, "too_many_decimals", "EUR"),
        ({"EUR": 1.5}, "float_amount", "EUR"),
    ):
        answer = client.put("/api/v1/settings/approval-thresholds", json=body, headers=admin)
        assert answer.status_code == 422, body
        assert (answer.get_json()["error"]["code"], answer.get_json()["error"]["field"]) == (code, field)
    now = client.get("/api/v1/settings/approval-thresholds", headers=admin).get_json()
    assert now["thresholds"] == {"RUB": "100.00"}
