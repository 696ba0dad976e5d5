"""Every refusal of post_entry and reverse_entry: its class, what it says, the field it points
at and its parameters (the web and the API build their messages from these), and that it
wrote nothing.  Also the edges of what is accepted: the first and last dates, the longest
texts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for, get_or_create_account
from ledger.books.errors import (
    AlreadyReversed,
    DuplicateEntry,
    InsufficientFunds,
    InvalidEntry,
    NotPermitted,
    UnbalancedEntry,
)
from ledger.books.models import JournalEntry, Posting
from ledger.books.posting import MAX_DATE, MIN_DATE, EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.money import Money

ON = date(2026, 2, 1)


def eur(amount: str) -> Money:
    from decimal import Decimal

    return Money(Decimal(amount), "EUR")


def gift(amount: str = "10.00", **options) -> EntryDraft:
    """A bank gift to the general fund, as a draft with names for accounts."""
    return EntryDraft(
        options.pop("entry_date", ON),
        options.pop("description", "Gift"),
        options.pop(
            "postings",
            [
                PostingDraft("assets:bank:eur-main", eur(amount), "donation"),
                PostingDraft("liabilities:funds:general", -eur(amount), "donation"),
            ],
        ),
        **options,
    )


@pytest.fixture
def bank(session):
    get_or_create_account(session, "assets:bank:eur-main")
    session.commit()


def _journal(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(JournalEntry)),
        session.scalar(select(func.count()).select_from(Posting)),
    )


def _refused(session, error_class, call):
    before = _journal(session)
    with pytest.raises(error_class) as caught:
        call()
    session.rollback()
    assert _journal(session) == before
    return caught.value


@pytest.mark.parametrize(
    ("draft", "error_class", "message", "field", "params"),
    [
        (
            gift(entry_date=date(1999, 12, 31)),
            InvalidEntry,
            "date out of range",
            "date",
            {"reason": "date_out_of_range"},
        ),
        (
            gift(entry_date=date(2101, 1, 1)),
            InvalidEntry,
            "date out of range",
            "date",
            {"reason": "date_out_of_range"},
        ),
        (
            gift(entry_date="2026-02-01"),
            InvalidEntry,
            "date out of range",
            "date",
            {"reason": "date_out_of_range"},
        ),
        (gift(source_type="gossip"), InvalidEntry, "unknown source", "source", {}),
        (
            gift(postings=[PostingDraft("assets:bank:eur-main", eur("1.00"))]),
            UnbalancedEntry,
            "an entry needs at least two postings",
            None,
            {},
        ),
        (
            gift(postings=[PostingDraft("assets:bank:eur-main", 100), PostingDraft("assets:stripe", -100)]),
            InvalidEntry,
            "amounts must be Money",
            "amount",
            {},
        ),
        (
            gift(
                postings=[
                    PostingDraft("assets:bank:eur-main", eur("0")),
                    PostingDraft("assets:stripe", eur("0")),
                ]
            ),
            InvalidEntry,
            "zero posting",
            "amount",
            {},
        ),
        (
            gift(
                postings=[
                    PostingDraft("assets:bank:eur-main", eur("1.00"), "bribes"),
                    PostingDraft("liabilities:funds:general", -eur("1.00")),
                ]
            ),
            InvalidEntry,
            "unknown category",
            "category",
            {"category": "bribes"},
        ),
        (
            gift(
                postings=[
                    PostingDraft("assets:bank:eur-main", eur("1.00")),
                    PostingDraft("liabilities:funds:general", -eur("0.40")),
                ]
            ),
            UnbalancedEntry,
            "entry does not balance",
            None,
            {"totals": {"EUR": 60}},
        ),
        (gift(description="   "), InvalidEntry, "required", "description", {"reason": "required"}),
        (
            gift(description="x" * 501),
            InvalidEntry,
            "too_long",
            "description",
            {"reason": "too_long", "max": 500},
        ),
        (
            gift(idempotency_key="k" * 201),
            InvalidEntry,
            "too_long",
            "idempotency_key",
            {"reason": "too_long", "max": 200},
        ),
        (
            gift(source_ref="r" * 201),
            InvalidEntry,
            "too_long",
            "source_ref",
            {"reason": "too_long", "max": 200},
        ),
        (
            gift(
                postings=[
                    PostingDraft("assets:bank:eur-main", eur("1.00"), memo="m" * 501),
                    PostingDraft("liabilities:funds:general", -eur("1.00")),
                ]
            ),
            InvalidEntry,
            "too_long",
            "memo",
            {"reason": "too_long", "max": 500},
        ),
        (
            gift(
                postings=[
                    PostingDraft("assets:bank:nowhere", eur("1.00")),
                    PostingDraft("liabilities:funds:general", -eur("1.00")),
                ]
            ),
            InvalidEntry,
            "unknown account",
            "account",
            {"account": "assets:bank:nowhere"},
        ),
        (
            gift(
                postings=[
                    PostingDraft(42, eur("1.00")),
                    PostingDraft("liabilities:funds:general", -eur("1.00")),
                ]
            ),
            InvalidEntry,
            "bad account",
            "account",
            {},
        ),
        (gift(is_advance=True), NotPermitted, "only an admin may record an advance", "is_advance", {}),
    ],
    ids=[
        "before-2000",
        "after-2100",
        "not-a-date",
        "unknown-source",
        "one-posting",
        "not-money",
        "zero",
        "unknown-category",
        "unbalanced",
        "no-description",
        "description-too-long",
        "key-too-long",
        "source-ref-too-long",
        "memo-too-long",
        "unknown-account",
        "bad-account",
        "advance-by-nobody",
    ],
)
def test_a_bad_draft_is_refused_with_its_reason_and_writes_nothing(
    session, bank, draft, error_class, message, field, params
):
    error = _refused(session, error_class, lambda: post_entry(session, draft))
    assert str(error) == message
    assert error.field == field
    assert error.params == params


@pytest.mark.parametrize(
    ("role", "allowed"), [("coordinator", False), ("auditor", False), ("admin", True), (None, False)]
)
def test_only_an_admin_records_an_advance(session, bank, create_user, role, allowed):
    user = create_user(role) if role else None
    session.commit()
    draft = gift(
        postings=[
            PostingDraft("liabilities:funds:general", eur("5.00"), "food"),
            PostingDraft("assets:bank:eur-main", -eur("5.00"), "food"),
        ],
        is_advance=True,
    )
    if allowed:
        entry = post_entry(session, draft, recorded_by=user)
        assert entry.is_advance
        assert entry.recorded_by_id == user.id
    else:
        error = _refused(session, NotPermitted, lambda: post_entry(session, draft, recorded_by=user))
        assert error.field == "is_advance"


@pytest.mark.parametrize("on", [MIN_DATE, MAX_DATE], ids=["first-day", "last-day"])
def test_the_first_and_last_dates_are_accepted(session, bank, on):
    assert post_entry(session, gift(entry_date=on)).entry_date == on


def test_the_longest_texts_are_accepted_and_stripped(session, bank):
    entry = post_entry(
        session,
        gift(
            description=" " + "d" * 500 + " ",
            idempotency_key="k" * 200,
            source_ref="r" * 200,
            postings=[
                PostingDraft("assets:bank:eur-main", eur("1.00"), "donation", memo="m" * 500),
                PostingDraft("liabilities:funds:general", -eur("1.00"), "donation", memo="  "),
            ],
        ),
    )
    session.commit()
    assert entry.description == "d" * 500
    assert entry.idempotency_key == "k" * 200
    assert entry.source_ref == "r" * 200
    assert [p.memo for p in sorted(entry.postings, key=lambda p: p.line_no)] == ["m" * 500, None]


def test_empty_optional_texts_are_stored_as_null(session, bank):
    entry = post_entry(session, gift(idempotency_key="  ", source_ref=""))
    session.commit()
    assert entry.idempotency_key is None
    assert entry.source_ref is None


def test_a_second_post_with_the_same_key_names_the_first_entry(session, bank):
    first = post_entry(session, gift(idempotency_key="import:abc:1"))
    session.commit()
    error = _refused(
        session, DuplicateEntry, lambda: post_entry(session, gift(idempotency_key="import:abc:1"))
    )
    assert error.entry.id == first.id
    assert str(error) == f"already recorded as entry {first.id}"


def test_spending_more_than_a_fund_holds_says_how_much_is_there_and_needed(
    session, bank, create_prisoner, create_donation
):
    vera = create_prisoner("vera")
    create_donation(vera, "30.00")
    session.commit()
    fund = fund_account_for(session, vera)
    draft = gift(
        postings=[
            PostingDraft(fund, eur("45.50"), "food"),
            PostingDraft("assets:bank:eur-main", -eur("45.50"), "food"),
        ]
    )
    error = _refused(session, InsufficientFunds, lambda: post_entry(session, draft))
    assert str(error) == "not enough money"
    assert error.field == "amount"
    assert error.params == {
        "account": "liabilities:funds:prisoner:vera",
        "currency": "EUR",
        "available": eur("30.00"),
        "needed": eur("45.50"),
    }


def test_an_empty_fund_has_nothing_available(session, bank, create_prisoner):
    vera = create_prisoner("vera")
    session.commit()
    draft = gift(
        postings=[
            PostingDraft(fund_account_for(session, vera), eur("1.00"), "food"),
            PostingDraft("assets:bank:eur-main", -eur("1.00"), "food"),
        ]
    )
    error = _refused(session, InsufficientFunds, lambda: post_entry(session, draft))
    assert error.params["available"] == eur("0.00")
    assert error.params["needed"] == eur("1.00")


def test_a_reversal_needs_a_reason(session, bank):
    entry = post_entry(session, gift())
    session.commit()
    for reason in ("", "   ", None):
        error = _refused(session, InvalidEntry, lambda r=reason: reverse_entry(session, entry, reason=r))
        assert error.field == "reason"
        assert error.params == {"reason": "required"}
    error = _refused(session, InvalidEntry, lambda: reverse_entry(session, entry, reason="x" * 301))
    assert error.params == {"reason": "too_long", "max": 300}
    assert (
        reverse_entry(session, entry, reason="y" * 300).description
        == f"Reversal of #{entry.id}: " + "y" * 300
    )


def test_a_reversal_cannot_be_reversed_nor_an_entry_reversed_twice(session, bank):
    entry = post_entry(session, gift())
    reversal = reverse_entry(session, entry, reason="typed twice")
    session.commit()
    error = _refused(session, InvalidEntry, lambda: reverse_entry(session, reversal, reason="again"))
    assert str(error) == "a reversal cannot be reversed; record a new entry"
    assert error.field == "entry"
    assert error.params == {"reason": "reversal_of_reversal"}
    error = _refused(session, AlreadyReversed, lambda: reverse_entry(session, entry, reason="again"))
    assert str(error) == "entry already reversed"
    assert error.field == "entry"
    assert error.params == {"reversal_id": reversal.id}
