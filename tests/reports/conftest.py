"""A small organisation's books with every kind of movement, known to the cent.

Vera's fund, EUR: received 350.00 (100 by card with a 3.15 fee, 200 and 50 by bank),
a 40.00 transfer in from the general fund, 50.00 converted to 5,000 RUB, 30.00 spent on
parcels, a 20.00 refund: closing 286.85 EUR.  RUB: 5,000 in, 1,000 on food (with a
receipt), 500 on clothing reversed: closing 4,000 RUB.  Monthly need 100 EUR: 2.8 months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account, trading_account
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.funds.models import Donation, Donor, Pledge
from ledger.money import parse_amount
from ledger.spending.models import Receipt
from tests.conftest import make_prisoner

PUBLIC_DONOR = "Friends in Tbilisi"
PUBLIC_DONOR_EMAIL = "friends@example.net"
ANONYMOUS_EMAIL = "secret.donor@example.com"
HIDDEN_NAME = "Скрытый Узников"


def money(amount: str, currency: str = "EUR"):
    return parse_amount(amount, currency)


def post(session, on: date, description: str, postings, **options):
    return post_entry(session, EntryDraft(on, description, postings, **options))


def give(
    session,
    prisoner,
    amount: str,
    currency: str = "EUR",
    *,
    on: date,
    donor=None,
    pledge=None,
    fee: str | None = None,
    method: str = "bank",
):
    """A donation entry (gross to the fund, fee debited from it) and its Donation row."""
    gross = money(amount, currency)
    fund = fund_account_for(session, prisoner) if prisoner else general_fund(session)
    if method == "card":
        asset = get_or_create_account(session, "assets:stripe")
    else:
        asset = get_or_create_account(session, f"assets:bank:{currency.lower()}-main")
    postings = [
        PostingDraft(asset, gross if fee is None else gross - money(fee, currency)),
        PostingDraft(fund, -gross, "donation"),
    ]
    if fee is not None:
        postings.append(PostingDraft(fund, money(fee, currency), "fee"))
    entry = post(session, on, "Card donation" if method == "card" else "Bank transfer", postings)
    session.add(
        Donation(
            entry_id=entry.id,
            donor=donor,
            pledge=pledge,
            prisoner=prisoner,
            method=method,
            amount_minor=gross.minor,
            currency=currency,
            received_on=on,
        )
    )
    session.flush()
    return entry


def spend(session, prisoner, amount: str, currency: str, category: str, *, on: date, description: str):
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, f"assets:bank:{currency.lower()}-main")
    value = money(amount, currency)
    return post(
        session, on, description, [PostingDraft(fund, value, category), PostingDraft(bank, -value, category)]
    )


@dataclass
class Books:
    vera: object
    pavel: object
    olga: object
    hidden: object
    food_entry: object
    clothing_entry: object
    pledge: object


@pytest.fixture
def books(session) -> Books:
    vera = make_prisoner(session, "vera", name="Вера Книжкина")
    vera.name_latin = "Vera Knizhkina"
    vera.monthly_need_minor, vera.monthly_need_currency = 10000, "EUR"
    vera.address = "ИК-1, ул. Лесная, 1, Северогорск, 169001"
    vera.bio_en = "Vera is a librarian."
    pavel = make_prisoner(session, "pavel", name="Павел Перов")
    pavel.name_latin = "Pavel Perov"
    pavel.monthly_need_minor, pavel.monthly_need_currency = 100000, "EUR"
    pavel.region = "Ясногорский край"
    olga = make_prisoner(session, "olga", name="Ольга Без-Нужды")
    olga.name_latin = "Olga Bez-Nuzhdy"
    hidden = make_prisoner(session, "hidden-one", public=False, name=HIDDEN_NAME)
    hidden.name_latin = "Skryty Uznikov"
    hidden.monthly_need_minor, hidden.monthly_need_currency = 10, "EUR"

    public_donor = Donor(public_name=PUBLIC_DONOR, email=PUBLIC_DONOR_EMAIL)
    anonymous = Donor(email=ANONYMOUS_EMAIL)
    session.add_all([public_donor, anonymous])
    session.flush()
    pledge = Pledge(
        reference="SL-TEST-0001",
        donor=public_donor,
        prisoner=vera,
        amount_minor=10000,
        currency="EUR",
        frequency="monthly",
        starts_on=date(2025, 12, 1),
        status="active",
    )
    session.add(pledge)
    session.flush()

    give(
        session,
        vera,
        "100.00",
        on=date(2026, 1, 10),
        donor=public_donor,
        pledge=pledge,
        fee="3.15",
        method="card",
    )
    give(session, vera, "200.00", on=date(2026, 2, 5), donor=anonymous)
    give(session, vera, "50.00", on=date(2026, 2, 7))
    give(session, None, "80.00", on=date(2026, 2, 15), donor=anonymous)
    general, fund = general_fund(session), fund_account_for(session, vera)
    post(
        session,
        date(2026, 2, 20),
        "Allocation from the general fund",
        [PostingDraft(general, money("40.00"), "transfer"), PostingDraft(fund, -money("40.00"), "transfer")],
    )
    trading = trading_account(session)
    post(
        session,
        date(2026, 3, 1),
        "Conversion EUR→RUB at 100",
        [
            PostingDraft(fund, money("50.00"), "conversion"),
            PostingDraft(trading, -money("50.00"), "conversion"),
            PostingDraft(trading, money("5000.00", "RUB"), "conversion"),
            PostingDraft(fund, -money("5000.00", "RUB"), "conversion"),
        ],
        conversion_rate="100",
    )
    get_or_create_account(session, "assets:bank:rub-main")
    bank_rub = get_or_create_account(session, "assets:bank:rub-main")
    bank_eur = get_or_create_account(session, "assets:bank:eur-main")
    post(
        session,
        date(2026, 3, 1),
        "Bank conversion EUR→RUB at 100",
        [
            PostingDraft(bank_eur, -money("50.00"), "conversion"),
            PostingDraft(trading, money("50.00"), "conversion"),
            PostingDraft(trading, -money("5000.00", "RUB"), "conversion"),
            PostingDraft(bank_rub, money("5000.00", "RUB"), "conversion"),
        ],
        conversion_rate="100",
    )
    food = spend(session, vera, "1000.00", "RUB", "food", on=date(2026, 3, 10), description="Food parcel")
    session.add(
        Receipt(
            entry_id=food.id,
            sha256="a" * 64,
            content_type="application/pdf",
            size_bytes=1234,
            original_name="receipt.pdf",
        )
    )
    spend(session, vera, "30.00", "EUR", "parcels", on=date(2026, 3, 12), description="Parcel and postage")
    post(
        session,
        date(2026, 3, 15),
        "Refund of a card donation",
        [PostingDraft(fund, money("20.00"), "refund"), PostingDraft(bank_eur, -money("20.00"), "refund")],
    )
    clothing = spend(
        session, vera, "500.00", "RUB", "clothing", on=date(2026, 4, 1), description="Warm clothes"
    )
    reverse_entry(session, clothing, reason="recorded twice", entry_date=date(2026, 4, 2))

    give(session, pavel, "100.00", on=date(2026, 3, 3), donor=anonymous)
    give(session, olga, "10.00", on=date(2026, 3, 4))
    give(session, hidden, "70.00", on=date(2026, 3, 5), donor=public_donor)
    spend(
        session,
        hidden,
        "7.00",
        "EUR",
        "letters",
        on=date(2026, 3, 6),
        description="Letters for the hidden one",
    )
    session.commit()
    return Books(vera, pavel, olga, hidden, food, clothing, pledge)


@pytest.fixture(autouse=True)
def _books_sealed_by_a_checkpoint(request):
    """Public pages show the state of the latest signed checkpoint: once the books are
    written, the daily checkpoint has run (tests/checkpoints test the state before it)."""
    if "books" in request.fixturenames:
        from tests.conftest import seal

        request.getfixturevalue("books")
        seal(request.getfixturevalue("session"))
