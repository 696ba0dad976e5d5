"""Asset accounts and facilities through the API; money in the wrong currency refused on
every path with nothing written; a conversion's rate must agree with its amounts."""

from datetime import date

import pytest
from sqlalchemy import func, select

from ledger.access.models import AuditEvent
from ledger.books.accounts import get_or_create_account
from ledger.books.errors import AccountClosed, CurrencyMismatch
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.books.verify import verify_ledger
from ledger.money import parse_amount
from ledger.spending.cash import cash_account_for, move_cash
from tests.factories import bank_donation, new_prisoner
from tests.helpers import bearer


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(table))
        for table in (Account, JournalEntry, AuditEvent)
    )


def _open(client, token, **body):
    return client.post("/api/v1/accounts", json=body, headers=bearer(token))


def test_admin_opens_lists_relabels_and_closes_accounts(client, tokens, session):
    admin = tokens["admin"]
    response = _open(
        client, admin, name="assets:bank:eur-main", currency="EUR", label="Main EUR", label_ru="Основной EUR"
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["account"] == {
        "name": "assets:bank:eur-main",
        "kind": "bank",
        "currency": "EUR",
        "label": "Main EUR",
        "label_ru": "Основной EUR",
        "open": True,
        "closed_at": None,
        "balance": [],
    }
    friend = _open(
        client, admin, name="assets:intermediary:friend-in-tbilisi", label="A friend", kind="intermediary"
    )
    assert friend.status_code == 201
    assert friend.get_json()["account"]["currency"] is None

    for role in ("admin", "coordinator", "auditor"):
        listed = client.get("/api/v1/accounts", headers=bearer(tokens[role]))
        assert listed.status_code == 200
        names = [a["name"] for a in listed.get_json()["accounts"]]
        assert names == ["assets:bank:eur-main", "assets:intermediary:friend-in-tbilisi", "assets:stripe"]
    assert client.get("/api/v1/accounts").status_code == 401

    relabel = client.patch(
        "/api/v1/accounts/assets:bank:eur-main", json={"label_ru": "Евро, основной"}, headers=bearer(admin)
    )
    assert relabel.status_code == 200
    assert relabel.get_json()["changed"] == ["label_ru"]

    prisoner = new_prisoner(session)
    bank_donation(session, prisoner, "10.00", "EUR")
    session.commit()
    before = _counts(session)
    full = client.patch("/api/v1/accounts/assets:bank:eur-main", json={"open": False}, headers=bearer(admin))
    assert full.status_code == 409
    assert full.get_json()["error"]["code"] == "account_not_empty"
    assert _counts(session) == before

    closed = client.patch(
        "/api/v1/accounts/assets:intermediary:friend-in-tbilisi", json={"open": False}, headers=bearer(admin)
    )
    assert closed.status_code == 200
    assert closed.get_json()["account"]["open"] is False
    with pytest.raises(AccountClosed):
        post_entry(
            session,
            EntryDraft(
                date(2026, 1, 11),
                "x",
                [
                    PostingDraft("assets:intermediary:friend-in-tbilisi", parse_amount("1", "EUR")),
                    PostingDraft("liabilities:funds:general", -parse_amount("1", "EUR")),
                ],
            ),
        )


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"name": "assets:bank:rub-main", "label": "RUB"}, 422, "currency_required", "currency"),
        (
            {"name": "assets:bank:rub-main", "currency": "XXQ", "label": "RUB"},
            422,
            "unknown_currency",
            "currency",
        ),
        ({"name": "liabilities:funds:x", "currency": "RUB", "label": "x"}, 422, "bad_account_name", "name"),
        ({"name": "assets:savings", "currency": "RUB", "label": "x"}, 422, "bad_account_name", "name"),
        ({"name": "Assets:Bank", "currency": "RUB", "label": "x"}, 422, "bad_account_name", "name"),
        ({"name": "assets:bank:rub-main", "currency": "RUB"}, 422, "required", "label"),
        (
            {"name": "assets:bank:rub-main", "currency": "RUB", "label": "x", "kind": "cash"},
            422,
            "account_kind_mismatch",
            "kind",
        ),
        (
            {"name": "assets:bank:rub-main", "currency": "RUB", "label": "x", "colour": "red"},
            422,
            "unknown_field",
            "colour",
        ),
        ({"name": "assets:bank:taken", "currency": "RUB", "label": "x"}, 409, "account_exists", "name"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_written(client, tokens, session, body, status, code, field):
    get_or_create_account(session, "assets:bank:taken", currency="RUB")
    session.commit()
    before = _counts(session)
    response = _open(client, tokens["admin"], **body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["field"] == field
    assert _counts(session) == before


def test_only_admins_open_accounts(client, tokens, session):
    for role in ("coordinator", "auditor"):
        response = _open(client, tokens[role], name="assets:bank:eur-x", currency="EUR", label="x")
        assert response.status_code == 403
    assert session.scalar(select(Account).where(Account.name == "assets:bank:eur-x")) is None


@pytest.fixture
def two_banks(session):
    """A prisoner with 500 EUR in the EUR account and 20,000 RUB in the RUB account."""
    prisoner = new_prisoner(session, "vera")
    bank_donation(session, prisoner, "500.00", "EUR")
    bank_donation(session, prisoner, "20000.00", "RUB")
    session.commit()
    return prisoner


def _refused(response, field):
    body = response.get_json()
    assert response.status_code == 422, body
    assert body["error"]["code"] == "currency_mismatch"
    assert body["error"]["field"] == field
    return body


def test_wrong_currency_is_refused_on_every_api_path(client, tokens, session, two_banks):
    token = bearer(tokens["coordinator"])
    before = _counts(session)
    donation = client.post(
        "/api/v1/donations",
        headers=token,
        json={
            "prisoner": "vera",
            "money": {"amount": "1000.00", "currency": "RUB"},
            "method": "bank",
            "asset": "assets:bank:eur-main",
        },
    )
    message = _refused(donation, "asset")["error"]["message"]
    assert "assets:bank:eur-main" in message
    assert "EUR" in message
    disbursement = client.post(
        "/api/v1/disbursements",
        headers=token,
        json={
            "prisoner": "vera",
            "money": {"amount": "10.00", "currency": "EUR"},
            "category": "food",
            "paid_from": "assets:bank:rub-main",
        },
    )
    _refused(disbursement, "paid_from")
    exchange = client.post(
        "/api/v1/conversions",
        headers=token,
        json={
            "from_account": "assets:bank:eur-main",
            "to_account": "assets:bank:eur-main",
            "from": {"amount": "10.00", "currency": "EUR"},
            "to": {"amount": "980.00", "currency": "RUB"},
        },
    )
    _refused(exchange, "to_account")
    wrong_source = client.post(
        "/api/v1/conversions",
        headers=token,
        json={
            "from_account": "assets:bank:rub-main",
            "to_account": "assets:bank:eur-main",
            "from": {"amount": "10.00", "currency": "EUR"},
            "to": {"amount": "980.00", "currency": "RUB"},
        },
    )
    _refused(wrong_source, "from_account")
    russian = client.post(
        "/api/v1/disbursements",
        headers={**token, "Accept-Language": "ru"},
        json={
            "prisoner": "vera",
            "money": {"amount": "10.00", "currency": "EUR"},
            "category": "food",
            "paid_from": "assets:bank:rub-main",
        },
    )
    assert "только" in _refused(russian, "paid_from")["error"]["message"]
    assert _counts(session) == before
    assert verify_ledger(session).ok


def test_wrong_currency_is_refused_in_cash_and_in_the_journal_itself(session, users, two_banks):
    from ledger.access.users import find_user

    coordinator = find_user(session, users["coordinator"])
    rub_box = cash_account_for(session, coordinator, "RUB")
    session.commit()
    before = _counts(session)
    with pytest.raises(CurrencyMismatch) as refused:
        move_cash(
            session,
            from_account=get_or_create_account(session, "assets:bank:eur-main"),
            to_account=rub_box,
            money=parse_amount("10", "RUB"),
            on=date(2026, 2, 1),
        )
    assert refused.value.field == "bank"
    session.rollback()
    with pytest.raises(CurrencyMismatch):
        post_entry(
            session,
            EntryDraft(
                date(2026, 2, 1),
                "Roubles into the euro account",
                [
                    PostingDraft("assets:bank:eur-main", parse_amount("5", "RUB")),
                    PostingDraft("liabilities:funds:prisoner:vera", -parse_amount("5", "RUB"), "donation"),
                ],
            ),
        )
    session.rollback()
    assert _counts(session) == before
    advance = move_cash(
        session,
        from_account=get_or_create_account(session, "assets:bank:rub-main"),
        to_account=rub_box,
        money=parse_amount("1000", "RUB"),
        on=date(2026, 2, 1),
    )
    session.commit()
    assert advance.id
    assert rub_box.name == f"assets:cash:coordinator-{coordinator.id}-rub"
    assert cash_account_for(session, coordinator, "RUB") is rub_box
    assert cash_account_for(session, coordinator, "EUR").currency == "EUR"


def test_verify_reports_an_old_account_holding_two_currencies(session, two_banks):
    legacy = Account(name="assets:bank:old-mixed", type="asset", kind="bank", currency=None, guarded=False)
    session.add(legacy)
    session.flush()
    for amount, currency in (("5", "EUR"), ("500", "RUB")):
        money = parse_amount(amount, currency)
        post_entry(
            session,
            EntryDraft(
                date(2026, 2, 1),
                "Before accounts had one currency",
                [
                    PostingDraft(legacy, money),
                    PostingDraft("liabilities:funds:prisoner:vera", -money, "donation"),
                ],
            ),
        )
    session.commit()
    result = verify_ledger(session)
    assert [p.code for p in result.problems] == ["mixed_currencies"]
    assert "assets:bank:old-mixed" in str(result.problems[0])


def _convert(client, token, **extra):
    body = {
        "fund": "vera",
        "from": {"amount": "100.00", "currency": "EUR"},
        "to": {"amount": "9840.00", "currency": "RUB"},
    }
    body.update(extra)
    return client.post("/api/v1/conversions", headers=bearer(token), json=body)


def test_a_rate_given_with_both_amounts_must_agree(client, tokens, session, two_banks):
    before = _counts(session)
    wrong = _convert(client, tokens["coordinator"], rate="98.50")
    assert wrong.status_code == 422
    assert wrong.get_json()["error"] | {"message": None} == {
        "code": "rate_mismatch",
        "field": "rate",
        "message": None,
    }
    assert "9" in wrong.get_json()["error"]["message"]
    assert _counts(session) == before
    right = _convert(client, tokens["coordinator"], rate="98.40")
    assert right.status_code == 201, right.get_json()
    assert right.get_json()["entry"]["conversion_rate"] == "98.4"
    # To the kopeck: 100 EUR at 98.40004 is 9840.004, which rounds to 9840.00.
    close_enough = _convert(client, tokens["coordinator"], rate="98.40004")
    assert close_enough.status_code == 201


def test_facilities_are_created_listed_and_edited(client, tokens, session):
    token = bearer(tokens["coordinator"])
    created = client.post(
        "/api/v1/facilities",
        headers=token,
        json={"name": "СИЗО-1", "address": "ул. Примерная, 1", "region": "Москва"},
    )
    assert created.status_code == 201, created.get_json()
    facility = created.get_json()["facility"]
    assert facility["name"] == "СИЗО-1"
    assert facility["region"] == "Москва"
    listed = client.get("/api/v1/facilities")  # public
    assert listed.status_code == 200
    assert [f["name"] for f in listed.get_json()["facilities"]] == ["СИЗО-1"]

    edited = client.patch(f"/api/v1/facilities/{facility['id']}", headers=token, json={"region": "Moscow"})
    assert edited.status_code == 200
    assert edited.get_json()["facility"] == {**facility, "region": "Moscow"}

    prisoner = client.post(
        "/api/v1/prisoners", headers=token, json={"slug": "ivan", "name": "Иван", "facility": "сизо-1"}
    )
    assert prisoner.status_code == 201
    assert prisoner.get_json()["prisoner"]["facility"] == "СИЗО-1"

    before = _counts(session)
    taken = client.post("/api/v1/facilities", headers=token, json={"name": "сизо-1"})
    assert taken.status_code == 422
    assert taken.get_json()["error"]["code"] == "facility_taken"
    unknown = client.post("/api/v1/facilities", headers=token, json={"name": "X", "capacity": 800})
    assert unknown.get_json()["error"] == {
        **unknown.get_json()["error"],
        "code": "unknown_field",
        "field": "capacity",
    }
    # kind and regime are the parcel rules' (#16): known, and checked.
    bad_kind = client.post("/api/v1/facilities", headers=token, json={"name": "X", "kind": "sizo"})
    assert bad_kind.status_code == 422
    assert bad_kind.get_json()["error"]["code"] == "unknown_facility_kind"
    missing = client.patch("/api/v1/facilities/999", headers=token, json={"name": "Y"})
    assert missing.status_code == 404
    anonymous = client.post("/api/v1/facilities", json={"name": "Z"})
    assert anonymous.status_code == 401
    assert (
        client.post("/api/v1/facilities", headers=bearer(tokens["auditor"]), json={"name": "Z"}).status_code
        == 403
    )
    assert _counts(session) == before
