"""The rules posting applies to the accounts it names — a closed account takes nothing, a
bank or cash account only its own currency, a guarded account (a fund, a cash box) never
goes below zero — whether a posting names its account by name (looked up in SQL) or as an
object.  Each refusal carries its code, message, field and parameters, and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ledger.access.models import User
from ledger.books.accounts import fund_account_for, get_or_create_account
from ledger.books.asset_accounts import close_account
from ledger.books.balances import available_in
from ledger.books.errors import (
    AccountClosed,
    CurrencyMismatch,
    InsufficientFunds,
    LedgerError,
    NotPermitted,
    OwnApproval,
)
from ledger.books.hashchain import entry_facts, entry_hash
from ledger.books.holds import Approval, ApprovalHold
from ledger.books.kinds import ApprovalKind
from ledger.books.models import AccountBalance, JournalEntry, Posting
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.books.verify import verify_ledger
from ledger.money import Money, parse_amount

ON = date(2026, 3, 1)
CASH = "assets:cash:coordinator-anna"


def _as(account, by: str):
    return account.name if by == "name" else account


def _written(session) -> tuple:
    return (
        session.scalar(select(func.count()).select_from(JournalEntry)),
        session.scalar(select(func.count()).select_from(Posting)),
        tuple(
            session.execute(
                select(
                    AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor
                ).order_by(AccountBalance.account_id, AccountBalance.currency)
            )
        ),
    )


def _refused(session, draft: EntryDraft, **people) -> LedgerError:
    """Post ``draft``, expect a refusal, and check that nothing was written."""
    before = _written(session)
    with pytest.raises(LedgerError) as refused:
        post_entry(session, draft, **people)
    session.rollback()
    assert _written(session) == before
    return refused.value


def _is(error: LedgerError, kind: type[LedgerError], message: str, field: str, **params) -> None:
    assert type(error) is kind
    assert error.code == kind.code
    assert str(error) == message
    assert error.field == field
    assert error.params == params


def _not_enough(error: LedgerError, account: str, currency: str, *, available: int, needed: int) -> None:
    _is(
        error,
        InsufficientFunds,
        "not enough money",
        "amount",
        account=account,
        currency=currency,
        available=Money.from_minor(available, currency),
        needed=Money.from_minor(needed, currency),
    )


@pytest.fixture
def cash_box(session, create_prisoner):
    """A prisoner's fund holding 300.00 RUB, 100.00 of it handed to a coordinator's cash box."""
    prisoner = create_prisoner("nina")
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, "assets:bank:rub-main")
    cash = get_or_create_account(session, CASH, currency="RUB")
    for asset, amount in ((bank, "200.00"), (cash, "100.00")):
        gift = parse_amount(amount, "RUB")
        post_entry(session, EntryDraft(ON, "Gift", [PostingDraft(asset, gift), PostingDraft(fund, -gift)]))
    session.commit()
    return fund, cash


@pytest.mark.parametrize("by", ["name", "object"])
def test_a_closed_account_takes_nothing(session, create_prisoner, by):
    prisoner = create_prisoner()
    spare = get_or_create_account(session, "assets:bank:eur-spare", currency="EUR")
    close_account(session, spare)
    session.commit()
    gift = parse_amount("10.00", "EUR")
    fund = fund_account_for(session, prisoner)
    error = _refused(
        session, EntryDraft(ON, "Gift", [PostingDraft(_as(spare, by), gift), PostingDraft(fund, -gift)])
    )
    _is(error, AccountClosed, "account closed", "account", account="assets:bank:eur-spare")


@pytest.mark.parametrize("by", ["name", "object"])
def test_a_bank_account_takes_only_its_own_currency(session, create_prisoner, by):
    prisoner = create_prisoner()
    bank = get_or_create_account(session, "assets:bank:eur-main")
    session.commit()
    gift = parse_amount("500.00", "RUB")
    fund = fund_account_for(session, prisoner)
    error = _refused(
        session, EntryDraft(ON, "Gift", [PostingDraft(_as(bank, by), gift), PostingDraft(fund, -gift)])
    )
    _is(
        error,
        CurrencyMismatch,
        "account holds another currency",
        "account",
        account="assets:bank:eur-main",
        expected="EUR",
        currency="RUB",
    )


@pytest.mark.parametrize("by", ["name", "object"])
def test_a_cash_box_cannot_pay_more_than_it_holds(session, cash_box, by):
    fund, cash = cash_box
    value = parse_amount("150.00", "RUB")
    error = _refused(
        session,
        EntryDraft(
            ON, "Food parcel", [PostingDraft(fund, value, "food"), PostingDraft(_as(cash, by), -value)]
        ),
    )
    _not_enough(error, CASH, "RUB", available=10000, needed=15000)


@pytest.mark.parametrize("by", ["name", "object"])
def test_a_cash_box_can_pay_out_all_it_holds(session, cash_box, by):
    fund, cash = cash_box
    value = parse_amount("100.00", "RUB")
    post_entry(
        session,
        EntryDraft(
            ON,
            "Food parcel",
            [PostingDraft(_as(fund, by), value, "food"), PostingDraft(_as(cash, by), -value)],
        ),
    )
    session.commit()
    assert available_in(session, cash) == {}
    assert available_in(session, fund) == {"RUB": Money.from_minor(20000, "RUB")}


@pytest.mark.parametrize("by", ["name", "object"])
def test_a_fund_cannot_spend_more_than_it_holds(session, cash_box, by):
    fund, _cash = cash_box
    bank = get_or_create_account(session, "assets:bank:rub-main")
    value = parse_amount("300.01", "RUB")
    error = _refused(
        session,
        EntryDraft(
            ON, "Food parcel", [PostingDraft(_as(fund, by), value, "food"), PostingDraft(bank, -value)]
        ),
    )
    _not_enough(error, fund.name, "RUB", available=30000, needed=30001)


def test_a_fund_that_never_received_anything_pays_nothing(session, create_prisoner):
    fund = fund_account_for(session, create_prisoner("new"))
    bank = get_or_create_account(session, "assets:bank:eur-main")
    session.commit()
    cent = parse_amount("0.01", "EUR")
    error = _refused(
        session, EntryDraft(ON, "Parcel", [PostingDraft(fund, cent, "parcels"), PostingDraft(bank, -cent)])
    )
    _not_enough(error, fund.name, "EUR", available=0, needed=1)


@pytest.fixture
def held_back(session, cash_box, create_user):
    """Of the fund's 300.00 RUB, 120.00 are held back by an item waiting for sign-off."""
    fund, _cash = cash_box
    author = create_user("coordinator")
    approval = Approval(
        kind=ApprovalKind.DISBURSEMENT,
        currency="RUB",
        amount_minor=12000,
        description="Winter boots",
        payload="{}",
        author_id=author.id,
    )
    session.add(approval)
    session.flush()
    session.add(ApprovalHold(approval_id=approval.id, account_id=fund.id, currency="RUB", amount_minor=12000))
    session.commit()
    return fund, get_or_create_account(session, "assets:bank:rub-main")


