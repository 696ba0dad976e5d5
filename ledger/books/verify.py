"""``ledger verify``: recompute everything the ledger promises and report differences.

Reads the journal in a streaming pass (no full load into memory), so it works
on a million postings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from ledger.books.hashchain import GENESIS_HASH, HASHED_ENTRY_COLUMNS, EntryFacts, PostingFacts, entry_hash
from ledger.books.models import Account, AccountBalance, LedgerHead, Posting
from ledger.books.streaming import converters, stream_batches, stream_rows


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    entry_id: int | None = None

    def __str__(self) -> str:
        where = f"entry #{self.entry_id}: " if self.entry_id is not None else ""
        return f"[{self.code}] {where}{self.message}"


@dataclass
class _Stats:
    entries: int = 0
    postings: int = 0
    head_hash: str = GENESIS_HASH


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    postings: int
    head_hash: str
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


# The hashed facts (EntryFacts order), then prev_hash and hash.
_ENTRIES = f"SELECT {', '.join(HASHED_ENTRY_COLUMNS)}, prev_hash, hash FROM journal_entries ORDER BY id"
_HASHED = len(HASHED_ENTRY_COLUMNS)
_POSTINGS = (
    "SELECT entry_id, line_no, account_id, currency, amount_minor, category, memo "
    "FROM postings ORDER BY entry_id, line_no"
)
_REVERSAL_BATCH = 500


class _Reversals:
    """Reversals seen in the pass, checked against their originals' stored postings a
    batch at a time (one query per batch instead of one per reversal)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: list[tuple[int, int, list[tuple[int, str, int]]]] = []

    def add(self, entry_id: int, reverses_id: int, rows: list[tuple[Any, ...]]) -> Problem | None:
        self.pending.append((entry_id, reverses_id, sorted((r[2], r[3], r[4]) for r in rows)))
        return self.check() if len(self.pending) >= _REVERSAL_BATCH else None

    def check(self) -> Problem | None:
        """The first pending reversal that does not mirror its original, in chain order."""
        if not self.pending:
            return None
        originals: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
        for entry_id, account_id, currency, amount in self.session.execute(
            select(Posting.entry_id, Posting.account_id, Posting.currency, Posting.amount_minor).where(
                Posting.entry_id.in_({reverses_id for _, reverses_id, _ in self.pending})
            )
        ):
            originals[entry_id].append((account_id, currency, -amount))
        pending, self.pending = self.pending, []
        for entry_id, reverses_id, mirrored in pending:
            if sorted(originals.get(reverses_id, [])) != mirrored:
                return Problem("bad_reversal", f"does not mirror entry #{reverses_id}", entry_id)
        return None


