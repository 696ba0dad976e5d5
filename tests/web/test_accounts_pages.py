"""The admins' accounts page, coordinators' cash boxes per currency, and the conversion form's
rate check — at the level a person sees them."""

from sqlalchemy import func, select

from ledger.books.models import Account, JournalEntry
from tests.factories import bank_donation, new_prisoner


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_admin_opens_relabels_and_closes_an_account_on_the_page(client, auth, session):
    auth.login("admin")
    page = client.get("/admin/accounts")
    assert page.status_code == 200
    assert "assets:stripe" in page.text
    opened = client.post(
        "/admin/accounts",
        data={"name": "assets:bank:rub-main", "currency": "RUB", "label": "Main RUB", "label_ru": "Основной"},
    )
    assert opened.status_code == 302
    account = session.scalar(select(Account).where(Account.name == "assets:bank:rub-main"))
    assert (account.kind, account.currency, account.label_ru) == ("bank", "RUB", "Основной")

    before = _count(session, Account)
    refused = client.post(
        "/admin/accounts", data={"name": "assets:bank:usd-x", "currency": "", "label": "USD"}
    )
    assert refused.status_code == 400
    assert "holds one currency" in refused.text
    russian = client.post(
        "/admin/accounts",
        data={"name": "Bank", "currency": "USD", "label": "USD"},
        headers={"Accept-Language": "ru"},
    )
    assert russian.status_code == 400
    assert "Назовите счёт" in russian.text
    assert _count(session, Account) == before

    prefix = f"a{account.id}"
    relabel = client.post(
        "/admin/accounts/assets:bank:rub-main/labels",
        data={f"{prefix}-label": "Rouble account", f"{prefix}-label_ru": "Рублёвый счёт"},
    )
    assert relabel.status_code == 302
    session.expire_all()
    assert account.label == "Rouble account"
    assert account.label_ru == "Рублёвый счёт"

    prisoner = new_prisoner(session)
    bank_donation(session, prisoner, "100.00", "RUB")
    session.commit()
    full = client.post("/admin/accounts/assets:bank:rub-main/close", data={}, follow_redirects=True)
    assert "still holds" in full.text
    session.expire_all()
    assert account.closed_at is None
    client.post("/admin/accounts", data={"name": "assets:bank:gel-x", "currency": "GEL", "label": "GEL"})
    closed = client.post("/admin/accounts/assets:bank:gel-x/close", data={})
    assert closed.status_code == 302
    assert session.scalar(select(Account).where(Account.name == "assets:bank:gel-x")).closed_at is not None


def test_coordinators_cannot_open_accounts(client, auth, session):
    auth.login("coordinator")
    before = _count(session, Account)
    response = client.post("/admin/accounts", data={"name": "assets:bank:x", "currency": "EUR", "label": "x"})
    assert response.status_code == 403
    assert _count(session, Account) == before


def test_cash_boxes_are_per_currency_and_refuse_another_currency(client, auth, session):
    prisoner = new_prisoner(session)
    bank_donation(session, prisoner, "20000.00", "RUB")
    bank_donation(session, prisoner, "500.00", "EUR")
    session.commit()
    auth.login("coordinator")
    assert client.get("/cash").status_code == 200  # nothing opened by looking
    assert _count(session, Account) == 6
    for amount, currency, bank in (("5000", "RUB", "rub"), ("50", "EUR", "eur")):
        response = client.post(
            "/cash",
            data={
                "direction": "advance",
                "bank": f"assets:bank:{bank}-main",
                "amount": amount,
                "currency": currency,
                "on": "2026-03-01",
            },
        )
        assert response.status_code == 302
    page = client.get("/cash").text
    # Named in words: whose cash, in which currency (the codes are for the auditors' pages).
    assert "Cash held by coordinator@example.org (RUB)" in page
    assert "Cash held by coordinator@example.org (EUR)" in page
    assert "assets:cash:coordinator" not in page
    entries = _count(session, JournalEntry)
    wrong = client.post(
        "/cash",
        data={
            "direction": "advance",
            "bank": "assets:bank:eur-main",
            "amount": "100",
            "currency": "RUB",
            "on": "2026-03-01",
        },
    )
    assert wrong.status_code == 200
    assert "holds EUR only" in wrong.text
    assert _count(session, JournalEntry) == entries


def test_the_conversion_form_refuses_a_rate_that_disagrees(client, auth, session):
    prisoner = new_prisoner(session, "vera")
    bank_donation(session, prisoner, "500.00", "EUR")
    session.commit()
    auth.login("coordinator")
    form = {
        "kind": "fund",
        "fund-fund": "vera",
        "fund-amount": "100.00",
        "fund-currency": "EUR",
        "fund-to_currency": "RUB",
        "fund-to_amount": "9840.00",
        "fund-rate": "99",
        "fund-on": "2026-03-02",
    }
    entries = _count(session, JournalEntry)
    page = client.post("/conversions/new", data=form)
    assert page.status_code == 200
    assert "The rate does not agree with the amounts" in page.text
    assert _count(session, JournalEntry) == entries
    agreed = client.post("/conversions/new", data={**form, "fund-rate": "98.4"})
    assert agreed.status_code == 302
