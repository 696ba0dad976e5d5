"""Migration 0008_accounts gives existing accounts their kind, currency and holder."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from ledger.access.users import create_user
from ledger.books.accounts import get_or_create_account
from ledger.books.models import Account
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.books.verify import verify_ledger
from ledger.extensions import db
from ledger.money import parse_amount
from tests.factories import bank_donation, new_prisoner
from tests.helpers import PASSWORD, POSTGRES_URL


@pytest.mark.skipif(bool(POSTGRES_URL), reason="down and up on SQLite, where each test has its own file")
def test_existing_accounts_get_their_currency_from_their_postings(app, session):
    coordinator = create_user(session, "c@example.org", PASSWORD, "coordinator")
    prisoner = new_prisoner(session)
    bank_donation(session, prisoner, "10.00", "EUR")
    cash = get_or_create_account(session, f"assets:cash:coordinator-{coordinator.id}", currency="RUB")
    mixed = Account(name="assets:bank:mixed", type="asset", kind="bank", guarded=False)
    session.add(mixed)
    session.flush()
    for amount, currency, asset in (("500", "RUB", cash), ("5", "EUR", mixed), ("50", "RUB", mixed)):
        money = parse_amount(amount, currency)
        post_entry(
            session,
            EntryDraft(
                date(2026, 1, 2),
                "Gift",
                [PostingDraft(asset, money), PostingDraft(prisoner.fund_account, -money)],
            ),
        )
    cash_name, coordinator_id = cash.name, coordinator.id
    session.commit()
    session.remove()

    downgrade(revision="0007_content_version")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO accounts (name, type, guarded, created_at) VALUES ('assets:bank:gel-spare', 'asset', 0, '2026-01-01')"
            )
        )
    upgrade(revision="heads")

    accounts = {a.name: a for a in db.session.scalars(db.select(Account))}
    assert (accounts["assets:bank:eur-main"].kind, accounts["assets:bank:eur-main"].currency) == (
        "bank",
        "EUR",
    )
    assert accounts["assets:bank:gel-spare"].currency == "GEL"  # no postings: from the name
    assert accounts[cash_name].currency == "RUB"
    assert accounts[cash_name].holder_id == coordinator_id
    assert accounts["assets:bank:mixed"].currency is None
    assert accounts["assets:stripe"].kind == "stripe"
    assert accounts["assets:stripe"].currency is None
    assert accounts["liabilities:funds:general"].kind is None
    problems = verify_ledger(db.session).problems
    assert [p.code for p in problems] == ["mixed_currencies"]
    assert "assets:bank:mixed" in str(problems[0])
