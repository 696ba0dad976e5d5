from datetime import date

import pytest
from sqlalchemy import delete, func, select

from ledger.access.users import create_user
from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account
from ledger.books.balances import available_in
from ledger.books.bulk import post_entries
from ledger.books.errors import (
    AlreadyReversed,
    DuplicateEntry,
    InsufficientFunds,
    InvalidEntry,
    NotPermitted,
    UnbalancedEntry,
)
from ledger.books.hashchain import GENESIS_HASH
from ledger.books.models import AccountBalance, JournalEntry, LedgerHead, Posting
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.books.verify import verify_ledger
from ledger.money import Money, MoneyError, parse_amount


def _counts(session):
    return (
        session.scalar(select(func.count()).select_from(JournalEntry)),
        session.scalar(select(func.count()).select_from(Posting)),
        session.scalar(select(func.sum(AccountBalance.balance_minor))),
    )


def _spend(session, prisoner, amount, currency="EUR", *, is_advance=False, recorded_by=None):
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, f"assets:bank:{currency.lower()}-main")
    money = parse_amount(amount, currency)
    draft = EntryDraft(
        date(2026, 2, 1),
        "Food parcel",
        [PostingDraft(fund, money, "food"), PostingDraft(bank, -money)],
        is_advance=is_advance,
    )
    return post_entry(session, draft, recorded_by=recorded_by)


def test_donation_credits_the_fund_and_chains_the_entry(session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    entry = create_donation(prisoner, "100.00")
    session.commit()
    assert entry.id == 1
    assert entry.prev_hash == "0" * 64
    assert len(entry.hash) == 64
    assert available_in(session, fund_account_for(session, prisoner)) == {
        "EUR": Money.from_minor(10000, "EUR")
    }
    assert verify_ledger(session).ok


def test_unbalanced_entry_is_refused_and_nothing_is_written(session, create_prisoner):
    prisoner = create_prisoner()
    session.commit()
    before = _counts(session)
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, "assets:bank:eur-main")
    session.commit()
    with pytest.raises(UnbalancedEntry):
        post_entry(
            session,
            EntryDraft(
                date(2026, 1, 1),
                "x",
                [
                    PostingDraft(bank, parse_amount("10.00", "EUR")),
                    PostingDraft(fund, -parse_amount("9.99", "EUR")),
                ],
            ),
        )
    session.rollback()
    assert _counts(session) == before


def test_a_currency_mix_must_balance_per_currency(session, create_prisoner):
    prisoner = create_prisoner()
    bank = get_or_create_account(session, "assets:bank:eur-main")
    with pytest.raises(UnbalancedEntry):
        post_entry(
            session,
            EntryDraft(
                date(2026, 1, 1),
                "x",
                [
                    PostingDraft(bank, parse_amount("10.00", "EUR")),
                    PostingDraft(fund_account_for(session, prisoner), -parse_amount("10.00", "USD")),
                ],
            ),
        )


def test_float_amounts_never_reach_the_ledger(session, create_prisoner):
    with pytest.raises(MoneyError):
        Money(10.0, "EUR")  # type: ignore[arg-type]
    prisoner = create_prisoner()
    bank = get_or_create_account(session, "assets:bank:eur-main")
    with pytest.raises(InvalidEntry):
        post_entry(
            session,
            EntryDraft(
                date(2026, 1, 1),
                "x",
                [PostingDraft(bank, 10.0), PostingDraft(fund_account_for(session, prisoner), -10.0)],
            ),
        )  # type: ignore[arg-type]


def test_single_posting_and_bad_dates_and_categories_are_refused(session, create_prisoner):
    prisoner = create_prisoner()
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, "assets:bank:eur-main")
    ten = parse_amount("10", "EUR")
    with pytest.raises(UnbalancedEntry):
        post_entry(session, EntryDraft(date(2026, 1, 1), "x", [PostingDraft(bank, ten)]))
    with pytest.raises(InvalidEntry):
        post_entry(
            session, EntryDraft(date(1900, 1, 1), "x", [PostingDraft(bank, ten), PostingDraft(fund, -ten)])
        )
    with pytest.raises(InvalidEntry):
        post_entry(
            session,
            EntryDraft(date(2026, 1, 1), "x", [PostingDraft(bank, ten, "vodka"), PostingDraft(fund, -ten)]),
        )
    with pytest.raises(InvalidEntry) as error:
        post_entry(
            session,
            EntryDraft(
                date(2026, 1, 1),
                "fake\n2026-01-01 injected",
                [PostingDraft(bank, ten), PostingDraft(fund, -ten)],
            ),
        )
    assert error.value.field == "description"


def test_spending_more_than_the_fund_holds_is_refused_and_writes_nothing(
    session, create_prisoner, create_donation
):
    prisoner = create_prisoner()
    create_donation(prisoner, "100.00")
    session.commit()
    before = _counts(session)
    with pytest.raises(InsufficientFunds) as error:
        _spend(session, prisoner, "100.01")
    session.rollback()
    assert error.value.params["available"] == Money.from_minor(10000, "EUR")
    assert _counts(session) == before
    _spend(session, prisoner, "100.00")
    session.commit()
    assert available_in(session, fund_account_for(session, prisoner)) == {}


