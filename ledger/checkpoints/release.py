"""Releases: what a checkpoint publishes, chosen so that no public figure gives a gift away.

Every checkpoint is a release.  It publishes the entries recorded since the last one, fund
by fund and currency by currency, under three rules (docs/privacy.md, "Releases"):

1. **Gifts only in cells.**  A fund's new gifts (donations, card fees, refunds, disputes
   and their reversals: everything a donor's payment shows itself in) are published
   together, as one cell, and only when the cell passes the disclosure rules
   (``ledger.checkpoints.disclosure``): enough gifts, none dominant.  Otherwise the fund
   *waits*: its gifts stay unpublished until later gifts make a cell with them.
2. **Never below zero.**  A fund's other entries are published in entry order as long as
   its published balance (without the gifts that wait) stays at or above zero; spending
   that only the waiting gifts could pay for waits with them, since listing it would tell
   how much at least they were, and counting it would show the fund below zero.
3. **Moves bind both funds.**  A move between funds (a transfer, a release's or a death's
   fund policy, a conversion between a fund's currencies) is published only when both
   sides publish it: the move of a waiting fund's whole balance would tell its gifts.

Published periods never change: an entry counts in public figures on its own day, or, when
that month was already published by an earlier release (a gift recorded late, a reversal
of an old gift), on the first day of the open month.  A fund's cell of gifts counts on
one day, the latest day among them, so no month holds part of a cell.

The release stores what it published (entries with their day and role, the public
balances over published entries, each fund's cell and state) and its public content as
canonical JSON lines, whose digest the checkpoint signs.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from ledger.books.accounts import FUND_PREFIX, GENERAL_FUND, PRISONER_FUND_PREFIX, STRIPE
from ledger.books.kinds import SourceType
from ledger.books.models import Account, JournalEntry, Posting
from ledger.checkpoints.disclosure import DisclosureRules, Waiting
from ledger.checkpoints.models import (
    Checkpoint,
    PublishedBalance,
    PublishedEntry,
    Release,
    ReleaseCell,
    ReleaseFund,
    ReleaseLine,
)
from ledger.funds.models import Donation, Donor, Prisoner
from ledger.money import minor_text, minor_units
from ledger.spending.models import ParcelOutcome

if TYPE_CHECKING:  # funds.lifecycle reads much of the domain; only its view type is needed here
    from ledger.checkpoints.as_of import AsOf
    from ledger.funds.lifecycle import LifecycleView

# Categories that make an entry a donor's: a gift or its refund (a card fee is part of the gift's
# own entry; a fee on its own — a bank's charge, a transfer service's — is the organisation's).
DONOR_SIDE = frozenset({"donation", "refund"})

FundKey = tuple[int, str]  # (fund account id, currency)


@dataclass
class _Entry:
    id: int
    day: date
    reverses: int | None
    source: str
    postings: list[tuple[int, str, int, str | None]] = field(default_factory=list)  # account, cur, minor, cat
    funds: set[FundKey] = field(default_factory=set)
    gift: bool = False
    named: bool = False
    reversed_source: str | None = None

    def on(self, key: FundKey) -> int:
        return sum(minor for account, currency, minor, _c in self.postings if (account, currency) == key)


@dataclass
class FundState:
    """One fund and currency in this release."""

    key: FundKey
    gifts_minor: int = 0
    gift_count: int = 0
    gifts: list[_Entry] = field(default_factory=list)  # published now
    cells: list[Cell] = field(default_factory=list)
    waiting: Waiting | None = None
    waiting_gifts: int = 0


@dataclass
class Cell:
    """Published gifts of one fund and currency that count on one day."""

    day: date
    minor: int
    count: int
    entries: list[int]


@dataclass
class ReleasePlan:
    published: dict[int, tuple[date, str]]  # entry id -> (counted on, role)
    funds: dict[FundKey, FundState]
    held_from: int


def _load_pending(session: Session, held_from: int, entry_count: int) -> list[_Entry]:
    in_range = (JournalEntry.id >= held_from, JournalEntry.id <= entry_count)
    unpublished = ~exists().where(PublishedEntry.entry_id == JournalEntry.id)
    original = aliased(JournalEntry)
    entries = {
        row[0]: _Entry(row[0], row[1], row[2], row[3], reversed_source=row[4])
        for row in session.execute(
            select(
                JournalEntry.id,
                JournalEntry.entry_date,
                JournalEntry.reverses_id,
                JournalEntry.source_type,
                original.source_type,
            )
            .outerjoin(original, original.id == JournalEntry.reverses_id)
            .where(*in_range, unpublished)
            .order_by(JournalEntry.id)
        )
    }
    if not entries:
        return []
    funds = {
        account_id
        for (account_id,) in session.execute(select(Account.id).where(Account.name.startswith(FUND_PREFIX)))
    }
    for entry_id, account_id, currency, minor, category in session.execute(
        select(Posting.entry_id, Posting.account_id, Posting.currency, Posting.amount_minor, Posting.category)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(*in_range, unpublished)
        .order_by(Posting.entry_id, Posting.line_no)
    ):
        entry = entries[entry_id]
        entry.postings.append((account_id, currency, int(minor), category))
        if account_id in funds:
            entry.funds.add((account_id, currency))
            if category in DONOR_SIDE:
                entry.gift = True
    parcel_refunds = set(
        session.scalars(
            select(ParcelOutcome.refund_entry_id).where(ParcelOutcome.refund_entry_id.is_not(None))
        )
    )
    named_donor = Donor.public_name.is_not(None) & (Donor.public_name != "") & Donor.purged_at.is_(None)
    named = set(
        session.scalars(
            select(Donation.entry_id).join(Donor, Donor.id == Donation.donor_id).where(named_donor)
        )
    )
    for entry in entries.values():
        reversed_id = entry.reverses
        if entry.id in parcel_refunds or (reversed_id is not None and reversed_id in parcel_refunds):
            entry.gift = False  # the post office's refund of a returned parcel: the organisation's
        elif entry.funds and entry.source == SourceType.STRIPE:
            entry.gift = True
        entry.named = entry.gift and (entry.id in named or (reversed_id is not None and reversed_id in named))
    return list(entries.values())


def _cell(gifts: list[_Entry], key: FundKey) -> list[int]:
    """The amounts that count toward a cell: anonymous gifts, less any gift cancelled by its
    reversal in the same cell (together they publish nothing)."""
    ids = {entry.id for entry in gifts}
    cancelled = {entry.id for entry in gifts if entry.reverses in ids}
    cancelled |= {entry.reverses for entry in gifts if entry.reverses in ids}
    return [entry.on(key) for entry in gifts if not entry.named and entry.id not in cancelled]


def _shown_count(gifts: list[_Entry]) -> int:
    """How many gifts a cell is said to hold: every gift in it, named ones too (their
    amounts are public), less a gift and its reversal that cancel out."""
    ids = {entry.id for entry in gifts}
    return sum(
        1 for entry in gifts if entry.reverses not in ids and not any(e.reverses == entry.id for e in gifts)
    )


def plan_release(
    session: Session,
    *,
    entry_count: int,
    held_from: int,
    rules: DisclosureRules,
    opening: dict[tuple[int, str], int],
) -> tuple[ReleasePlan, list[_Entry]]:
    """Which pending entries this release publishes (rules 1–3 of the module docstring).

    ``opening`` holds the published balances so far (signed minor units per account and
    currency).  First each fund's gifts: the longest run of its pending gifts, oldest
    first, that makes a publishable cell.  Then its other entries, in entry order: each is
    published if the fund's published balance stays at or above zero with it (money coming
    in always does); an entry on several funds only if every one of them publishes it, a
    reversal only with the entry it reverses.  Repeated until every fund agrees."""
    pending = _load_pending(session, held_from, entry_count)
    by_fund: dict[FundKey, list[_Entry]] = defaultdict(list)
    for entry in pending:
        for key in sorted(entry.funds):
            by_fund[key].append(entry)

    shown_gifts: set[int] = set()
    verdicts: dict[FundKey, Waiting | None] = {}
    for key, items in by_fund.items():
        gifts = [entry for entry in items if entry.gift]
        for cut in range(len(gifts), -1, -1):
            verdict = rules.verdict(_cell(gifts[:cut], key))
            if cut == len(gifts):
                verdicts[key] = verdict
            if verdict is None:
                shown_gifts.update(entry.id for entry in gifts[:cut])
                break
    # A gift on several funds (none is recorded so today) only if every fund shows it.
    shown_gifts = {
        entry.id
        for entry in pending
        if entry.id in shown_gifts
        and all(entry.id in {e.id for e in by_fund[key] if e.id in shown_gifts} for key in entry.funds)
    }

    pending_ids = {entry.id for entry in pending}
    excluded: set[int] = set()
    while True:
        included: dict[FundKey, set[int]] = {}
        for key, items in by_fund.items():
            balance = -opening.get(key, 0)  # money the fund holds, as published
            chosen: set[int] = set()
            for entry in items:
                money_in = -entry.on(key)
                if entry.gift:
                    if entry.id in shown_gifts:
                        balance += money_in
                    continue
                if entry.id in excluded or (money_in < 0 and balance + money_in < 0):
                    continue
                chosen.add(entry.id)
                balance += money_in
            included[key] = chosen
        refused = {
            entry.id
            for entry in pending
            if not entry.gift
            and entry.id not in excluded
            and entry.funds
            and (
                not all(entry.id in included[key] for key in entry.funds)
                or (
                    entry.reverses in pending_ids
                    and entry.reverses not in shown_gifts
                    and not any(entry.reverses in chosen for chosen in included.values())
                )
            )
        }
        if not refused:
            break
        excluded |= refused

    published = {
        entry.id
        for entry in pending
        if not entry.funds
        or (entry.gift and entry.id in shown_gifts)
        or (
            not entry.gift
            and entry.id not in excluded
            and all(entry.id in included[key] for key in entry.funds)
        )
    }
    funds: dict[FundKey, FundState] = {}
    for key, items in by_fund.items():
        state = FundState(key)
        shown = [entry for entry in items if entry.gift and entry.id in published]
        state.gifts = shown
        state.gifts_minor = -sum(entry.on(key) for entry in shown)
        state.gift_count = _shown_count(shown)
        held = [entry for entry in items if entry.id not in published]
        held_gifts = [entry for entry in held if entry.gift]
        if held_gifts:
            state.waiting_gifts = len(_cell(held_gifts, key))
            state.waiting = verdicts.get(key) or rules.verdict(_cell(held_gifts, key)) or Waiting.LINKED
        elif held:
            state.waiting = Waiting.LINKED
        funds[key] = state
    held_ids = [entry.id for entry in pending if entry.id not in published]
    plan = ReleasePlan({}, funds, min(held_ids) if held_ids else entry_count + 1)
    return plan, [entry for entry in pending if entry.id in published]


def split_cells(gifts: list[_Entry], key: FundKey, floor: date | None, rules: DisclosureRules) -> list[Cell]:
    """A publishable set of gifts cut into cells by month, oldest first: each month's
    gifts make a cell if they pass the rules by themselves, else they join the next
    month's; what is left at the end joins the last cell (the whole set passes, so the
    last cell does).  A gift and its reversal count together, in the later one's month.
    Each cell counts on its latest gift's day (never before ``floor``)."""
    if not gifts:
        return []
    by_id = {entry.id: entry for entry in gifts}

    def day_of(entry: _Entry) -> date:
        day = entry.day
        partner = by_id.get(entry.reverses) if entry.reverses is not None else None
        if partner is None:
            partner = next((other for other in gifts if other.reverses == entry.id), None)
        if partner is not None and partner.day > day:
            day = partner.day
        return max(day, floor) if floor is not None else day

    ordered = sorted(gifts, key=lambda entry: (day_of(entry), entry.id))
    groups: list[list[_Entry]] = []
    current: list[_Entry] = []
    for index, entry in enumerate(ordered):
        current.append(entry)
        last_of_month = index + 1 == len(ordered) or (
            day_of(ordered[index + 1]).replace(day=1) != day_of(entry).replace(day=1)
        )
        if last_of_month and rules.verdict(_cell(current, key)) is None:
            groups.append(current)
            current = []
    if current:
        while groups and rules.verdict(_cell(current, key)) is not None:
            current = groups.pop() + current
        groups.append(current)
    return [
        Cell(
            max(day_of(entry) for entry in group),
            -sum(entry.on(key) for entry in group),
            _shown_count(group),
            [entry.id for entry in group],
        )
        for group in groups
    ]