def _check_chain(session: Session, stats: _Stats, sums: dict[tuple[int, str], int]) -> Iterator[Problem]:
    """Hash chain, balance per currency, guarded accounts, reversal mirrors.

    One pass over two streams in chain order (entries, and postings by entry and line),
    recomputing every entry's canonical bytes and hash from the stored rows.  ``sums``
    receives every (account, currency) total, for the running-balance check.
    A reversal is checked when its batch is, so before any later problem is reported
    every earlier reversal is checked: the problem reported is still the first one.
    """
    accounts = {
        account_id: (name, bool(guarded), 1 if account_type in ("asset", "expense") else -1)
        for account_id, name, guarded, account_type in session.execute(
            select(Account.id, Account.name, Account.guarded, Account.type)
        )
    }
    to_date, to_datetime = converters(session)
    postings = stream_rows(session, _POSTINGS)
    reversals = _Reversals(session)
    pending = next(postings, None)
    prev_hash = GENESIS_HASH
    expected_id = 1

    def first(problem: Problem) -> Problem:
        return reversals.check() or problem

    for batch in stream_batches(session, _ENTRIES):
        for row in batch:
            entry_id = row[0]
            stored_prev_hash, stored_hash = row[_HASHED], row[_HASHED + 1]
            if entry_id != expected_id:
                yield first(
                    Problem("chain_gap", f"expected entry #{expected_id}, found #{entry_id}", entry_id)
                )
                return
            expected_id += 1
            if pending is not None and pending[0] < entry_id:
                yield first(Problem("orphan_postings", "postings without an entry", pending[0]))
                return
            rows = []
            while pending is not None and pending[0] == entry_id:
                rows.append(pending)
                pending = next(postings, None)
            stats.entries += 1
            stats.postings += len(rows)
            if stored_prev_hash != prev_hash:
                yield first(
                    Problem("chain_broken", "prev_hash does not match the previous entry's hash", entry_id)
                )
                return
            try:
                hashed: list[PostingFacts] = [(r[1], accounts[r[2]][0], r[3], r[4], r[5], r[6]) for r in rows]
            except KeyError:
                yield first(
                    Problem("unknown_account", "a posting names an account that does not exist", entry_id)
                )
                return
            facts = EntryFacts(entry_id, to_date(row[1]), row[2], to_datetime(row[3]), *row[4:_HASHED])
            recomputed = entry_hash(prev_hash, facts, hashed)
            if recomputed != stored_hash:
                yield first(
                    Problem(
                        "hash_mismatch",
                        "stored rows differ from what was hashed: the entry or its postings were edited",
                        entry_id,
                    )
                )
                return
            prev_hash = stored_hash
            if len(rows) < 2:
                yield first(
                    Problem("too_few_postings", f"{len(rows)} posting(s); an entry needs two", entry_id)
                )
                return
            totals: dict[str, int] = {}
            deltas: dict[tuple[int, str], int] = {}
            for posting in rows:
                currency, amount = posting[3], posting[4]
                totals[currency] = totals.get(currency, 0) + amount
                pair = (posting[2], currency)
                deltas[pair] = deltas.get(pair, 0) + amount
            if any(totals.values()):
                unbalanced = {currency: total for currency, total in totals.items() if total}
                yield first(Problem("unbalanced", f"sums per currency are not zero: {unbalanced}", entry_id))
                return
            for pair, delta in deltas.items():
                sums[pair] = after = sums.get(pair, 0) + delta
                name, guarded, sign = accounts[pair[0]]
                if guarded and after * sign < 0 and delta * sign < 0 and not facts.is_advance:
                    yield first(
                        Problem(
                            "overdrawn", f"{name} went below zero in {pair[1]} without an advance", entry_id
                        )
                    )
                    return
            if facts.reverses_id is not None:
                problem = reversals.add(entry_id, facts.reverses_id, rows)
                if problem is not None:
                    yield problem
                    return
    problem = reversals.check()
    if problem is not None:
        yield problem
        return
    if pending is not None:
        yield Problem("orphan_postings", "postings without an entry", pending[0])
        return
    stats.head_hash = prev_hash


def _check_head(session: Session, stats: _Stats) -> Iterator[Problem]:
    head = session.get(LedgerHead, 1)
    count = head.entry_count if head else 0
    head_hash = head.head_hash if head else GENESIS_HASH
    if count != stats.entries or head_hash != stats.head_hash:
        yield Problem(
            "head_mismatch",
            f"ledger head says {count} entries ending in {head_hash[:12]}…, "
            f"the journal has {stats.entries} ending in {stats.head_hash[:12]}…",
        )


def _check_running_balances(
    session: Session, recomputed: dict[tuple[int, str], int] | None
) -> Iterator[Problem]:
    """The running-balance table against the postings: the sums of the chain pass when it
    read every posting, else a SUM in SQL."""
    if recomputed is None:
        recomputed = {
            (account_id, currency): int(total)
            for account_id, currency, total in session.execute(
                select(Posting.account_id, Posting.currency, func.sum(Posting.amount_minor)).group_by(
                    Posting.account_id, Posting.currency
                )
            )
        }
    stored = {
        (account_id, currency): balance
        for account_id, currency, balance in session.execute(
            select(AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor)
        )
    }
    for key in sorted(set(recomputed) | set(stored)):
        total = recomputed.get(key, 0)
        kept = stored.get(key, 0)
        if total != kept:
            account = session.get(Account, key[0])
            name = account.name if account else f"account {key[0]}"
            yield Problem(
                "balance_mismatch",
                f"{name} {key[1]}: running balance {kept} but postings sum to {total} (minor units)",
            )
            return
    yield from _check_turnover(session)


