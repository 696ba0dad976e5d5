"""The admins' settings for donors without the pages: bank details per currency through the
API and the CLI, from an empty database (an organisation set up without the pages can take
transfer pledges), and the pledge rules through the API; bad input changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ledger.access.models import AuditEvent
from ledger.funds.models import BankDetails
from tests.donors.conftest import EUR_DETAILS_EN, EUR_DETAILS_RU
from tests.helpers import bearer

PATH = "/api/v1/settings/bank-details"


def _put(client, token, currency="EUR", language="en", **body):
    payload = {"details_en": EUR_DETAILS_EN, "details_ru": EUR_DETAILS_RU, **body}
    return client.put(
        f"{PATH}/{currency}", json=payload, headers={**bearer(token), "Accept-Language": language}
    )


def _pledge(client, currency="EUR", language="en"):
    return client.post(
        "/api/v1/public-pledges",
        json={"money": {"amount": "30.00", "currency": currency}, "frequency": "monthly"},
        headers={"Accept-Language": language},
    )


def _stored(session) -> list[tuple[str, str, str]]:
    session.expire_all()
    return [
        (row.currency, row.details_en, row.details_ru)
        for row in session.scalars(select(BankDetails).order_by(BankDetails.currency))
    ]


def test_an_admin_sets_them_through_the_api_and_donors_can_pledge(client, session, tokens):
    refused = _pledge(client)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "no_bank_details"

    saved = _put(client, tokens["admin"], details_en=EUR_DETAILS_EN + "\r\n")
    assert saved.status_code == 200, saved.get_json()
    answer = saved.get_json()["bank_details"]
    assert (answer["currency"], answer["details_en"], answer["details_ru"]) == (
        "EUR",
        EUR_DETAILS_EN,
        EUR_DETAILS_RU,
    )
    assert answer["updated_at"].endswith("Z")
    listed = client.get(PATH, headers=bearer(tokens["auditor"]))
    assert listed.status_code == 200
    assert [item["currency"] for item in listed.get_json()["bank_details"]] == ["EUR"]

    for language, details in (("en", EUR_DETAILS_EN), ("ru", EUR_DETAILS_RU)):
        pledged = _pledge(client, language=language)
        assert pledged.status_code == 201, pledged.get_json()
        assert pledged.get_json()["bank_details"] == {"currency": "EUR", "text": details}

    # Replaced, not added; every change is in the audit log with who made it.
    assert _put(client, tokens["admin"], details_ru="Получатель: Фонд").status_code == 200
    assert _stored(session) == [("EUR", EUR_DETAILS_EN, "Получатель: Фонд")]
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target == "currency:EUR")).all()
    assert actions == ["bank_details.saved", "bank_details.saved"]

    removed = client.delete(f"{PATH}/EUR", headers=bearer(tokens["admin"]))
    assert removed.status_code == 204
    assert _stored(session) == []
    assert _pledge(client).get_json()["error"]["code"] == "no_bank_details"
    again = client.delete(f"{PATH}/EUR", headers=bearer(tokens["admin"]))
    assert again.status_code == 404
    assert again.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("currency", "body", "code", "field"),
    [
        ("EUR", {"details_en": "IBAN: DE00\u0007 0000"}, "control_character", "details_en"),
        ("EUR", {"details_ru": "x" * 201}, "too_long", "details_ru"),
        ("EUR", {"details_en": " \n \n"}, "required", "details_en"),
        ("EUR", {"details_en": None}, "missing_field", "details_en"),
        ("EUR", {"details_ru": 12}, "invalid_text", "details_ru"),
        ("EUR", {"iban": "DE00"}, "unknown_field", "iban"),
        ("XYZ", {}, "unknown_currency", "currency"),
        ("eur", {}, "unknown_currency", "currency"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, session, tokens, currency, body, code, field):
    assert _put(client, tokens["admin"]).status_code == 200
    before = _stored(session)
    audit = session.scalar(select(func.count()).select_from(AuditEvent))
    refused = _put(client, tokens["admin"], currency=currency, language="ru", **body)
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert any("а" <= letter <= "я" for letter in error["message"].lower()), error["message"]  # in Russian
    assert _stored(session) == before
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit


def test_only_admins_change_them(client, session, tokens):
    assert _put(client, tokens["coordinator"]).status_code == 403
    assert client.delete(f"{PATH}/EUR", headers=bearer(tokens["coordinator"])).status_code == 403
    assert client.get(PATH).status_code == 401
    assert _stored(session) == []


def test_the_cli_sets_lists_and_removes_them(runner, session, tmp_path):
    english, russian = tmp_path / "en.txt", tmp_path / "ru.txt"
    english.write_text(EUR_DETAILS_EN + "\n", encoding="utf-8")
    russian.write_text(EUR_DETAILS_RU + "\n", encoding="utf-8")
    empty = runner.invoke(args=["bank-details", "list"])
    assert empty.exit_code == 0
    assert "No bank details yet" in empty.output

    saved = runner.invoke(args=["bank-details", "set", "EUR", "--en", str(english), "--ru", str(russian)])
    assert saved.exit_code == 0, saved.output
    assert "Bank details for EUR saved." in saved.output
    assert _stored(session) == [("EUR", EUR_DETAILS_EN, EUR_DETAILS_RU)]
    listed = runner.invoke(args=["bank-details", "list"])
    assert "TESTDEFFXXX" in listed.output
    assert "Получатель" in listed.output

    russian.write_text("Получатель:\u200b\u0007 Фонд\n", encoding="utf-8")
    refused = runner.invoke(args=["bank-details", "set", "EUR", "--en", str(english), "--ru", str(russian)])
    assert refused.exit_code == 1
    assert "control characters" in refused.output
    assert _stored(session) == [("EUR", EUR_DETAILS_EN, EUR_DETAILS_RU)]

    removed = runner.invoke(args=["bank-details", "remove", "EUR"])
    assert removed.exit_code == 0, removed.output
    assert _stored(session) == []
    missing = runner.invoke(args=["bank-details", "remove", "EUR"])
    assert missing.exit_code == 1
    assert "Not found" in missing.output


RULES = "/api/v1/settings/donor-rules"


def test_the_pledge_rules_through_the_api(client, session, tokens):
    from ledger.funds.models import DonorSettings

    defaults = client.get(RULES, headers=bearer(tokens["auditor"]))
    assert defaults.status_code == 200
    assert defaults.get_json()["donor_rules"] == {
        "overdue_days": 10,
        "lapse_missed": 3,
        "email_retention_days": 730,
    }
    rules = {"overdue_days": 7, "lapse_missed": 2, "email_retention_days": 400}
    assert client.put(RULES, json=rules, headers=bearer(tokens["coordinator"])).status_code == 403
    saved = client.put(RULES, json=rules, headers=bearer(tokens["admin"]))
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["donor_rules"] == rules
    session.expire_all()
    row = session.get(DonorSettings, 1)
    assert (row.overdue_days, row.lapse_missed, row.email_retention_days) == (7, 2, 400)
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "donor_settings.saved")
        )
        == 1
    )

    for change, code, field in [
        ({"lapse_missed": 0}, "number_out_of_range", "lapse_missed"),
        ({"email_retention_days": 3651}, "number_out_of_range", "email_retention_days"),
        ({"overdue_days": "7"}, "invalid_number", "overdue_days"),
        ({"overdue_days": True}, "invalid_number", "overdue_days"),
        ({"overdue_days": 7.0}, "invalid_number", "overdue_days"),
        ({"lapse_missed": None}, "missing_field", "lapse_missed"),
        ({"retention": 5}, "unknown_field", "retention"),
    ]:
        refused = client.put(
            RULES,
            json={**rules, "overdue_days": 8, **change},
            headers={**bearer(tokens["admin"]), "Accept-Language": "ru"},
        )
        assert refused.status_code == 422, (change, refused.get_json())
        error = refused.get_json()["error"]
        assert (error["code"], error["field"]) == (code, field)
        assert any("а" <= letter <= "я" for letter in error["message"].lower()), error["message"]
        session.expire_all()
        assert session.get(DonorSettings, 1).overdue_days == 7  # nothing changed
