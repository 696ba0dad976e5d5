"""Issue 27: a donor's link can be taken back.  "Delete my email" revokes every link of that
donor, admins revoke a donor's links on /admin/donors or with ``flask donors revoke-links``, and
a revoked link answers a page that says so and shows nothing (no prisoner, no amount, no code).
Also the mails' ``List-Unsubscribe`` header as RFC 2369 and RFC 8058 want it, and the one-click
POST a mail client sends to it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from ledger.funds.models import Donor, Pledge
from ledger.mail.models import MailMessage
from tests.donors.helpers import confirm_from_mail
from tests.factories import new_prisoner

EMAIL = "nadia.donor@example.net"
MANAGE = re.compile(r"https://ledger\.example\.org(/my-gift/[^/\s]+)(?=\s)")


def _pledge_and_its_mail(client, session, runner, smtp, language="en", email=EMAIL):
    """A public monthly pledge for Vera, the address confirmed through the mail; returns the
    pledge and the path of the manage link in the pledge's own mail."""
    answer = client.post(
        "/api/v1/public-pledges",
        json={
            "prisoner": "vera-k",
            "money": {"amount": "30.00", "currency": "EUR"},
            "frequency": "monthly",
            "email": email,
            "may_name_prisoner": True,
        },
        headers={"Accept-Language": language},
    )
    assert answer.status_code == 201, answer.get_json()
    confirm_from_mail(client, runner, smtp, email)
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    body = smtp.inbox.to(email)[-1].get_body(("plain",)).get_content()
    session.expire_all()
    pledge = session.scalar(
        select(Pledge).where(Pledge.reference == answer.get_json()["pledge"]["reference"])
    )
    found = MANAGE.search(body)
    assert found, body
    return pledge, found.group(1)


def _shows_nothing(page: str, pledge, asked: str = "") -> None:
    """Nothing of the pledge on the page, beyond the address the visitor asked for (which the
    language links repeat)."""
    page = page.replace(asked, "") if asked else page
    for secret in (pledge.reference, "Вера", "Vera", "30.00", "30,00", "€", EMAIL):
        assert secret not in page, secret


def _vera(session):
    new_prisoner(session, "vera-k", name="Вера Кузнецова")
    session.commit()


def test_delete_my_email_revokes_every_link(app, client, session, runner, smtp, eur_details):
    _vera(session)
    pledge, link = _pledge_and_its_mail(client, session, runner, smtp)
    page = client.get(link)
    assert page.status_code == 200
    assert pledge.reference in page.text
    assert client.post(f"{link}/forget").status_code == 200
    for language, words in (("en", "This link was revoked"), ("ru", "Эта ссылка отозвана")):
        revoked = client.get(link, headers={"Accept-Language": language})
        assert revoked.status_code == 410
        assert words in revoked.text
        _shows_nothing(revoked.text, pledge)
    # the link can no longer cancel the gift, nor see the forget page
    cancel = client.post(f"{link}/{pledge.reference}/cancel")
    assert cancel.status_code == 410
    _shows_nothing(cancel.text, pledge, f"{link}/{pledge.reference}/cancel")
    assert client.get(f"{link}/forget").status_code == 410
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "active"


def test_admin_revokes_a_donors_links_on_the_page_and_the_next_mail_works(
    app, client, session, runner, auth, smtp, eur_details
):
    _vera(session)
    pledge, link = _pledge_and_its_mail(client, session, runner, smtp, language="ru")
    auth.login("admin")
    page = client.get("/admin/donors", headers={"Accept-Language": "ru"}).text
    assert "Отозвать ссылки" in page
    answer = client.post(f"/admin/donors/{pledge.donor_id}/revoke-links")
    assert answer.status_code == 303
    auth.logout()
    revoked = client.get(link, headers={"Accept-Language": "ru"})
    assert revoked.status_code == 410
    assert "отозвана" in revoked.text
    _shows_nothing(revoked.text, pledge)
    # the email stays, and the next mail carries a link that works
    session.expire_all()
    donor = session.get(Donor, pledge.donor_id)
    assert donor.email == EMAIL
    from ledger.funds.donor_mail import queue_pledge_confirmation

    queue_pledge_confirmation(session, session.get(Pledge, pledge.id))
    session.commit()
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    fresh = MANAGE.search(smtp.inbox.to(EMAIL)[-1].get_body(("plain",)).get_content()).group(1)
    assert fresh != link
    assert client.get(fresh).status_code == 200
    assert client.get(link).status_code == 410


def test_cli_revokes_a_donors_links(app, client, session, runner, smtp, eur_details):
    _vera(session)
    pledge, link = _pledge_and_its_mail(client, session, runner, smtp)
    missing = runner.invoke(args=["donors", "revoke-links", "--pledge", "SL-NOSUCHONE0"])
    assert missing.exit_code == 1
    assert client.get(link).status_code == 200
    result = runner.invoke(args=["donors", "revoke-links", "--email", EMAIL.upper()])
    assert result.exit_code == 0, result.output
    assert "Revoked the links of 1 donor(s)" in result.output
    assert client.get(link).status_code == 410


def test_list_unsubscribe_is_a_plain_header_and_the_one_click_post_stops_the_mails(
    app, make_app, client, session, runner, smtp, eur_details
):
    _vera(session)
    pledge, link = _pledge_and_its_mail(client, session, runner, smtp)
    raw = smtp.inbox.raw[-1]
    headers = raw.split(b"\r\n\r\n", 1)[0]
    found = re.search(rb"\r\nList-Unsubscribe: <(https://[^>\r\n]+)>\r\n", b"\r\n" + headers + b"\r\n")
    assert found, headers.decode()
    assert b"=?utf-8?" not in found.group(0)
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in headers + b"\r\n"
    url = found.group(1).decode()
    assert url.endswith("/forget")
    # a mail client's one-click POST: no session, no CSRF token, on an app that checks CSRF
    strict = make_app("testing", WTF_CSRF_ENABLED=True)
    mail_client = strict.test_client()
    assert (
        mail_client.post(f"{link}/{pledge.reference}/pause").status_code == 400
    )  # other forms still need it
    answer = mail_client.post(
        urlsplit(url).path,
        data=b"List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    session.expire_all()
    donor = session.get(Donor, pledge.donor_id)
    assert donor.email is None
    # the mails stop: what waited is dropped, and nothing new is queued
    from ledger.mail.outbox import queue_mail

    assert queue_mail(session, "receipt", donor=donor, params={"donation": 1}) is None
    assert all(m.status in ("sent", "dropped") for m in session.scalars(select(MailMessage)))
    before = len(smtp.inbox.received)
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert len(smtp.inbox.received) == before
