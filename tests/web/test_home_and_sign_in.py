from ledger.access.models import AuditEvent
from ledger.extensions import db
from tests.helpers import PASSWORD, seal


def test_home_page_shows_the_ledger_head(client, session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    entry = create_donation(prisoner, "10.00")
    session.commit()
    assert entry.hash not in client.get("/").get_data(as_text=True)  # not sealed yet
    seal(session)
    page = client.get("/")
    assert page.status_code == 200
    assert entry.hash in page.get_data(as_text=True)


def test_home_page_follows_accept_language_and_the_switch(client):
    assert "Solidarity ledger" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post("/language/ru", data={"next": "/"})
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in html


def test_language_switch_never_redirects_off_site(client):
    response = client.post("/language/ru", data={"next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_sign_in_and_out(client, auth, session):
    response = auth.login("coordinator")
    assert response.status_code == 302
    assert "coordinator@example.org" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert "coordinator@example.org" not in client.get("/").get_data(as_text=True)
    actions = [event.action for event in session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["auth.signed_in", "auth.signed_out"]


def test_wrong_password_is_refused_with_a_message_and_audited(client, auth, session):
    response = auth.login("coordinator", password=PASSWORD + "x")
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert session.scalar(db.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "auth.failed"


def test_sign_in_only_redirects_to_local_paths(client, users):
    response = client.post(
        "/login?next=https://evil.example/", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_home_lists_prisoners_most_in_need_a_page_at_a_time(client, session, create_prisoner):
    for number in range(30):
        create_prisoner(f"p-{number:02d}", name=f"Узник {number:02d}")
    session.commit()
    first = client.get("/").text
    second = client.get("/?page=2").text
    assert first.count('class="prisoner-card"') == 24
    assert second.count('class="prisoner-card"') == 6
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    # A page number that is no page redirects to an address that shows what it says
    # (ledger/web/paging.py, as on every list of the web), with the API's message.
    refused = client.get("/?page=abc")
    assert (refused.status_code, refused.headers["Location"]) == (302, "/")
    assert "Pages are numbered from 1" in client.get("/").text
    assert client.get("/?page=9").headers["Location"] == "/?page=2"