def test_money_in_another_currency_does_not_cover_spending(session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    create_donation(prisoner, "100000", "RUB")
    with pytest.raises(InsufficientFunds):
        _spend(session, prisoner, "1.00", "EUR")


def test_only_an_admin_may_record_a_flagged_advance(session, create_prisoner):
    prisoner = create_prisoner()
    coordinator = create_user(session, "c@example.org", "long enough password", "coordinator")
    admin = create_user(session, "a@example.org", "long enough password", "admin")
    with pytest.raises(NotPermitted):
        _spend(session, prisoner, "50.00", is_advance=True, recorded_by=coordinator)
    entry = _spend(session, prisoner, "50.00", is_advance=True, recorded_by=admin)
    session.commit()
    assert entry.is_advance
    assert verify_ledger(session).ok


def test_the_same_idempotency_key_records_once(session, create_prisoner):
    prisoner = create_prisoner()
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, "assets:bank:eur-main")
    ten = parse_amount("10", "EUR")
    draft = EntryDraft(
        date(2026, 1, 1),
        "Import row 7",
        [PostingDraft(bank, ten), PostingDraft(fund, -ten)],
        source_type="import",
        idempotency_key="import:abc:7",
    )
    first = post_entry(session, draft)
    session.commit()
    with pytest.raises(DuplicateEntry) as error:
        post_entry(session, draft)
    assert error.value.entry.id == first.id
    session.rollback()
    assert _counts(session)[0] == 1


def test_reversal_mirrors_the_entry_and_keeps_the_original(session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    donation = create_donation(prisoner, "80.00")
    session.commit()
    reversal = reverse_entry(session, donation, reason="entered twice")
    session.commit()
    assert reversal.reverses_id == donation.id
    assert sorted(p.amount_minor for p in reversal.postings) == sorted(
        -p.amount_minor for p in donation.postings
    )
    assert session.get(JournalEntry, donation.id).reversed_by.id == reversal.id
    assert available_in(session, fund_account_for(session, prisoner)) == {}
    with pytest.raises(AlreadyReversed):
        reverse_entry(session, donation, reason="again")
    session.rollback()
    with pytest.raises(InvalidEntry):
        reverse_entry(session, reversal, reason="undo the undo")
    assert verify_ledger(session).ok


def test_reversing_a_donation_already_spent_is_refused(session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    donation = create_donation(prisoner, "80.00")
    _spend(session, prisoner, "50.00")
    session.commit()
    with pytest.raises(InsufficientFunds):
        reverse_entry(session, donation, reason="bounced")


def test_general_fund_is_guarded_too(session):
    fund = general_fund(session)
    bank = get_or_create_account(session, "assets:bank:eur-main")
    five = parse_amount("5", "EUR")
    with pytest.raises(InsufficientFunds):
        post_entry(
            session, EntryDraft(date(2026, 1, 1), "x", [PostingDraft(fund, five), PostingDraft(bank, -five)])
        )


def test_cash_held_by_a_coordinator_cannot_go_negative(session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    create_donation(prisoner, "100.00")
    cash = get_or_create_account(session, "assets:cash:olga", currency="EUR")
    five = parse_amount("5", "EUR")
    with pytest.raises(InsufficientFunds):
        post_entry(
            session,
            EntryDraft(
                date(2026, 1, 1),
                "x",
                [PostingDraft(fund_account_for(session, prisoner), five, "food"), PostingDraft(cash, -five)],
            ),
        )


@pytest.mark.parametrize("path", ["post_entry", "post_entries"])
def test_a_head_loaded_before_posting_is_not_left_stale(session, create_prisoner, create_donation, path):
    prisoner = create_prisoner()
    create_donation(prisoner, "10.00")
    session.commit()
    head = session.get(LedgerHead, 1)
    assert head.entry_count == 1
    fund, bank = fund_account_for(session, prisoner), get_or_create_account(session, "assets:bank:eur-main")
    gift = parse_amount("5.00", "EUR")
    draft = EntryDraft(date(2026, 2, 2), "Gift", [PostingDraft(bank, gift), PostingDraft(fund, -gift)])
    if path == "post_entry":
        post_entry(session, draft)
    else:
        post_entries(session, [draft])
    latest = session.scalar(select(JournalEntry.hash).where(JournalEntry.id == 2))
    assert (head.entry_count, head.head_hash) == (2, latest)


def test_the_first_entry_starts_the_chain_where_the_head_row_is_missing(
    session, create_prisoner, create_donation
):
    """A database whose head row was never written (the migrations write it) still chains."""
    prisoner = create_prisoner()
    session.execute(delete(LedgerHead))
    session.commit()
    entry = create_donation(prisoner, "10.00")
    session.commit()
    assert (entry.id, entry.prev_hash) == (1, GENESIS_HASH)
    head = session.get(LedgerHead, 1)
    assert (head.entry_count, head.head_hash) == (1, entry.hash)
    assert create_donation(prisoner, "5.00").prev_hash == entry.hash
    session.commit()
    assert verify_ledger(session).ok


def test_the_entry_returned_is_the_row_written(session, create_prisoner, create_donation):
    """Before any commit or reload: the object post_entry() returns carries the stored facts."""
    prisoner = create_prisoner()
    first = create_donation(prisoner, "10.00")
    second = create_donation(prisoner, "2.50")
    stored = session.execute(
        select(JournalEntry.prev_hash, JournalEntry.hash, JournalEntry.approved_by_id).where(
            JournalEntry.id == 2
        )
    ).one()
    assert (second.prev_hash, second.hash, second.approved_by_id) == tuple(stored)
    assert second.prev_hash == first.hash