def _role(entry: _Entry, card_processor: int | None) -> str:
    """``gift``, ``unlisted`` for the card processor's own entries (payouts: their amounts
    are sums of a few card gifts, however they were recorded), else ``line``."""
    if entry.gift:
        return "gift"
    if SourceType.STRIPE in (entry.source, entry.reversed_source) or any(
        account == card_processor for account, _c, _m, _k in entry.postings
    ):
        return "unlisted"
    return "line"


@dataclass
class PreparedRelease:
    """A release computed and not yet stored: the checkpoint signs ``digest`` first, then
    ``store()`` writes the rows (they refer to the checkpoint)."""

    sequence: int
    released_on: date
    rules: DisclosureRules
    plan: ReleasePlan
    balances: dict[tuple[int, str], int]
    lines: list[str]
    previous_as_of: dict[FundKey, int]

    @property
    def digest(self) -> str:
        return release_digest(self.lines)

    def signed_fields(self) -> dict[str, object]:
        """What the checkpoint's document says of its release."""
        return {
            "digest": self.digest,
            "lines": len(self.lines),
            "min_gifts": self.rules.min_gifts,
            "dominance_percent": self.rules.dominance_percent,
        }

    def store(self, session: Session) -> Release:
        sequence = self.sequence
        release = Release(
            sequence=sequence,
            released_on=self.released_on,
            min_gifts=self.rules.min_gifts,
            dominance_percent=self.rules.dominance_percent,
            held_from=self.plan.held_from,
            digest=self.digest,
        )
        session.add(release)
        session.flush()
        if self.plan.published:
            session.execute(
                insert(PublishedEntry),
                [
                    {"entry_id": entry_id, "sequence": sequence, "counted_on": day, "role": role}
                    for entry_id, (day, role) in sorted(self.plan.published.items())
                ],
            )
        nonzero = [
            {"sequence": sequence, "account_id": a, "currency": c, "balance_minor": m}
            for (a, c), m in sorted(self.balances.items())
            if m
        ]
        if nonzero:
            session.execute(insert(PublishedBalance), nonzero)
        if self.plan.funds:
            session.execute(
                insert(ReleaseFund),
                [
                    {
                        "sequence": sequence,
                        "account_id": key[0],
                        "currency": key[1],
                        "gifts_minor": state.gifts_minor,
                        "gift_count": state.gift_count,
                        "closing_minor": -self.balances.get(key, 0),
                        "waiting": state.waiting,
                        "waiting_gifts": state.waiting_gifts,
                        "gifts_as_of": sequence if state.waiting is None else self.previous_as_of.get(key, 0),
                    }
                    for key, state in sorted(self.plan.funds.items())
                ],
            )
        cells = [
            {
                "sequence": sequence,
                "account_id": key[0],
                "currency": key[1],
                "counted_on": cell.day,
                "gifts_minor": cell.minor,
                "gift_count": cell.count,
            }
            for key, state in sorted(self.plan.funds.items())
            for cell in state.cells
        ]
        if cells:
            session.execute(insert(ReleaseCell), cells)
        if self.lines:
            session.execute(
                insert(ReleaseLine),
                [{"sequence": sequence, "position": i, "body": body} for i, body in enumerate(self.lines, 1)],
            )
        return release


