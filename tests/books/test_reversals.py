"""A reversal is the exact mirror of its entry: every posting's account, amount, category and
memo, the conversion rate, the link back, its own idempotency key; and the advance flag only
when an admin reverses an advance."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.books.accounts import fund_account_for, get_or_create_account, trading_account
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.books.verify import verify_ledger
from ledger.money import parse_amount
from ledger.platform.database import utc_today


def _lines(entry):
    return [
        (p.line_no, p.account.name, p.currency, p.amount_minor, p.category, p.memo)
        for p in sorted(entry.postings, key=lambda p: p.line_no)
    ]


@pytest.fixture
def conversion(session, create_prisoner, create_donation):
    """A conversion inside Vera's fund: four postings, two currencies, categories and memos."""
    vera = create_prisoner("vera")
    create_donation(vera, "100.00")
    fund, trading = fund_account_for(session, vera), trading_account(session)
    eur, rub = parse_amount("50.00", "EUR"), parse_amount("5000", "RUB")
    entry = post_entry(
        session,
        EntryDraft(
            date(2026, 3, 1),
            "Conversion EUR→RUB at 100",
            [
                PostingDraft(fund, eur, "conversion", "sold"),
                PostingDraft(trading, -eur, "conversion"),
                PostingDraft(trading, rub, "conversion", "bought"),
                PostingDraft(fund, -rub, "conversion"),
            ],
            conversion_rate="100",
        ),
    )
    session.commit()
    return entry


def test_postings_are_numbered_from_one_in_the_order_given(conversion):
    assert [line[0] for line in _lines(conversion)] == [1, 2, 3, 4]
    assert [line[4:] for line in _lines(conversion)] == [
        ("conversion", "sold"),
        ("conversion", None),
        ("conversion", "bought"),
        ("conversion", None),
    ]


def test_a_reversal_mirrors_every_posting_with_its_category_and_memo(session, conversion):
    reversal = reverse_entry(session, conversion, reason="wrong rate", idempotency_key="api:1:undo-7")
    session.commit()
    assert _lines(reversal) == [
        (n, account, currency, -amount, category, memo)
        for n, account, currency, amount, category, memo in _lines(conversion)
    ]
    assert reversal.reverses_id == conversion.id
    assert reversal.source_type == "reversal"
    assert reversal.source_ref == str(conversion.id)
    assert reversal.idempotency_key == "api:1:undo-7"
    assert reversal.conversion_rate == "100"
    assert reversal.description == f"Reversal of #{conversion.id}: wrong rate"
    assert reversal.entry_date == utc_today()
    assert reversal.is_advance is False
    assert verify_ledger(session).ok


def test_a_reversal_may_be_dated(session, conversion):
    assert reverse_entry(session, conversion, reason="late", entry_date=date(2026, 3, 2)).entry_date == date(
        2026, 3, 2
    )


@pytest.fixture
def overdraft(session, create_prisoner, create_user):
    """An admin's flagged advance: Vera's empty fund pays a parcel."""
    vera = create_prisoner("vera")
    admin, coordinator = create_user("admin"), create_user("coordinator")
    fund, bank = fund_account_for(session, vera), get_or_create_account(session, "assets:bank:eur-main")
    money = parse_amount("20.00", "EUR")
    entry = post_entry(
        session,
        EntryDraft(
            date(2026, 3, 1),
            "Parcel before the gifts came",
            [PostingDraft(fund, money, "parcels"), PostingDraft(bank, -money)],
            is_advance=True,
        ),
        recorded_by=admin,
    )
    session.commit()
    return entry, admin, coordinator


def test_an_admin_reversing_an_advance_keeps_the_flag(session, overdraft):
    entry, admin, _ = overdraft
    reversal = reverse_entry(session, entry, reason="parcel returned", recorded_by=admin)
    assert reversal.is_advance is True
    assert reversal.recorded_by_id == admin.id


def test_a_coordinator_reversing_an_advance_records_no_advance(session, overdraft):
    entry, _, coordinator = overdraft
    reversal = reverse_entry(session, entry, reason="parcel returned", recorded_by=coordinator)
    assert reversal.is_advance is False
    assert reversal.recorded_by_id == coordinator.id


def test_a_reversal_by_no_one_records_no_advance(session, overdraft):
    """A job reversing on nobody's behalf (a Stripe refund) is no admin's decision."""
    entry, _, _ = overdraft
    reversal = reverse_entry(session, entry, reason="refunded by the bank")
    assert reversal.is_advance is False
    assert reversal.recorded_by_id is None


def test_an_admin_reversing_an_ordinary_entry_records_no_advance(session, conversion, create_user):
    admin = create_user("admin")
    assert reverse_entry(session, conversion, reason="typo", recorded_by=admin).is_advance is False
