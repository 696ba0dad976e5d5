"""POST /api/v1/public-pledges: a donor's own bank-transfer pledge, in English and Russian."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text

from ledger.funds.models import Donor, Pledge, PledgeAttempt
from ledger.mail.models import MailMessage
from tests.donors.conftest import EUR_DETAILS_EN, EUR_DETAILS_RU
from tests.factories import new_prisoner

EMAIL = "olga.donor@example.net"


def _pledge(client, language="en", **body):
    payload = {"prisoner": "vera-k", "money": {"amount": "30.00", "currency": "EUR"}, "frequency": "monthly"}
    payload.update(body)
    return client.post("/api/v1/public-pledges", json=payload, headers={"Accept-Language": language})


def _counts(session):
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(model)) for model in (Pledge, Donor, MailMessage)
    )


def test_thirty_euros_a_month_in_english_and_russian(client, session, eur_details):
    vera = new_prisoner(session, "vera-k", name="Вера Кузнецова")
    vera.name_latin = "Vera Kuznetsova"
    session.commit()
    english = _pledge(client, "en", email=EMAIL)
    russian = _pledge(client, "ru")
    assert english.status_code == russian.status_code == 201, english.get_json()
    en, ru = english.get_json(), russian.get_json()
    for body in (en, ru):
        reference = body["pledge"]["reference"]
        assert re.fullmatch(r"SL-[A-HJKMNP-Z2-9]{10}", reference)
        assert not any(part in reference.lower() for part in ("vera", "kuz", "вера"))
        assert body["pledge"]["money"] == {"amount": "30.00", "currency": "EUR"}
        assert body["pledge"]["frequency"] == "monthly"
        assert EMAIL not in str(body)
    assert en["pledge"]["reference"] != ru["pledge"]["reference"]
    assert en["bank_details"] == {"currency": "EUR", "text": EUR_DETAILS_EN}
    assert ru["bank_details"] == {"currency": "EUR", "text": EUR_DETAILS_RU}
    assert "bank" in en["warning"].lower()
    assert "банк" in ru["warning"].lower()
    pledges = session.scalars(select(Pledge).order_by(Pledge.id)).all()
    assert [p.donor.locale for p in pledges] == ["en", "ru"]
    assert pledges[0].donor.email == EMAIL
    assert pledges[1].donor.email is None
    # the request to confirm the address is queued for the donor who gave an email, and only
    # for them (the code with the bank details follows the confirmation)
    queued = session.scalars(select(MailMessage)).all()
    assert [(m.kind, m.donor_id) for m in queued] == [("confirm_email", pledges[0].donor_id)]
    # the database holds the email only encrypted
    raw = session.execute(
        text("SELECT email_encrypted FROM donors WHERE email_encrypted IS NOT NULL")
    ).scalars()
    stored = list(raw)
    assert len(stored) == 1
    assert EMAIL not in stored[0]
    assert "olga" not in stored[0]
    for table in ("donors", "mail_outbox", "audit_events", "pledges", "pledge_attempts"):
        for row in session.execute(text(f"SELECT * FROM {table}")):
            assert EMAIL not in " ".join(str(value) for value in row)


def test_general_fund_once_and_refusals_write_nothing(client, session, eur_details):
    new_prisoner(session, "hidden-one", public=False)
    session.commit()
    good = _pledge(client, prisoner=None, frequency="one_off")
    assert good.status_code == 201
    assert good.get_json()["pledge"]["prisoner"] is None
    before = _counts(session)
    cases = [
        ({"prisoner": "hidden-one"}, 422, "unknown_prisoner"),
        ({"prisoner": "nobody"}, 422, "unknown_prisoner"),
        ({"money": {"amount": "0", "currency": "EUR"}}, 422, "zero_amount"),
        ({"money": {"amount": 30.0, "currency": "EUR"}}, 422, "float_amount"),
        ({"money": {"amount": "30", "currency": "USD"}}, 422, "no_bank_details"),
        ({"frequency": "weekly"}, 422, "unknown_frequency"),
        ({"email": "not-an-address"}, 422, "invalid_email"),
        ({"may_name_prisoner": "yes"}, 422, "invalid_boolean"),
        ({"donor_name": "x"}, 422, "unknown_field"),
    ]
    for body, status, code in cases:
        response = _pledge(client, "ru", **{"prisoner": None, **body})
        assert response.status_code == status, (body, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == code, (body, error)
        assert re.search("[а-яА-Я]", error["message"]), error
    assert _counts(session) == before


def test_pledges_are_throttled_per_client_without_storing_the_address(app, client, session, eur_details):
    app.config.update(PUBLIC_PLEDGE_MAX=3)
    for _ in range(3):
        assert _pledge(client, prisoner=None).status_code == 201
    before = _counts(session)
    refused = _pledge(client, prisoner=None)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "pledge_throttled"
    assert _counts(session) == before
    other = client.post(
        "/api/v1/public-pledges",
        json={"money": {"amount": "5", "currency": "EUR"}, "frequency": "one_off"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert other.status_code == 201
    keys = session.scalars(select(PledgeAttempt.client_key)).all()
    assert len(keys) == 4
    assert all(re.fullmatch("[0-9a-f]{64}", key) for key in keys)
    assert not any("127.0.0.1" in key or "198.51" in key for key in keys)