def release_digest(lines: list[str]) -> str:
    """sha256 of the release's lines, each followed by a newline (as in the JSON lines)."""
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("utf-8")).hexdigest()


def prepare_release(
    session: Session,
    *,
    sequence: int,
    entry_count: int,
    released_on: date,
    receipts_until: datetime,
    rules: DisclosureRules,
) -> PreparedRelease:
    """What release ``sequence`` publishes of the entries up to ``entry_count``."""
    from ledger.reports.public_journal import release_entries

    previous = session.scalar(select(Release).order_by(Release.sequence.desc()).limit(1))
    held_from = previous.held_from if previous is not None else 1
    # Months before the previous release's month are published and closed.
    floor = previous.released_on.replace(day=1) if previous is not None else None
    balances: dict[tuple[int, str], int] = defaultdict(int)
    if previous is not None:
        for account_id, currency, minor in session.execute(
            select(
                PublishedBalance.account_id, PublishedBalance.currency, PublishedBalance.balance_minor
            ).where(PublishedBalance.sequence == previous.sequence)
        ):
            balances[(account_id, currency)] = int(minor)
    opening = dict(balances)
    plan, shown = plan_release(
        session, entry_count=entry_count, held_from=held_from, rules=rules, opening=opening
    )
    card_processor = session.scalar(select(Account.id).where(Account.name == STRIPE))
    cell_day: dict[int, date] = {}
    for key, state in plan.funds.items():
        state.cells = split_cells(state.gifts, key, floor, rules)
        for cell in state.cells:
            for entry_id in cell.entries:
                cell_day[entry_id] = max(cell.day, cell_day.get(entry_id, cell.day))
    for entry in shown:
        day = cell_day.get(entry.id, entry.day)
        if floor is not None and day < floor:
            day = floor
        plan.published[entry.id] = (day, _role(entry, card_processor))
    for entry in shown:
        for account_id, currency, minor, _category in entry.postings:
            balances[(account_id, currency)] += minor

    lines: list[str] = []
    listed = [entry.id for entry in shown if plan.published[entry.id][1] == "line"]
    for entry_id, document in release_entries(session, listed, receipts_until=receipts_until):
        document.update(release=sequence, counted_on=plan.published[entry_id][0].isoformat())
        lines.append(_canonical(document))
    lines.extend(_canonical(figure) for figure in _figures(session, sequence, plan, opening, balances))
    return PreparedRelease(
        sequence, released_on, rules, plan, dict(balances), lines, _last_states(session, list(plan.funds))
    )


