"""A realistic, deterministic ledger for the benchmark, built through the domain layer.

``setup_world()`` creates prisoners and accounts; ``drafts()`` yields balanced
entries in date order (donations with card fees, allocations from the general
fund, Stripe payouts, conversions through ``equity:conversion``, spending by
category, reversals of mistaken spending).  It tracks every balance itself, in
integer minor units, so no draft ever takes a guarded account below zero and
the whole stream can go through ``post_entries()`` unchanged.

Entry ids are predicted (``World.next_id``, counted as drafts are yielded), so a
reversal can name the entry it reverses: post every yielded draft, in order, or none.
Whoever posts other entries between two drafts (bench/features.py) moves
``World.next_id`` on past them and brings ``World.balances`` up to date.
"""

from __future__ import annotations

import random
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ledger.books.accounts import (
    STRIPE,
    TRADING,
    ensure_standard_accounts,
    fund_account_for,
    general_fund,
    get_or_create_account,
)
from ledger.books.posting import EntryDraft, PostingDraft
from ledger.funds.models import Facility, Prisoner
from ledger.money import Money

START = date(2021, 1, 1)
BANKS = {"EUR": "assets:bank:eur-main", "USD": "assets:bank:usd-main", "RUB": "assets:bank:rub-main"}
CASH = "assets:cash:coordinator-bench"
SPENDING = [
    ("food", "Food parcel"),
    ("clothing", "Warm clothes"),
    ("parcels", "Parcel and postage"),
    ("commissary", "Commissary deposit"),
    ("letters", "Letters via the prison e-mail service"),
]
BASE_RATES = {"EUR": 9840, "USD": 9110}  # roubles per unit, in hundredths


@dataclass(frozen=True)
class Sizes:
    prisoners: int = 1000
    years: int = 5
    postings: int = 1_000_000
    seed: int = 9


@dataclass
class World:
    funds: list[str]
    general: str
    balances: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    next_id: int = 1  # the id the next yielded draft will get


