"""Issue 27: mail only to confirmed addresses.  A public pledge with an email sends one short
request to confirm it (no prisoner, no amount, no code); nothing else goes there until its link
is followed; an address nobody confirms is deleted after a day; the hour's caps on public
pledges and on mails to unconfirmed addresses answer 429 in the asker's language, and admins
see the counts.  The attack replayed: 100 pledges from 20 client addresses."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from ledger.funds.models import Donor, Pledge
from ledger.funds.pledges import create_pledge, make_donor
from ledger.mail.models import MailMessage
from ledger.mail.outbox import queue_mail
from ledger.money import parse_amount
from ledger.platform.database import utcnow
from tests.donors.helpers import confirm_link
from tests.factories import new_prisoner

NAMES = ("Вера", "Кузнецов", "Vera", "Kuznetsova", "vera-k")
BUSY = {
    "en": {
        "pledges_busy": "We are taking too many pledges at the moment",
        "confirmation_mails_busy": "We can't send more mails to new addresses this hour",
    },
    "ru": {
        "pledges_busy": "Сейчас к нам поступает слишком много обещаний",
        "confirmation_mails_busy": "В этот час мы больше не можем отправлять письма на новые адреса",
    },
}


def _victim(i: int) -> str:
    return f"victim{i}@example.org"


def _attack(client):
    """100 pledges from 20 client addresses, every second one with a stranger's address, all
    allowing the mails to name the prisoner."""
    answers = []
    for i in range(100):
        body = {
            "prisoner": "vera-k",
            "money": {"amount": "30.00", "currency": "EUR"},
            "frequency": "monthly",
            "may_name_prisoner": True,
        }
        if i % 2 == 0:
            body["email"] = _victim(i)
        language = "ru" if i % 3 == 0 else "en"
        response = client.post(
            "/api/v1/public-pledges",
            json=body,
            headers={"Accept-Language": language},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i % 20 + 1}"},
        )
        answers.append((i, language, response))
    return answers


def test_hundred_pledges_from_twenty_addresses_send_only_the_capped_confirmations(
    app, client, session, runner, auth, smtp, eur_details
):
    vera = new_prisoner(session, "vera-k", name="Вера Кузнецова")
    vera.name_latin = "Vera Kuznetsova"
    session.commit()
    answers = _attack(client)
    created = [(i, response) for i, _language, response in answers if response.status_code == 201]
    refused = [(i, language, response) for i, language, response in answers if response.status_code != 201]
    assert len(created) == app.config["PUBLIC_PLEDGE_MAX_PER_HOUR"] == 30
    assert {response.status_code for _i, _l, response in refused} == {429}
    codes = Counter(response.get_json()["error"]["code"] for _i, _l, response in refused)
    assert set(codes) == {"pledges_busy", "confirmation_mails_busy"}
    for _i, language, response in refused:
        error = response.get_json()["error"]
        assert BUSY[language][error["code"]] in error["message"]
    # one request to confirm per accepted address, at most the cap, and nothing else queued
    session.expire_all()
    queued = session.scalars(select(MailMessage)).all()
    assert Counter(m.kind for m in queued) == {"confirm_email": app.config["UNCONFIRMED_MAIL_MAX_PER_HOUR"]}
    assert len(queued) == 10
    references = [response.get_json()["pledge"]["reference"] for _i, response in created]

    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0, sent.output
    assert len(smtp.inbox.received) == 10
    for raw, (_sender, recipients, message) in zip(smtp.inbox.raw, smtp.inbox.received, strict=True):
        body = message.get_body(("plain",)).get_content()
        assert recipients[0] in {_victim(i) for i, _r in created}
        assert "/my-gift/confirm/" in body
        assert "/my-gift/" not in body.replace("/my-gift/confirm/", "")  # no link that opens the pledge
        for word in NAMES + ("30.00", "30,00", "€", "EUR", "TESTDEFFXXX", *references):
            assert word not in body, word
            assert word.encode() not in raw, word
        assert b"List-Unsubscribe" not in raw

    # admins see the hour's counts against the caps
    auth.login("admin")
    outbox = client.get("/admin/mail", headers={"Accept-Language": "en"}).text
    assert (
        "Last hour: 30 of at most 30 public pledges; 10 of at most 10 mails to unconfirmed addresses. "
        "Addresses waiting for confirmation: 10." in outbox
    )
    donors = client.get("/admin/donors", headers={"Accept-Language": "ru"}).text
    assert "обещаний с сайта — 30 из не более чем 30" in donors
    assert "ещё нет" in donors
    auth.logout()

    # the pledge page refuses in the donor's language with the same 429
    page = client.post(
        "/pledge",
        data={
            "amount": "30",
            "currency": "EUR",
            "prisoner": "vera-k",
            "frequency": "monthly",
            "email": "x@example.org",
        },
        headers={"Accept-Language": "ru"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert page.status_code == 429
    assert BUSY["ru"]["pledges_busy"] in page.text

    # one stranger confirms: only now the pledge's mail goes out, and names the prisoner
    victim = _victim(0)  # a Russian-speaking client
    path = confirm_link(smtp, victim)
    assert "Да, это я" in client.get(path, headers={"Accept-Language": "ru"}).text
    assert client.post(path).status_code == 200
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    latest = smtp.inbox.to(victim)[-1].get_body(("plain",)).get_content()
    assert "Вера Кузнецова" in latest
    assert any(reference in latest for reference in references)
    assert len(smtp.inbox.received) == 11

    # a day later the other addresses are deleted, with what waited for them
    session.execute(
        update(Donor)
        .where(Donor.email_added_at.is_not(None))
        .values(email_added_at=utcnow() - timedelta(hours=25))
    )
    session.commit()
    job = runner.invoke(args=["pledges", "update"])
    assert job.exit_code == 0, job.output
    assert "9 unconfirmed" in job.output
    session.expire_all()
    kept = session.scalars(select(Donor).where(Donor.email_added_at.is_not(None))).all()
    assert [donor.email for donor in kept] == [victim]


def test_nothing_but_the_request_goes_to_an_unconfirmed_address(session, eur_details):
    vera = new_prisoner(session, "vera-k", name="Вера Кузнецова")
    stranger = make_donor(session, email="stranger@example.org", may_name_prisoner=True, confirmed=False)
    pledge = create_pledge(
        session,
        prisoner=vera,
        money=parse_amount("30", "EUR"),
        frequency="monthly",
        starts_on=utcnow().date(),
        donor=stranger,
    )
    for kind in ("receipt", "reminder", "lapsed", "pledge_created"):
        assert queue_mail(session, kind, donor=stranger, params={"pledge": pledge.id}) is None
    assert queue_mail(session, "confirm_email", donor=stranger) is not None
    staff_entered = make_donor(session, email="known@example.org")
    assert staff_entered.email_confirmed
    assert queue_mail(session, "receipt", donor=staff_entered, params={"donation": 1}) is not None
    session.rollback()


def test_confirmation_link_refuses_forgery_and_a_forgotten_address(
    app, client, session, runner, smtp, eur_details
):
    new_prisoner(session, "vera-k", name="Вера Кузнецова")
    session.commit()
    answer = client.post(
        "/api/v1/public-pledges",
        json={
            "money": {"amount": "10.00", "currency": "EUR"},
            "frequency": "one_off",
            "email": "once@example.org",
        },
    )
    assert answer.status_code == 201
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    path = confirm_link(smtp, "once@example.org")
    forged = client.post(path[:-3] + "abc", headers={"Accept-Language": "ru"})
    assert forged.status_code == 400
    assert "недействительна" in forged.text
    session.expire_all()
    assert session.scalar(select(Donor).where(Donor.email_added_at.is_not(None))).email_confirmed_at is None
    # the address is forgotten (a day passed): the link no longer confirms anything
    session.execute(
        update(Donor)
        .where(Donor.email_added_at.is_not(None))
        .values(email_added_at=utcnow() - timedelta(days=2))
    )
    session.commit()
    assert runner.invoke(args=["pledges", "update"]).exit_code == 0
    late = client.post(path)
    assert late.status_code in (400, 410)
    session.expire_all()
    assert session.scalar(select(Pledge)).donor.email is None


def test_concurrent_pledges_do_not_pass_the_mail_cap_together(app, session, eur_details):
    """Twelve clients pledge at the same moment with strangers' addresses: exactly the cap's
    number of confirmation mails is queued, every other answer is a 429, none a 500."""
    import threading

    new_prisoner(session, "vera-k", name="Вера Кузнецова")
    session.commit()
    app.config["UNCONFIRMED_MAIL_MAX_PER_HOUR"] = 4
    start = threading.Barrier(12)
    statuses: list[int] = []

    def pledge(number: int) -> None:
        client = app.test_client()
        start.wait()
        response = client.post(
            "/api/v1/public-pledges",
            json={
                "money": {"amount": "10.00", "currency": "EUR"},
                "frequency": "one_off",
                "email": _victim(number),
            },
            environ_base={"REMOTE_ADDR": f"192.0.2.{number + 1}"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=pledge, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [201] * 4 + [429] * 8
    session.expire_all()
    kinds = session.scalars(select(MailMessage.kind)).all()
    assert kinds == ["confirm_email"] * 4
