"""Factories for the domain objects, and ``create_*`` fixtures that return them.

As in Indico's test suite, each fixture returns a callable bound to the test's session,
so a test asks for what it builds::

    def test_a_gift_shows(create_prisoner, create_donation):
        vera = create_prisoner("vera")
        create_donation(vera, "25.00")

The factories themselves (``new_prisoner``, ``bank_donation`` …) take the session first,
for fixtures and helpers that already hold one.  They build through the domain's own
functions (``post_entry``, ``fund_account_for``, ``create_user``), never by raw inserts,
so what they make is what the application makes.  Nothing here commits.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from ledger.access import users as access_users
from ledger.access.audit import record_audit
from ledger.access.models import User
from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account, trading_account
from ledger.books.models import JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.funds.models import Donation, Donor, Facility, Pledge, Prisoner
from ledger.money import Money, parse_amount
from ledger.spending.models import Receipt
from tests.helpers import PASSWORD

# The names and emails planted in the books, to prove that the reports never show them.
PUBLIC_DONOR = "Friends in Tbilisi"
PUBLIC_DONOR_EMAIL = "friends@example.net"
ANONYMOUS_EMAIL = "secret.donor@example.com"
HIDDEN_NAME = "Скрытый Узников"

GIFT_DATE = date(2026, 1, 10)


def money(amount: str, currency: str = "EUR") -> Money:
    return parse_amount(amount, currency)


def new_prisoner(
    session: Session,
    slug: str = "test-prisoner",
    *,
    public: bool = True,
    name: str = "Тест Тестов",
    name_latin: str = "Test Testov",
    status: str = "sentenced",
    facility: Facility | None = None,
) -> Prisoner:
    """A prisoner with their fund account."""
    prisoner = Prisoner(
        slug=slug, name=name, name_latin=name_latin, status=status, public=public, facility=facility
    )
    session.add(prisoner)
    session.flush()
    fund_account_for(session, prisoner)
    # as create_prisoner does: ``ledger verify`` holds the public flag against the audit log
    record_audit(session, "prisoner.created", target=f"prisoner:{slug}", public=public)
    return prisoner


def new_facility(session: Session, name: str = "ИК-1 (test)", **limits: int | None) -> Facility:
    facility = Facility(name=name, **limits)
    session.add(facility)
    session.flush()
    return facility


def new_user(
    session: Session, role: str = "coordinator", email: str | None = None, password: str = PASSWORD
) -> User:
    return access_users.create_user(session, email or f"{role}@example.org", password, role)


def new_token(session: Session, user: User) -> str:
    """A bearer token for ``user`` (the secret, as the API client would hold it)."""
    return access_users.create_token(session, user)


def bank_donation(
    session: Session, prisoner: Prisoner | None, amount: str, currency: str = "EUR", *, on: date = GIFT_DATE
) -> JournalEntry:
    """A bank transfer into the prisoner's fund (or the general fund): the journal entry only."""
    bank = get_or_create_account(session, f"assets:bank:{currency.lower()}-main")
    gift = money(amount, currency)
    fund = fund_account_for(session, prisoner) if prisoner else general_fund(session)
    return post_entry(
        session,
        EntryDraft(
            on, "Bank transfer", [PostingDraft(bank, gift, "donation"), PostingDraft(fund, -gift, "donation")]
        ),
    )


def recorded_donation(
    session: Session,
    prisoner: Prisoner | None,
    amount: str,
    currency: str = "EUR",
    *,
    on: date = GIFT_DATE,
    donor: Donor | None = None,
    pledge: Pledge | None = None,
    fee: str | None = None,
    method: str = "bank",
) -> JournalEntry:
    """A donation as the fundraising pages record it: the entry (gross to the fund, the card
    fee debited from it) and its Donation row."""
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
    description = "Card donation" if method == "card" else "Bank transfer"
    entry = post_entry(session, EntryDraft(on, description, postings))
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


