"""post_entries(): the bulk path keeps every invariant post_entry() keeps."""

from datetime import date

import pytest
from sqlalchemy import func, select

from bench.generate import Sizes, drafts, setup_world
from ledger.access.users import create_user
from ledger.books.accounts import find_account, fund_account_for, get_or_create_account
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
from ledger.books.models import AccountBalance, JournalEntry, LedgerHead, Posting
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.books.verify import verify_ledger
from ledger.money import Money

EUR = "assets:bank:eur-main"


def _eur(minor: int) -> Money:
    return Money.from_minor(minor, "EUR")


def _gift(fund, minor, **extra) -> EntryDraft:
    return EntryDraft(
        date(2026, 1, 5),
        "Bank transfer",
        [PostingDraft(EUR, _eur(minor)), PostingDraft(fund, _eur(-minor), "donation")],
        **extra,
    )


def _spend(fund, minor, **extra) -> EntryDraft:
    return EntryDraft(
        date(2026, 1, 6),
        "Food parcel",
        [PostingDraft(fund, _eur(minor), "food"), PostingDraft(EUR, _eur(-minor))],
        **extra,
    )


def _state(session):
    return (
        session.scalar(select(func.count()).select_from(JournalEntry)),
        session.scalar(select(func.count()).select_from(Posting)),
        sorted(
            session.execute(
                select(AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor)
            ).all()
        ),
        session.get(LedgerHead, 1).head_hash,
    )


@pytest.fixture
def fund(session, create_prisoner):
    prisoner = create_prisoner()
    get_or_create_account(session, EUR)
    name = fund_account_for(session, prisoner).name
    session.commit()
    return name


def test_generated_ledger_in_batches_verifies(session):
    sizes = Sizes(prisoners=20, years=1, postings=3000, seed=3)
    world = setup_world(session, sizes)
    session.commit()
    stream = list(drafts(world, sizes))
    assert any(d.reverses_id for d in stream)
    assert any(d.conversion_rate for d in stream)
    for start in range(0, len(stream), 400):
        ids = post_entries(session, stream[start : start + 400])
        session.commit()
        assert ids.start == start + 1
    result = verify_ledger(session)
    assert result.ok, result.problems
    assert result.entries == len(stream)
    assert result.postings == sum(len(d.postings) for d in stream)


def test_bulk_continues_the_chain_of_single_posts_and_back(session, fund):
    post_entry(session, _gift(fund, 10000))
    session.commit()
    ids = post_entries(session, [_gift(fund, 500), _spend(fund, 2000), _gift(fund, 700)])
    session.commit()
    assert list(ids) == [2, 3, 4]
    reverse_entry(session, session.get(JournalEntry, 3), reason="wrong prisoner")
    session.commit()
    assert available_in(session, find_account(session, fund)) == {"EUR": _eur(11200)}
    assert verify_ledger(session).ok
    assert session.get(JournalEntry, 4).prev_hash == session.get(JournalEntry, 3).hash


def test_a_draft_that_would_overdraw_refuses_the_whole_batch(session, fund):
    post_entries(session, [_gift(fund, 1000)])
    session.commit()
    before = _state(session)
    with pytest.raises(InsufficientFunds):
        post_entries(session, [_gift(fund, 500), _spend(fund, 1000), _spend(fund, 600)])
    session.rollback()
    assert _state(session) == before
    # the same spending is fine once the earlier gift in the batch covers it
    post_entries(session, [_gift(fund, 500), _spend(fund, 1500)])
    session.commit()
    assert available_in(session, find_account(session, fund)) == {}
    assert verify_ledger(session).ok


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (
            lambda fund: EntryDraft(
                date(2026, 1, 5), "x", [PostingDraft(EUR, _eur(1)), PostingDraft(fund, _eur(-2))]
            ),
            UnbalancedEntry,
        ),
        (lambda fund: _gift("liabilities:funds:prisoner:nobody", 100), InvalidEntry),
        (
            lambda fund: EntryDraft(
                date(2026, 1, 5), "bad\nline", [PostingDraft(EUR, _eur(1)), PostingDraft(fund, _eur(-1))]
            ),
            InvalidEntry,
        ),
        (lambda fund: _spend(fund, 100, is_advance=True), NotPermitted),
    ],
)
def test_invalid_drafts_are_refused_and_nothing_is_written(session, fund, bad, error):
    post_entries(session, [_gift(fund, 1000)])
    session.commit()
    before = _state(session)
    with pytest.raises(error):
        post_entries(session, [_gift(fund, 100), bad(fund)])
    session.rollback()
    assert _state(session) == before


def test_idempotency_keys_and_reversals_stay_unique(session, fund):
    post_entries(session, [_gift(fund, 1000, idempotency_key="import:abc:1"), _spend(fund, 100)])
    session.commit()
    with pytest.raises(DuplicateEntry):
        post_entries(session, [_gift(fund, 1, idempotency_key="import:abc:1")])
    with pytest.raises(InvalidEntry):
        post_entries(session, [_gift(fund, 1, idempotency_key="k"), _gift(fund, 2, idempotency_key="k")])
    mirror = [PostingDraft(fund, _eur(-100), "food"), PostingDraft(EUR, _eur(100))]
    reversal = EntryDraft(
        date(2026, 1, 7), "Reversal of #2: test", mirror, source_type="reversal", reverses_id=2
    )
    with pytest.raises(AlreadyReversed):
        post_entries(session, [reversal, reversal])
    post_entries(session, [reversal])
    session.commit()
    with pytest.raises(AlreadyReversed):
        post_entries(session, [reversal])
    session.rollback()
    assert verify_ledger(session).ok


def test_an_admin_may_post_an_advance_in_bulk(session, fund):
    admin = create_user(session, "a@example.org", "long enough password", "admin")
    session.commit()
    post_entries(session, [_spend(fund, 300, is_advance=True)], recorded_by=admin)
    session.commit()
    assert session.get(JournalEntry, 1).recorded_by_id == admin.id
    assert verify_ledger(session).ok