def _last_states(session: Session, keys: list[FundKey]) -> dict[FundKey, int]:
    """For each fund and currency: the last release that published its gifts in full."""
    if not keys:
        return {}
    accounts = {key[0] for key in keys}
    rows = session.execute(
        select(ReleaseFund.account_id, ReleaseFund.currency, func.max(ReleaseFund.sequence))
        .where(ReleaseFund.account_id.in_(accounts), ReleaseFund.waiting.is_(None))
        .group_by(ReleaseFund.account_id, ReleaseFund.currency)
    )
    return {(a, c): int(s) for a, c, s in rows}


def _fund_places(session: Session) -> dict[int, str]:
    """Every fund account's public place, as canonical JSON (funds not named publicly
    share one place)."""
    rows = session.execute(
        select(Account.id, Account.name, Prisoner.public, Prisoner.slug, Prisoner.name)
        .outerjoin(Prisoner, Prisoner.id == Account.prisoner_id)
        .where(Account.name.startswith(FUND_PREFIX))
    )
    places: dict[int, str] = {}
    for account_id, name, public, slug, prisoner_name in rows:
        place: dict[str, Any]
        if name == GENERAL_FUND:
            place = {"place": "general_fund"}
        elif name.startswith(PRISONER_FUND_PREFIX) and public:
            place = {"place": "prisoner", "prisoner": slug, "prisoner_name": prisoner_name}
        else:
            place = {"place": "hidden_prisoner"}
        places[account_id] = json.dumps(place, sort_keys=True)
    return places


