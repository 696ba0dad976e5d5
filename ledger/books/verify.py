"""``ledger verify``: recompute everything the ledger promises and report differences.

Reads the journal in a streaming pass (no full load into memory), so it works
on a million postings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ledger.books.hashchain import GENESIS_HASH, canonical_entry, chain_hash
from ledger.books.models import Account, AccountBalance, JournalEntry, LedgerHead, Posting


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


def _posting_rows(session: Session):
    return session.execute(
        select(
            Posting.entry_id,
            Posting.line_no,
            Account.name,
            Posting.currency,
            Posting.amount_minor,
            Posting.category,
            Posting.memo,
            Posting.account_id,
            Account.guarded,
            Account.type,
        )
        .join(Account, Account.id == Posting.account_id)
        .order_by(Posting.entry_id, Posting.line_no)
        .execution_options(yield_per=5000)
    )


def _check_chain(session: Session, stats: _Stats) -> Iterator[Problem]:
    """Hash chain, balance per currency, guarded accounts, reversal mirrors."""
    entries = session.execute(
        select(JournalEntry).order_by(JournalEntry.id).execution_options(yield_per=2000)
    ).scalars()
    postings_by_entry = groupby(_posting_rows(session), key=lambda row: row[0])
    pending = next(postings_by_entry, None)
    prev_hash = GENESIS_HASH
    expected_id = 1
    running: dict[tuple[int, str], int] = defaultdict(int)
    for entry in entries:
        if entry.id != expected_id:
            yield Problem("chain_gap", f"expected entry #{expected_id}, found #{entry.id}", entry.id)
            return
        expected_id += 1
        while pending is not None and pending[0] < entry.id:
            yield Problem("orphan_postings", "postings without an entry", pending[0])
            return
        rows = list(pending[1]) if pending is not None and pending[0] == entry.id else []
        if rows:
            pending = next(postings_by_entry, None)
        stats.entries += 1
        stats.postings += len(rows)
        if entry.prev_hash != prev_hash:
            yield Problem("chain_broken", "prev_hash does not match the previous entry's hash", entry.id)
            return
        recomputed = chain_hash(
            prev_hash,
            canonical_entry(
                entry_id=entry.id,
                entry_date=entry.entry_date,
                description=entry.description,
                recorded_at=entry.recorded_at,
                recorded_by_id=entry.recorded_by_id,
                source_type=entry.source_type,
                source_ref=entry.source_ref,
                idempotency_key=entry.idempotency_key,
                reverses_id=entry.reverses_id,
                is_advance=entry.is_advance,
                conversion_rate=entry.conversion_rate,
                postings=[row[1:7] for row in rows],
                approved_by_id=entry.approved_by_id,
            ),
        )
        if recomputed != entry.hash:
            yield Problem(
                "hash_mismatch",
                "stored rows differ from what was hashed: the entry or its postings were edited",
                entry.id,
            )
            return
        prev_hash = entry.hash
        if len(rows) < 2:
            yield Problem("too_few_postings", f"{len(rows)} posting(s); an entry needs two", entry.id)
            return
        totals: dict[str, int] = defaultdict(int)
        deltas: dict[tuple[int, str], int] = defaultdict(int)
        for row in rows:
            totals[row[3]] += row[4]
            if row[8]:
                deltas[(row[7], row[3])] += row[4]
        unbalanced = {currency: total for currency, total in totals.items() if total}
        if unbalanced:
            yield Problem("unbalanced", f"sums per currency are not zero: {unbalanced}", entry.id)
            return
        for (account_id, currency), delta in deltas.items():
            before = running[(account_id, currency)]
            running[(account_id, currency)] = after = before + delta
            account_type = next(r[9] for r in rows if r[7] == account_id)
            sign = 1 if account_type in ("asset", "expense") else -1
            if after * sign < 0 and delta * sign < 0 and not entry.is_advance:
                name = next(r[2] for r in rows if r[7] == account_id)
                yield Problem(
                    "overdrawn", f"{name} went below zero in {currency} without an advance", entry.id
                )
                return
        if entry.reverses_id is not None:
            original = session.execute(
                select(Posting.account_id, Posting.currency, Posting.amount_minor).where(
                    Posting.entry_id == entry.reverses_id
                )
            ).all()
            mirrored = sorted((a, c, -m) for a, c, m in original)
            if mirrored != sorted((r[7], r[3], r[4]) for r in rows):
                yield Problem("bad_reversal", f"does not mirror entry #{entry.reverses_id}", entry.id)
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


def _check_running_balances(session: Session) -> Iterator[Problem]:
    recomputed = {
        (account_id, currency): (total, count)
        for account_id, currency, total, count in session.execute(
            select(
                Posting.account_id,
                Posting.currency,
                func.sum(Posting.amount_minor),
                func.count(),
            ).group_by(Posting.account_id, Posting.currency)
        )
    }
    stored = {
        (row.account_id, row.currency): (row.balance_minor, row.posting_count)
        for row in session.execute(select(AccountBalance)).scalars()
    }
    for key in sorted(set(recomputed) | set(stored)):
        total, _ = recomputed.get(key, (0, 0))
        kept, _ = stored.get(key, (0, 0))
        if total != kept:
            account = session.get(Account, key[0])
            name = account.name if account else f"account {key[0]}"
            yield Problem(
                "balance_mismatch",
                f"{name} {key[1]}: running balance {kept} but postings sum to {total} (minor units)",
            )
            return


def verify_ledger(session: Session) -> VerifyResult:
    """Run every check; stop each at its first problem."""
    stats = _Stats()
    problems = list(_check_chain(session, stats))
    if not problems:
        problems += list(_check_head(session, stats))
    problems += list(_check_running_balances(session))
    return VerifyResult(stats.entries, stats.postings, stats.head_hash, problems)


# The triggers that keep the journal and the rows beside it append-only (migrations 0001, 0014).
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