def test_money_held_back_by_a_pending_item_cannot_be_spent(session, held_back):
    fund, bank = held_back
    value = parse_amount("180.01", "RUB")
    error = _refused(
        session,
        EntryDraft(ON, "Food parcel", [PostingDraft(fund, value, "food"), PostingDraft(bank, -value)]),
    )
    _not_enough(error, fund.name, "RUB", available=18000, needed=18001)


def test_what_is_not_held_back_can_be_spent(session, held_back):
    fund, bank = held_back
    value = parse_amount("180.00", "RUB")
    post_entry(
        session,
        EntryDraft(ON, "Food parcel", [PostingDraft(fund, value, "food"), PostingDraft(bank, -value)]),
    )
    session.commit()
    assert available_in(session, fund) == {"RUB": Money.from_minor(12000, "RUB")}


def test_an_admins_advance_may_take_held_money(session, held_back, create_user):
    fund, bank = held_back
    value = parse_amount("250.00", "RUB")
    draft = EntryDraft(
        ON,
        "Urgent parcel",
        [PostingDraft(fund, value, "parcels"), PostingDraft(bank, -value)],
        is_advance=True,
    )
    post_entry(session, draft, recorded_by=create_user("admin"))
    session.commit()
    assert available_in(session, fund) == {"RUB": Money.from_minor(5000, "RUB")}


@pytest.fixture
def parcel(session, cash_box):
    fund, _cash = cash_box
    bank = get_or_create_account(session, "assets:bank:rub-main")
    value = parse_amount("50.00", "RUB")
    return EntryDraft(ON, "Parcel", [PostingDraft(fund, value, "parcels"), PostingDraft(bank, -value)])


def test_the_second_person_is_in_the_entry_and_its_hash(session, parcel, create_user):
    author, approver = create_user("coordinator"), create_user("admin", "admin@example.org")
    entry = post_entry(session, parcel, recorded_by=author, approved_by=approver)
    session.commit()
    assert (entry.recorded_by_id, entry.approved_by_id) == (author.id, approver.id)
    postings = [
        (p.line_no, p.account.name, p.currency, p.amount_minor, p.category, p.memo)
        for p in sorted(entry.postings, key=lambda p: p.line_no)
    ]
    assert entry.hash == entry_hash(entry.prev_hash, entry_facts(entry), postings)
    unsigned = entry_facts(entry)._replace(approved_by_id=None)
    assert entry.hash != entry_hash(entry.prev_hash, unsigned, postings)
    assert verify_ledger(session).ok


@pytest.mark.parametrize("approver", ["the author", "a user not yet saved"])
def test_nobody_signs_off_their_own_entry(session, parcel, create_user, approver):
    author = create_user("coordinator")
    second = author if approver == "the author" else User(email="new@example.org", role="admin")
    error = _refused(session, parcel, recorded_by=author, approved_by=second)
    _is(error, OwnApproval, "a second person signs off", "approved_by")


@pytest.mark.parametrize("author", ["nobody", "a user not yet saved"])
def test_a_sign_off_needs_who_recorded_the_entry(session, parcel, create_user, author):
    approver = create_user("admin", "admin@example.org")
    recorder = None if author == "nobody" else User(email="new@example.org", role="coordinator")
    error = _refused(session, parcel, recorded_by=recorder, approved_by=approver)
    _is(error, NotPermitted, "a sign-off needs who recorded the entry", "approved_by")


def test_a_cash_box_that_never_held_anything_pays_nothing(session, create_prisoner, create_donation):
    prisoner = create_prisoner("new")
    create_donation(prisoner, "50.00", "RUB")
    fund = fund_account_for(session, prisoner)
    cash = get_or_create_account(session, "assets:cash:coordinator-boris", currency="RUB")
    session.commit()
    kopeck = parse_amount("0.01", "RUB")
    error = _refused(
        session,
        EntryDraft(ON, "Parcel", [PostingDraft(fund, kopeck, "parcels"), PostingDraft(cash, -kopeck)]),
    )
    _not_enough(error, cash.name, "RUB", available=0, needed=1)
