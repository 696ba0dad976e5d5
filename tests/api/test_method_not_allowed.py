"""A 405 says which methods the address takes (RFC 9110, 15.5.6: the ``Allow`` header), for
the JSON API as for pages (issue #31: schemathesis's method checks)."""


def test_a_method_an_address_does_not_take_answers_405_with_allow(client):
    for path, allowed in (
        ("/api/v1/donations", "POST"),
        ("/api/v1/prisoners", "GET"),
        ("/api/v1/checkpoints", "GET"),
        ("/open-books", "GET"),
    ):
        answer = client.delete(path)
        assert answer.status_code == 405, path
        assert allowed in {method.strip() for method in answer.headers["Allow"].split(",")}, path
    assert client.delete("/api/v1/donations").get_json()["error"]["code"] == "method_not_allowed"
