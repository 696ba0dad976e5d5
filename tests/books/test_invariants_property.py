"""Random sequences of donations, transfers, conversions, spending and reversals
keep every invariant of the ledger (hypothesis)."""

import itertools
from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for, get_or_create_account, trading_account
from ledger.books.balances import available_in
from ledger.books.errors import AlreadyReversed, InsufficientFunds
from ledger.books.models import JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.books.verify import verify_ledger
from ledger.money import Money

CURRENCIES = ["EUR", "RUB", "USD"]
FUNDS = 3
_example = itertools.count()

amounts = st.integers(min_value=1, max_value=200_000)
operation = st.one_of(
    st.tuples(st.just("donate"), st.integers(0, FUNDS - 1), st.sampled_from(CURRENCIES), amounts),
    st.tuples(st.just("spend"), st.integers(0, FUNDS - 1), st.sampled_from(CURRENCIES), amounts),
    st.tuples(
        st.just("transfer"),
        st.integers(0, FUNDS - 1),
        st.integers(0, FUNDS - 1),
        st.sampled_from(CURRENCIES),
        amounts,
    ),
    st.tuples(
        st.just("convert"),
        st.integers(0, FUNDS - 1),
        st.sampled_from(CURRENCIES),
        st.sampled_from(CURRENCIES),
        amounts,
        st.integers(1, 10_000),
    ),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
)


def _entry_count(session):
    return session.scalar(select(func.count()).select_from(JournalEntry))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_random_operations_keep_every_invariant(session, operations, create_prisoner):
    run = next(_example)
    funds = [fund_account_for(session, create_prisoner(f"p{run}-{i}")) for i in range(FUNDS)]
    trading = trading_account(session)
    session.commit()
    expected: dict[tuple[int, str], int] = defaultdict(int)
    posted: list[tuple[JournalEntry, dict]] = []

    for op in operations:
        before = _entry_count(session)
        effect: dict[tuple[int, str], int] = defaultdict(int)
        kind = op[0]
        try:
            if kind == "donate":
                _, i, currency, minor = op
                money = Money.from_minor(minor, currency)
                bank = get_or_create_account(session, f"assets:bank:{currency.lower()}")
                effect[(i, currency)] += minor
                entry = post_entry(
                    session,
                    EntryDraft(
                        date(2026, 1, 1),
                        "Donation",
                        [PostingDraft(bank, money, "donation"), PostingDraft(funds[i], -money, "donation")],
                    ),
                )
            elif kind == "spend":
                _, i, currency, minor = op
                money = Money.from_minor(minor, currency)
                bank = get_or_create_account(session, f"assets:bank:{currency.lower()}")
                effect[(i, currency)] -= minor
                entry = post_entry(
                    session,
                    EntryDraft(
                        date(2026, 1, 2),
                        "Parcel",
                        [PostingDraft(funds[i], money, "parcels"), PostingDraft(bank, -money)],
                    ),
                )
            elif kind == "transfer":
                _, i, j, currency, minor = op
                money = Money.from_minor(minor, currency)
                effect[(i, currency)] -= minor
                effect[(j, currency)] += minor
                entry = post_entry(
                    session,
                    EntryDraft(
                        date(2026, 1, 3),
                        "Transfer",
                        [
                            PostingDraft(funds[i], money, "transfer"),
                            PostingDraft(funds[j], -money, "transfer"),
                        ],
                    ),
                )
            elif kind == "convert":
                _, i, source, target, minor, rate_hundredths = op
                rate = Decimal(rate_hundredths) / 100
                given_money = Money.from_minor(minor, source)
                got = (given_money.amount * rate).quantize(Decimal(1).scaleb(-2))
                if got == 0:
                    continue
                got_money = Money(got, target)
                effect[(i, source)] -= given_money.minor
                effect[(i, target)] += got_money.minor
                entry = post_entry(
                    session,
                    EntryDraft(
                        date(2026, 1, 4),
                        "Conversion",
                        [
                            PostingDraft(funds[i], given_money, "conversion"),
                            PostingDraft(trading, -given_money, "conversion"),
                            PostingDraft(trading, got_money, "conversion"),
                            PostingDraft(funds[i], -got_money, "conversion"),
                        ],
                        conversion_rate=str(rate),
                    ),
                )
            else:
                if not posted:
                    continue
                original, original_effect = posted[op[1] % len(posted)]
                for key, value in original_effect.items():
                    effect[key] -= value
                entry = reverse_entry(session, original, reason="property test")
            session.commit()
        except InsufficientFunds:
            session.rollback()
            assert _entry_count(session) == before, "a refused operation wrote something"
            assert any(expected[key] + value < 0 for key, value in effect.items())
            continue
        except AlreadyReversed:
            session.rollback()
            assert kind == "reverse"
            assert _entry_count(session) == before
            continue
        for key, value in effect.items():
            expected[key] += value
        assert all(value >= 0 for value in expected.values())
        if kind != "reverse":
            posted.append((entry, dict(effect)))

    for i, fund in enumerate(funds):
        held = available_in(session, fund)
        assert {c: m.minor for c, m in held.items()} == {
            c: expected[(i, c)] for c in CURRENCIES if expected[(i, c)]
        }
    assert verify_ledger(session).ok