def spending(
    session: Session,
    prisoner: Prisoner,
    amount: str,
    currency: str = "EUR",
    category: str = "parcels",
    *,
    on: date = GIFT_DATE,
    description: str = "Parcel",
) -> JournalEntry:
    """Money spent from the prisoner's fund, paid from the currency's main bank account."""
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, f"assets:bank:{currency.lower()}-main")
    value = money(amount, currency)
    return post_entry(
        session,
        EntryDraft(
            on, description, [PostingDraft(fund, value, category), PostingDraft(bank, -value, category)]
        ),
    )


def jpeg_with_gps() -> bytes:
    """A receipt photo carrying EXIF with a GPS position and a camera serial number."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-123456"  # BodySerialNumber
    gps = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def minimal_pdf() -> bytes:
    """A one-page PDF and nothing else."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    """A one-page PDF as a scanner app writes it: document information with the author,
    producer and dates, an XMP metadata stream, and a comment signed by its author."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    writer.add_metadata(
        {
            "/Author": "Secret Coordinator",
            "/Producer": "ScanMaster 9",
            "/Creator": "PhoneScanner",
            "/CreationDate": "D:20260301120000+03'00'",
            "/ModDate": "D:20260301120500+03'00'",
        }
    )
    xmp = StreamObject()
    xmp.set_data(
        b"<x:xmpmeta><dc:creator>Secret Coordinator</dc:creator><xmp:CreatorTool>ScanMaster 9"
        b"</xmp:CreatorTool></x:xmpmeta>"
    )
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    note = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/T"): TextStringObject("Secret Coordinator"),
            NameObject("/Contents"): TextStringObject("paid in cash"),
            NameObject("/Rect"): ArrayObject([]),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(note)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# The fixtures: each returns its factory bound to the test's session.


@pytest.fixture
def create_prisoner(session) -> Callable[..., Prisoner]:
    def _create_prisoner(slug: str = "test-prisoner", **fields) -> Prisoner:
        return new_prisoner(session, slug, **fields)

    return _create_prisoner


@pytest.fixture
def create_facility(session) -> Callable[..., Facility]:
    def _create_facility(name: str = "ИК-1 (test)", **limits) -> Facility:
        return new_facility(session, name, **limits)

    return _create_facility


@pytest.fixture
def create_user(session) -> Callable[..., User]:
    def _create_user(role: str = "coordinator", email: str | None = None, password: str = PASSWORD) -> User:
        return new_user(session, role, email, password)

    return _create_user


@pytest.fixture
def create_token(session) -> Callable[[User], str]:
    def _create_token(user: User) -> str:
        return new_token(session, user)

    return _create_token


@pytest.fixture
def create_donation(session) -> Callable[..., JournalEntry]:
    """A bank transfer into a fund (entry only); see ``bank_donation``."""

    def _create_donation(
        prisoner: Prisoner | None, amount: str, currency: str = "EUR", **options
    ) -> JournalEntry:
        return bank_donation(session, prisoner, amount, currency, **options)

    return _create_donation


@pytest.fixture
def create_recorded_donation(session) -> Callable[..., JournalEntry]:
    """A donation with its Donation row; see ``recorded_donation``."""

    def _create_recorded_donation(
        prisoner: Prisoner | None, amount: str, currency: str = "EUR", **options
    ) -> JournalEntry:
        return recorded_donation(session, prisoner, amount, currency, **options)

    return _create_recorded_donation


@pytest.fixture
def create_spending(session) -> Callable[..., JournalEntry]:
    def _create_spending(
        prisoner: Prisoner, amount: str, currency: str = "EUR", *args, **options
    ) -> JournalEntry:
        return spending(session, prisoner, amount, currency, *args, **options)

    return _create_spending


# Scenarios: whole sets of objects that several areas' tests read.