def _figures(
    session: Session,
    sequence: int,
    plan: ReleasePlan,
    opening: dict[tuple[int, str], int],
    closing: dict[tuple[int, str], int],
) -> list[dict[str, object]]:
    """Per public place and currency that this release moved or that waits: opening and
    closing balance and the cell of gifts.  A place groups all its funds, not only those
    that moved, so that its balance runs on from release to release."""
    places = _fund_places(session)
    figures: dict[tuple[str, str], dict[str, Any]] = {}
    for (account_id, currency), state in plan.funds.items():
        figure = figures.setdefault(
            (places[account_id], currency),
            {"opening": 0, "closing": 0, "gifts": 0, "count": 0, "waiting": False},
        )
        figure["gifts"] += state.gifts_minor
        figure["count"] += state.gift_count
        figure["waiting"] |= state.waiting is not None
    for account_id, currency in set(opening) | set(closing):
        moved = figures.get((places.get(account_id, ""), currency))
        if moved is not None:
            moved["opening"] -= opening.get((account_id, currency), 0)
            moved["closing"] -= closing.get((account_id, currency), 0)
    documents = []
    for (place, currency), figure in sorted(figures.items()):
        units = minor_units(currency)
        documents.append(
            {
                "type": "figures",
                "release": sequence,
                **json.loads(place),
                "currency": currency,
                "opening": minor_text(figure["opening"], units),
                "gifts": minor_text(figure["gifts"], units),
                "gift_count": figure["count"],
                "closing": minor_text(figure["closing"], units),
                "gifts_waiting": figure["waiting"],
            }
        )
    return documents