def setup_world(session: Session, sizes: Sizes) -> World:
    """Prisoners with their funds and the organisation's accounts (flushed; the caller commits)."""
    ensure_standard_accounts(session)
    for currency, name in BANKS.items():
        get_or_create_account(session, name, currency=currency)
    get_or_create_account(session, CASH, currency="RUB")
    facilities = [
        Facility(name=f"Bench facility {number}", region="Fictional region", max_parcel_grams=20000)
        for number in range(max(1, sizes.prisoners // 50))
    ]
    session.add_all(facilities)
    session.flush()
    funds = []
    for number in range(sizes.prisoners):
        prisoner = Prisoner(
            slug=f"bench-{number:05d}",
            name=f"Bench Prisoner {number}",
            status="sentenced",
            public=True,
            facility_id=facilities[number % len(facilities)].id,
        )
        session.add(prisoner)
        session.flush()
        funds.append(fund_account_for(session, prisoner).name)
    return World(funds=funds, general=general_fund(session).name)


def _money(minor: int, currency: str) -> Money:
    return Money.from_minor(minor, currency)


class _Stream:
    """The state of one generation run: random source, balances, recent spending."""

    def __init__(self, world: World, sizes: Sizes, first_id: int) -> None:
        self.world = world
        self.rng = random.Random(sizes.seed)
        world.next_id = first_id
        self.balances = world.balances
        self.spent: deque[tuple[int, EntryDraft]] = deque(maxlen=200)
        self.keys = 0

    def held(self, account: str, currency: str, sign: int = -1) -> int:
        return self.balances[(account, currency)] * sign

    def entry(self, when: date, description: str, postings: list[PostingDraft], **extra) -> EntryDraft:
        for posting in postings:
            account = posting.account
            assert isinstance(account, str)
            self.balances[(account, posting.money.currency)] += posting.money.minor
        return EntryDraft(
            when, description, postings, source_type=extra.pop("source_type", "import"), **extra
        )

    def donation(self, when: date) -> EntryDraft:
        rng = self.rng
        fund = self.world.general if rng.random() < 0.1 else rng.choice(self.world.funds)
        currency = rng.choices(("RUB", "EUR", "USD"), (40, 45, 15))[0]
        if currency == "RUB":
            minor = rng.choice((500, 1000, 2000, 3000, 5000, 10000)) * 100
            asset = CASH if rng.random() < 0.3 else BANKS["RUB"]
            description = "Cash handed to a coordinator" if asset == CASH else "Bank transfer"
            return self.entry(
                when,
                description,
                [
                    PostingDraft(asset, _money(minor, "RUB")),
                    PostingDraft(fund, _money(-minor, "RUB"), "donation"),
                ],
            )
        minor = rng.choice((5, 10, 20, 25, 50, 100, 200)) * 100
        if currency == "EUR" and rng.random() < 0.5:
            fee = (minor * 29 + 500) // 1000 + 25  # 2.9 % + 0.25, rounded to the cent
            self.keys += 1
            return self.entry(
                when,
                "Card donation (Stripe)",
                [
                    PostingDraft(STRIPE, _money(minor - fee, "EUR")),
                    PostingDraft(fund, _money(-minor, "EUR"), "donation"),
                    PostingDraft(fund, _money(fee, "EUR"), "fee"),
                ],
                idempotency_key=f"stripe:txn_bench{self.keys:09d}",
                source_type="stripe",
            )
        return self.entry(
            when,
            "Bank transfer",
            [
                PostingDraft(BANKS[currency], _money(minor, currency)),
                PostingDraft(fund, _money(-minor, currency), "donation"),
            ],
        )

    def spending(self, when: date) -> EntryDraft | None:
        rng = self.rng
        fund = rng.choice(self.world.funds)
        held = self.held(fund, "RUB")
        minor = min(held // 3, rng.randint(1500, 9000) * 100)
        if minor < 10000:
            return None
        category, description = rng.choice(SPENDING)
        use_cash = category in ("food", "commissary") and self.held(CASH, "RUB", 1) >= minor
        asset = CASH if use_cash else BANKS["RUB"]
        return self.entry(
            when,
            description,
            [PostingDraft(fund, _money(minor, "RUB"), category), PostingDraft(asset, _money(-minor, "RUB"))],
        )

    def conversion(self, when: date) -> list[EntryDraft]:
        rng = self.rng
        fund = rng.choice(self.world.funds)
        currency = rng.choice(("EUR", "USD"))
        minor = self.held(fund, currency)
        if minor < 2000:
            return []
        rate = BASE_RATES[currency] + rng.randint(-300, 300)
        rate_text = f"{rate // 100}.{rate % 100:02d}"
        received = minor * rate // 100
        out, back = _money(minor, currency), _money(received, "RUB")
        drafts = [
            self.entry(
                when,
                f"Conversion {currency} to RUB at {rate_text}",
                [
                    PostingDraft(fund, out, "conversion"),
                    PostingDraft(TRADING, -out, "conversion"),
                    PostingDraft(TRADING, back, "conversion"),
                    PostingDraft(fund, -back, "conversion"),
                ],
                conversion_rate=rate_text,
            )
        ]
        if self.held(BANKS[currency], currency, 1) >= minor:  # the bank converts the pooled money too
            drafts.append(
                self.entry(
                    when,
                    f"Bank conversion {currency} to RUB at {rate_text}",
                    [
                        PostingDraft(BANKS[currency], -out, "conversion"),
                        PostingDraft(TRADING, out, "conversion"),
                        PostingDraft(TRADING, -back, "conversion"),
                        PostingDraft(BANKS["RUB"], back, "conversion"),
                    ],
                    conversion_rate=rate_text,
                )
            )
        return drafts

    def allocation(self, when: date) -> EntryDraft | None:
        currency = self.rng.choice(("RUB", "EUR", "USD"))
        share = self.held(self.world.general, currency) // 2
        if share < 1000:
            return None
        target = self.rng.choice(self.world.funds)
        money = _money(share, currency)
        return self.entry(
            when,
            "Allocation from the general fund",
            [PostingDraft(self.world.general, money, "transfer"), PostingDraft(target, -money, "transfer")],
        )

    def payout(self, when: date) -> EntryDraft | None:
        held = self.held(STRIPE, "EUR", 1)
        if held <= 0:
            return None
        money = _money(held, "EUR")
        return self.entry(
            when,
            "Stripe payout",
            [PostingDraft(BANKS["EUR"], money, "transfer"), PostingDraft(STRIPE, -money, "transfer")],
        )

    def reversal(self, when: date) -> EntryDraft | None:
        """Undo a recent spending entry recorded for the wrong prisoner (never overdraws)."""
        if not self.spent:
            return None
        original_id, original = self.spent.popleft()
        return self.entry(
            when,
            f"Reversal of #{original_id}: recorded for the wrong prisoner",
            [PostingDraft(p.account, -p.money, p.category, p.memo) for p in original.postings],
            source_type="reversal",
            source_ref=str(original_id),
            reverses_id=original_id,
        )


def drafts(
    world: World, sizes: Sizes, first_id: int = 1, *, limit: int | None = None
) -> Iterator[EntryDraft]:
    """Yield drafts until about ``sizes.postings`` postings, spread over ``sizes.years``.

    ``limit`` (postings) lets the stream run on past the last day, for measuring
    posting on top of a full ledger.
    """
    stream = _Stream(world, sizes, first_id)
    days = max(1, sizes.years * 365)
    kinds = ("donation", "spending", "conversion", "allocation", "payout", "reversal")
    weights = (46, 40, 6, 4, 2, 2)
    posted = 0
    while posted < (limit or sizes.postings):
        when = START + timedelta(days=min(days - 1, posted * days // sizes.postings))
        kind = stream.rng.choices(kinds, weights)[0]
        made = getattr(stream, kind)(when)
        batch = made if isinstance(made, list) else [made] if made is not None else []
        reversible = kind == "spending" and bool(batch)
        if not batch:
            batch = [stream.donation(when)]
        for draft in batch:
            posted += len(draft.postings)
            if reversible:  # spending: its id is the next one given out
                stream.spent.append((world.next_id, draft))
            world.next_id += 1
            yield draft