def _check_turnover(session: Session) -> Iterator[Problem]:
    """The debits and credits kept per (account, currency) against the postings' (one
    index-only pass: the covering index holds account, currency and amount)."""
    debit = case((Posting.amount_minor > 0, Posting.amount_minor), else_=0)
    credit = case((Posting.amount_minor < 0, -Posting.amount_minor), else_=0)
    recomputed = {
        (account_id, currency): (int(debits or 0), int(credits or 0))
        for account_id, currency, debits, credits in session.execute(
            select(Posting.account_id, Posting.currency, func.sum(debit), func.sum(credit)).group_by(
                Posting.account_id, Posting.currency
            )
        )
    }
    stored = {
        (account_id, currency): (debits, credits)
        for account_id, currency, debits, credits in session.execute(
            select(
                AccountBalance.account_id,
                AccountBalance.currency,
                AccountBalance.debit_minor,
                AccountBalance.credit_minor,
            )
        )
    }
    for key in sorted(set(recomputed) | set(stored)):
        if recomputed.get(key, (0, 0)) != stored.get(key, (0, 0)):
            account = session.get(Account, key[0])
            name = account.name if account else f"account {key[0]}"
            kept, total = stored.get(key, (0, 0)), recomputed.get(key, (0, 0))
            yield Problem(
                "balance_mismatch",
                f"{name} {key[1]}: debits and credits kept as {kept} but postings sum to {total} (minor units)",
            )
            return


def _check_asset_currencies(session: Session) -> Iterator[Problem]:
    """A bank or cash account holds one currency, and an account with a currency only that one."""
    held: dict[str, tuple[str | None, set[str]]] = {}
    rows = session.execute(
        select(Account.name, Account.currency, Posting.currency)
        .join(Posting, Posting.account_id == Account.id)
        .where(Account.kind.in_(("bank", "cash")) | Account.currency.isnot(None))
        .distinct()
    )
    for name, declared, currency in rows:
        held.setdefault(name, (declared, set()))[1].add(currency)
    for name, (declared, currencies) in sorted(held.items()):
        if len(currencies) > 1:
            yield Problem(
                "mixed_currencies",
                f"{name} holds {len(currencies)} currencies ({', '.join(sorted(currencies))}); "
                "a bank or cash account holds one",
            )
        elif declared is not None and currencies != {declared}:
            yield Problem("mixed_currencies", f"{name} is a {declared} account but holds {min(currencies)}")


def verify_ledger(session: Session) -> VerifyResult:
    """Run every check; stop each at its first problem."""
    session.flush()
    stats = _Stats()
    sums: dict[tuple[int, str], int] = {}
    problems = list(_check_chain(session, stats, sums))
    if not problems:
        problems += list(_check_head(session, stats))
    problems += list(_check_running_balances(session, None if problems else sums))
    problems += list(_check_asset_currencies(session))
    return VerifyResult(stats.entries, stats.postings, stats.head_hash, problems)


# The triggers that keep the journal and the rows beside it append-only (migrations 0001, 0014,
# 0021).
GUARD_TRIGGERS = {
    "sqlite": (
        "journal_entries_no_update",
        "journal_entries_no_delete",
        "postings_no_update",
        "postings_no_delete",
        "receipts_guard_update",
        "receipts_guard_delete",
        "donations_guard_update",
        "donations_guard_delete",
        "accounts_guard_update",
        "accounts_guard_delete",
        "audit_events_no_update",
        "audit_events_no_delete",
    ),
    "postgresql": (
        "journal_entries_append_only",
        "journal_entries_no_truncate",
        "postings_append_only",
        "postings_no_truncate",
        "receipts_guard",
        "receipts_guard_truncate",
        "donations_guard",
        "donations_guard_truncate",
        "accounts_guard",
        "accounts_guard_truncate",
        "audit_events_append_only",
        "audit_events_no_truncate",
    ),
}


def verify_guards(session: Session) -> list[Problem]:
    """Every append-only trigger is there (and enabled): one dropped is a door left open."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        found = set(session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    elif dialect == "postgresql":
        found = set(
            session.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"))
        )
    else:  # pragma: no cover
        return []
    missing = [name for name in GUARD_TRIGGERS[dialect] if name not in found]
    if not missing:
        return []
    return [Problem("guard_missing", f"append-only triggers missing or disabled: {', '.join(missing)}")]