def _canonical(document: dict[str, object]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def published_releases(session: Session, as_of: AsOf) -> Iterator[tuple[Checkpoint, Iterator[str]]]:
    """Each release up to the public one, oldest first, with its stored lines (streamed)."""
    if as_of.empty or as_of.live:
        return
    checkpoints = session.scalars(
        select(Checkpoint)
        .join(Release, Release.sequence == Checkpoint.sequence)
        .where(Checkpoint.sequence <= as_of.sequence)
        .order_by(Checkpoint.sequence)
    ).all()
    for checkpoint in checkpoints:
        yield checkpoint, _lines_of(session, checkpoint.sequence)


def _lines_of(session: Session, sequence: int) -> Iterator[str]:
    yield from session.scalars(
        select(ReleaseLine.body)
        .where(ReleaseLine.sequence == sequence)
        .order_by(ReleaseLine.position)
        .execution_options(yield_per=1000)
    )


@dataclass(frozen=True)
class FundWait:
    """A fund's currencies whose new gifts wait for one reason: their gift figures are as
    of ``as_of``."""

    currency: str  # "EUR" or "EUR, RUB"
    reason: Waiting
    as_of: date | None  # the release whose gifts the figures include (None: none yet)


def fund_waits(session: Session, account_id: int | None, sequence: int) -> list[FundWait]:
    """For one fund, in the public release ``sequence``: each currency whose gifts wait."""
    if account_id is None or not sequence:
        return []
    latest = (
        select(ReleaseFund.currency, func.max(ReleaseFund.sequence).label("sequence"))
        .where(ReleaseFund.account_id == account_id, ReleaseFund.sequence <= sequence)
        .group_by(ReleaseFund.currency)
        .subquery()
    )
    rows = session.execute(
        select(ReleaseFund.currency, ReleaseFund.waiting, Release.released_on)
        .join(
            latest,
            (latest.c.currency == ReleaseFund.currency) & (latest.c.sequence == ReleaseFund.sequence),
        )
        .outerjoin(Release, Release.sequence == ReleaseFund.gifts_as_of)
        .where(ReleaseFund.account_id == account_id, ReleaseFund.waiting.is_not(None))
        .order_by(ReleaseFund.currency)
    )
    grouped: dict[tuple[Waiting, date | None], list[str]] = {}
    for currency, reason, day in rows:
        grouped.setdefault((Waiting(reason or Waiting.LINKED), day), []).append(currency)
    return [FundWait(", ".join(currencies), reason, day) for (reason, day), currencies in grouped.items()]


def without_unpublished_moves(
    session: Session, view: LifecycleView | None, sequence: int
) -> LifecycleView | None:
    """A lifecycle view (``ledger.funds.lifecycle.lifecycle_view``) for the public: a
    release's or a death's move to the general fund shows its amount only once a release
    published it (the move of a fund whose gifts wait would tell them)."""
    if view is None:
        return None
    entry_ids = [outcome.event.entry_id for outcome in view.fund if outcome.event.entry_id]
    published = set(
        session.scalars(
            select(PublishedEntry.entry_id).where(
                PublishedEntry.entry_id.in_(entry_ids), PublishedEntry.sequence <= sequence
            )
        )
    )
    fund = [
        outcome if outcome.event.entry_id in published else replace(outcome, moved=[], reversed=False)
        for outcome in view.fund
    ]
    return replace(view, fund=fund)


@dataclass(frozen=True)
class WaitingFund:
    """For staff: a fund and currency that waits in the latest release, and why."""

    account: str
    prisoner_name: str | None
    currency: str
    reason: Waiting
    waiting_gifts: int
    held_entries: int


def waiting_funds(session: Session) -> list[WaitingFund]:
    """Every fund whose gifts or entries the latest release held back (staff only: it
    names hidden prisoners and counts unpublished gifts)."""
    latest = session.scalar(select(func.max(Release.sequence)))
    if latest is None:
        return []
    release = session.get(Release, latest)
    held_from = release.held_from if release is not None else 0
    checkpoint = session.get(Checkpoint, latest)
    limit = checkpoint.entry_count if checkpoint is not None else 0
    held = dict(
        session.execute(
            select(Posting.account_id, func.count(func.distinct(Posting.entry_id)))
            .where(
                Posting.entry_id >= held_from,
                Posting.entry_id <= limit,
                ~exists().where(PublishedEntry.entry_id == Posting.entry_id),
            )
            .group_by(Posting.account_id)
        ).all()
    )
    rows = session.execute(
        select(
            Account.id,
            Account.name,
            Prisoner.name,
            ReleaseFund.currency,
            ReleaseFund.waiting,
            ReleaseFund.waiting_gifts,
        )
        .join(Account, Account.id == ReleaseFund.account_id)
        .outerjoin(Prisoner, Prisoner.id == Account.prisoner_id)
        .where(ReleaseFund.sequence == latest, ReleaseFund.waiting.is_not(None))
        .order_by(Account.name, ReleaseFund.currency)
    )
    return [
        WaitingFund(
            name, prisoner, currency, Waiting(reason or Waiting.LINKED), gifts, int(held.get(account_id, 0))
        )
        for account_id, name, prisoner, currency, reason, gifts in rows
    ]