@pytest.fixture
def parcel_setup(session, create_prisoner, create_facility, create_donation):
    """A prisoner with 500 EUR and 20,000 RUB, a rouble bank account, and a facility with limits."""
    facility = create_facility("ИК-1 (test)", max_parcel_grams=20000, max_parcels_per_month=1)
    prisoner = create_prisoner("vera", facility=facility)
    create_donation(prisoner, "500.00", "EUR")
    create_donation(prisoner, "20000.00", "RUB")
    get_or_create_account(session, "assets:bank:rub-main")
    session.commit()
    return prisoner


def post(session, on: date, description: str, postings, **options):
    return post_entry(session, EntryDraft(on, description, postings, **options))


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
def books(session, create_prisoner, create_recorded_donation, create_spending) -> Books:
    """A small organisation's books with every kind of movement, known to the cent.

    Vera's fund, EUR: received 350.00 (100 by card with a 3.15 fee, 200 and 50 by bank),
    a 40.00 transfer in from the general fund, 50.00 converted to 5,000 RUB, 30.00 spent on
    parcels, a 20.00 refund: closing 286.85 EUR.  RUB: 5,000 in, 1,000 on food (with a
    receipt), 500 on clothing reversed: closing 4,000 RUB.  Monthly need 100 EUR: 2.8 months.
    """
    vera = create_prisoner("vera", name="Вера Книжкина")
    vera.name_latin = "Vera Knizhkina"
    vera.monthly_need_minor, vera.monthly_need_currency = 10000, "EUR"
    vera.address = "ИК-1, ул. Лесная, 1, Северогорск, 169001"
    vera.bio_en = "Vera is a librarian."
    pavel = create_prisoner("pavel", name="Павел Перов")
    pavel.name_latin = "Pavel Perov"
    pavel.monthly_need_minor, pavel.monthly_need_currency = 100000, "EUR"
    pavel.region = "Ясногорский край"
    olga = create_prisoner("olga", name="Ольга Без-Нужды")
    olga.name_latin = "Olga Bez-Nuzhdy"
    hidden = create_prisoner("hidden-one", public=False, name=HIDDEN_NAME)
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

    create_recorded_donation(
        vera,
        "100.00",
        on=date(2026, 1, 10),
        donor=public_donor,
        pledge=pledge,
        fee="3.15",
        method="card",
    )
    create_recorded_donation(vera, "200.00", on=date(2026, 2, 5), donor=anonymous)
    create_recorded_donation(vera, "50.00", on=date(2026, 2, 7))
    create_recorded_donation(None, "80.00", on=date(2026, 2, 15), donor=anonymous)
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
    food = create_spending(vera, "1000.00", "RUB", "food", on=date(2026, 3, 10), description="Food parcel")
    session.add(
        Receipt(
            entry_id=food.id,
            sha256="a" * 64,
            content_type="application/pdf",
            size_bytes=1234,
            original_name="receipt.pdf",
        )
    )
    create_spending(vera, "30.00", "EUR", "parcels", on=date(2026, 3, 12), description="Parcel and postage")
    post(
        session,
        date(2026, 3, 15),
        "Refund of a card donation",
        [PostingDraft(fund, money("20.00"), "refund"), PostingDraft(bank_eur, -money("20.00"), "refund")],
    )
    clothing = create_spending(
        vera, "500.00", "RUB", "clothing", on=date(2026, 4, 1), description="Warm clothes"
    )
    reverse_entry(session, clothing, reason="recorded twice", entry_date=date(2026, 4, 2))

    create_recorded_donation(pavel, "100.00", on=date(2026, 3, 3), donor=anonymous)
    create_recorded_donation(olga, "10.00", on=date(2026, 3, 4))
    create_recorded_donation(hidden, "70.00", on=date(2026, 3, 5), donor=public_donor)
    create_spending(
        hidden,
        "7.00",
        "EUR",
        "letters",
        on=date(2026, 3, 6),
        description="Letters for the hidden one",
    )
    session.commit()
    return Books(vera, pavel, olga, hidden, food, clothing, pledge)
