"""The pages, from an empty database: an admin publishes bank details and sets the rules,
a donor pledges on the public page (English and Russian), the printable page, the signed
link that pauses, resumes and cancels card and bank gifts, and deleting one's email."""

from __future__ import annotations

import re
import time

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from ledger.funds.donor_links import SALT, donor_token
from ledger.funds.models import Donor, DonorSettings, Pledge, PledgeStatusChange
from ledger.mail.models import MailMessage
from tests.donors.conftest import EUR_DETAILS_EN, EUR_DETAILS_RU
from tests.donors.helpers import confirm_from_mail
from tests.factories import new_prisoner

EMAIL = "irina.donor@example.net"


def _admin_publishes_details(client, auth):
    auth.login("admin")
    response = client.post(
        "/admin/donor-settings/bank",
        data={"currency": "EUR", "details_en": EUR_DETAILS_EN, "details_ru": EUR_DETAILS_RU},
    )
    assert response.status_code == 303
    response = client.post(
        "/admin/donor-settings/rules",
        data={"overdue_days": "7", "lapse_missed": "2", "email_retention_days": "400"},
    )
    assert response.status_code == 303
    page = client.get("/admin/donor-settings", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Реквизиты" in page
    assert "TESTDEFFXXX" in page
    auth.logout()


def test_admin_settings_then_a_donor_pledges_in_english_and_russian(client, session, auth):
    new_prisoner(session, "vera-k", name="Вера Кузнецова")
    session.commit()
    assert "not open yet" in client.get("/pledge", headers={"Accept-Language": "en"}).get_data(as_text=True)
    _admin_publishes_details(client, auth)
    settings = session.get(DonorSettings, 1)
    assert (settings.overdue_days, settings.lapse_missed, settings.email_retention_days) == (7, 2, 400)
    for language, details, words in (
        ("en", EUR_DETAILS_EN, "What the banks can see"),
        ("ru", EUR_DETAILS_RU, "Что видят банки"),
    ):
        form = client.get("/pledge?prisoner=vera-k", headers={"Accept-Language": language}).get_data(
            as_text=True
        )
        assert words in form
        response = client.post(
            "/pledge",
            data={
                "amount": "30",
                "currency": "EUR",
                "prisoner": "vera-k",
                "frequency": "monthly",
                "email": EMAIL,
            },
            headers={"Accept-Language": language},
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page
        reference = re.search(r"SL-[A-HJKMNP-Z2-9]{10}", page).group(0)
        assert details.splitlines()[0] in page
        assert words in page
        assert EMAIL not in page
        printable = client.get(f"/pledge/{reference}/print", headers={"Accept-Language": language})
        text = printable.get_data(as_text=True)
        assert printable.status_code == 200
        assert reference in text
        assert details.splitlines()[0] in text
        assert "Вера" not in text
        assert "vera" not in text.lower()
        assert EMAIL not in text
    pledges = session.scalars(select(Pledge).order_by(Pledge.id)).all()
    assert [p.donor.locale for p in pledges] == ["en", "ru"]
    assert all(p.amount_minor == 3000 and p.frequency == "monthly" for p in pledges)
    # coordinators' pledges with short codes have no public page
    assert client.get("/pledge/SL-ABCDEF/print").status_code == 404


def test_a_bad_pledge_form_writes_nothing(client, session, eur_details):
    before = session.scalar(select(Pledge.id))
    response = client.post(
        "/pledge",
        data={"amount": "-5", "currency": "EUR", "prisoner": "general", "frequency": "monthly"},
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 400
    assert before is None
    assert session.scalar(select(Pledge.id)) is None


def _link(app, donor_id):
    return "/my-gift/" + donor_token(app.config["SECRET_KEY"], donor_id)


def _bank_pledge(client, session):
    response = client.post(
        "/api/v1/public-pledges",
        json={"money": {"amount": "30", "currency": "EUR"}, "frequency": "monthly", "email": EMAIL},
    )
    assert response.status_code == 201
    session.expire_all()
    return session.scalar(
        select(Pledge).where(Pledge.reference == response.get_json()["pledge"]["reference"])
    )


def test_signed_link_pauses_resumes_and_cancels_a_bank_pledge(app, client, session, eur_details):
    pledge = _bank_pledge(client, session)
    link = _link(app, pledge.donor_id)
    page = client.get(link, headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    assert pledge.reference in page.get_data(as_text=True)
    assert client.post(f"{link}/{pledge.reference}/pause").status_code == 303
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "paused"
    assert client.post(f"{link}/{pledge.reference}/resume").status_code == 303
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "active"
    assert client.post(f"{link}/{pledge.reference}/cancel", data={"confirm": "yes"}).status_code == 303
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "cancelled"
    history = session.scalars(
        select(
            PledgeStatusChange.new_status,
        )
        .where(PledgeStatusChange.pledge_id == pledge.id)
        .order_by(PledgeStatusChange.id)
    ).all()
    assert history == ["active", "paused", "active", "cancelled"]
    changed_by = session.scalars(
        select(PledgeStatusChange.changed_by).where(PledgeStatusChange.pledge_id == pledge.id)
    ).all()
    assert changed_by == ["public", "donor", "donor", "donor"]


def test_tampered_and_expired_links_are_refused_and_change_nothing(app, client, session, eur_details):
    pledge = _bank_pledge(client, session)
    link = _link(app, pledge.donor_id)
    token = link.rsplit("/", 1)[1]
    tampered = "/my-gift/" + token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_donor = "/my-gift/" + URLSafeTimedSerializer("wrong-secret", salt=SALT).dumps(
        {"d": pledge.donor_id}
    )
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT)
    old.default_signer  # noqa: B018
    expired_token = _expired_token(app, pledge.donor_id)
    for bad, code in (
        (tampered, "not valid"),
        (other_donor, "not valid"),
        ("/my-gift/" + expired_token, "expired"),
    ):
        shown = client.get(bad, headers={"Accept-Language": "en"})
        assert shown.status_code == 400
        assert code in shown.get_data(as_text=True)
        for action in ("pause", "cancel"):
            assert client.post(f"{bad}/{pledge.reference}/{action}").status_code == 400
        assert client.post(f"{bad}/forget").status_code == 400
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "active"
    assert session.get(Donor, pledge.donor_id).email == EMAIL
    # someone else's pledge through a valid link: not found
    other = _bank_pledge(client, session)
    assert client.post(f"{link}/{other.reference}/cancel").status_code == 404
    session.expire_all()
    assert session.get(Pledge, other.id).status == "active"


def _expired_token(app, donor_id):
    """A token signed 61 days ago (the link lives DONOR_LINK_DAYS = 60)."""
    from itsdangerous import TimestampSigner

    class Past(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 61 * 86400

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT, signer=Past)
    return serializer.dumps({"d": donor_id})


def test_signed_link_pauses_and_cancels_a_card_subscription_through_stripe(
    app, client, session, fake_stripe, webhooks
):
    new_prisoner(session, "vera-k")
    session.commit()
    response = client.post(
        "/donate",
        data={
            "amount": "20",
            "currency": "EUR",
            "prisoner": "vera-k",
            "frequency": "monthly",
            "email": EMAIL,
        },
    )
    assert response.status_code == 303
    checkout_id = response.headers["Location"].rsplit("/", 1)[1]
    metadata = fake_stripe.requests_to("POST", "/v1/checkout/sessions")[-1]["metadata"]
    subscription = fake_stripe.subscription(metadata)
    charge = fake_stripe.paid_charge(2000, "eur", fee=55, metadata={})
    invoice = fake_stripe.invoice_for(subscription["id"], charge, metadata=metadata)
    completed = fake_stripe.complete_checkout(
        checkout_id, subscription=subscription["id"], invoice=invoice["id"]
    )
    assert webhooks.deliver(fake_stripe.event("checkout.session.completed", completed)).status_code == 200
    session.expire_all()
    pledge = session.scalar(select(Pledge))
    assert pledge.stripe_subscription_id == subscription["id"]
    link = _link(app, pledge.donor_id)
    # Stripe down: refused, nothing changes here
    fake_stripe.fail_next = 400  # a refusal (a 500 would be retried by the library)
    assert client.post(f"{link}/{pledge.reference}/pause").status_code == 502
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "active"
    assert client.post(f"{link}/{pledge.reference}/pause").status_code == 303
    path = f"/v1/subscriptions/{subscription['id']}"
    assert fake_stripe.requests_to("POST", path)[-1] == {"pause_collection": {"behavior": "void"}}
    assert fake_stripe.objects[subscription["id"]]["pause_collection"] == {
        "behavior": "void",
        "resumes_at": None,
    }
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "paused"
    assert client.post(f"{link}/{pledge.reference}/resume").status_code == 303
    assert fake_stripe.objects[subscription["id"]]["pause_collection"] is None
    assert client.post(f"{link}/{pledge.reference}/cancel", data={"confirm": "yes"}).status_code == 303
    assert len(fake_stripe.requests_to("DELETE", path)) == 1
    assert fake_stripe.objects[subscription["id"]]["status"] == "canceled"
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "cancelled"
    # Stripe then announces the end: nothing more happens
    ended = fake_stripe.objects[subscription["id"]]
    assert webhooks.deliver(fake_stripe.event("customer.subscription.deleted", ended)).status_code == 200
    assert EMAIL not in str(fake_stripe.requests)


def test_the_donor_deletes_their_email_and_only_admins_ever_saw_it(app, client, session, auth, eur_details):
    pledge = _bank_pledge(client, session)
    link = _link(app, pledge.donor_id)
    auth.login("coordinator")
    assert EMAIL not in client.get(f"/manage/pledges/{pledge.reference}").get_data(as_text=True)
    assert client.get("/admin/donors").status_code in (302, 403)
    auth.logout()
    auth.login("admin")
    assert EMAIL in client.get("/admin/donors").get_data(as_text=True)
    auth.logout()
    assert "Delete my email" in client.get(f"{link}/forget", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert client.post(f"{link}/forget").status_code == 200
    session.expire_all()
    donor = session.get(Donor, pledge.donor_id)
    assert donor.email is None
    assert donor.purged_at is not None
    assert session.scalars(select(MailMessage.status)).all() == ["dropped"]
    assert session.get(Pledge, pledge.id).status == "active"


def test_the_admin_sees_a_failed_mail_and_sends_it_again(
    app, client, session, auth, runner, smtp, eur_details
):
    _bank_pledge(client, session)
    smtp.stop()
    assert runner.invoke(args=["mail", "send"]).exit_code == 1
    auth.login("admin")
    page = client.get("/admin/mail", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "confirm_email" in page
    assert "server unreachable" in page
    assert EMAIL not in page
    message = session.scalar(select(MailMessage))
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 303
    smtp.start()
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert len(smtp.inbox.to(EMAIL)) == 1
    body = smtp.inbox.to(EMAIL)[0].get_body(("plain",)).get_content()
    # the request to confirm the address: no code, no bank details, no amount
    assert not re.search(r"SL-[A-HJKMNP-Z2-9]{10}", body)
    for absent in ("TESTDEFFXXX", "€", "EUR"):
        assert absent not in body
    confirm_from_mail(client, runner, smtp, EMAIL)
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    body = smtp.inbox.to(EMAIL)[-1].get_body(("plain",)).get_content()
    assert re.search(r"SL-[A-HJKMNP-Z2-9]{10}", body)
    assert "TESTDEFFXXX" in body


def test_end_to_end_pledge_page_statement_import_and_receipts(client, session, auth, runner, smtp):
    import io

    from ledger.books.accounts import get_or_create_account
    from ledger.funds.schedules import pledge_state

    new_prisoner(session, "vera-k", name="Вера Кузнецова")
    get_or_create_account(session, "assets:bank:eur-main", label="Bank EUR")
    session.commit()
    _admin_publishes_details(client, auth)
    response = client.post(
        "/pledge",
        data={
            "amount": "30",
            "currency": "EUR",
            "prisoner": "vera-k",
            "frequency": "monthly",
            "email": EMAIL,
        },
        headers={"Accept-Language": "ru"},
    )
    reference = re.search(r"SL-[A-HJKMNP-Z2-9]{10}", response.get_data(as_text=True)).group(0)
    assert "Перейдите по ссылке в нём, чтобы подтвердить адрес" in response.get_data(as_text=True)
    confirm_from_mail(client, runner, smtp, EMAIL)
    smtp.inbox.received.clear()
    auth.login("coordinator")
    csv_text = (
        "date,amount,currency,reference,payer\n"
        f"2026-01-05,30.00,EUR,Donation {reference},I. Ivanova\n"
        f"2026-02-05,30.00,EUR,{reference.lower()},I. Ivanova\n"
    )
    upload = {
        "file": (io.BytesIO(csv_text.encode()), "statement.csv"),
        "asset": "assets:bank:eur-main",
        "date_column": "date",
        "amount_column": "amount",
        "reference_column": "reference",
        "currency_column": "currency",
        "default_currency": "",
        "payer_column": "payer",
    }
    preview = client.post("/imports/bank", data=upload, content_type="multipart/form-data")
    assert preview.status_code == 200
    assert "2 matched" in preview.get_data(as_text=True), re.findall(
        r'field-error">([^<]*)', preview.get_data(as_text=True)
    )
    hidden = dict(
        re.findall(r'name="(statement|asset|mapping)" value="([^"]*)"', preview.get_data(as_text=True))
    )
    hidden["mapping"] = hidden["mapping"].replace("&#34;", '"')
    posted = client.post("/imports/bank/post", data={**hidden, "row-1": "vera-k", "row-2": "vera-k"})
    assert posted.status_code == 200
    assert "2 donations recorded" in posted.get_data(as_text=True)
    session.expire_all()
    pledge = session.scalar(select(Pledge).where(Pledge.reference == reference))
    state = pledge_state(session, pledge)
    assert [i.number for i in state.instalments if i.is_paid] == [1, 2]
    page = client.get(f"/manage/pledges/{reference}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Status history" in page
    assert EMAIL not in page
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    mails = smtp.inbox.to(EMAIL)
    assert len(mails) == 3  # the code with the bank details, then two receipts, in Russian
    assert all(any("\u0400" <= ch <= "\u04ff" for ch in m["Subject"]) for m in mails)
    assert all("Вера" not in m.get_body(("plain",)).get_content() for m in mails)
