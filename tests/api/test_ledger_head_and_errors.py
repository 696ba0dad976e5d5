"""The public ledger head, and errors as JSON in the reader's language."""

from tests.helpers import bearer, seal


def test_ledger_head_is_public_json(client, session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    entry = create_donation(prisoner, "10.00")
    session.commit()
    assert client.get("/api/v1/ledger/head").get_json()["entries"] == 0  # the public sees checkpoints
    checkpoint = seal(session)
    body = client.get("/api/v1/ledger/head").get_json()
    assert (body["entries"], body["head_hash"]) == (1, entry.hash)
    assert body["as_of"] == {
        "live": False,
        "checkpoint": checkpoint.sequence,
        "date": checkpoint.created_at.date().isoformat(),
        "entries": 1,
    }


def test_api_errors_are_json_in_the_readers_language(client):
    response = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_bad_token_is_not_a_user(client, tokens):
    assert client.get("/api/v1/ledger/head", headers=bearer("sl_forged")).status_code == 200
    assert client.get("/api/v1/ledger/head", headers=bearer(tokens["auditor"])).status_code == 200
