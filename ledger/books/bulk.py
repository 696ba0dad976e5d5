"""Bulk posting: many entries in one unit of work, for imports and the benchmark.

``post_entries()`` enforces exactly what ``post_entry()`` enforces (the same
draft validation, admin-only advances, one reversal per entry, unique
idempotency keys, guarded accounts never crossing zero) and writes the same
rows, but pays the fixed costs once per batch instead of once per entry:
the write lock is taken once, accounts are resolved in one query, running
balances are read once and written once per (account, currency), and entries
and postings go in with one executemany each.  The hash chain is computed in
order in Python, so the result is indistinguishable from posting one by one.

All or nothing: every draft is checked before the first row is written, so a
refused batch leaves nothing pending in the session.  The caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session

from ledger.books.errors import (
    AccountClosed,
    AlreadyReversed,
    CurrencyMismatch,
    DuplicateEntry,
    InsufficientFunds,
    InvalidEntry,
    NotPermitted,
)
from ledger.books.hashchain import EntryFacts, PostingFacts, entry_hash
from ledger.books.holds import pending_holds
from ledger.books.models import Account, AccountBalance, JournalEntry, Posting
from ledger.books.posting import (
    ADVANCE_ROLE,
    ENTRY_COLUMNS,
    POSTING_COLUMNS,
    EntryDraft,
    Recorder,
    _lock_head,
    _move_head,
    _text,
    _validate,
)
from ledger.money import Money
from ledger.platform.database import utcnow

# Keeps IN (...) lists well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500


@dataclass(frozen=True)
class _Acct:
    id: int
    name: str
    sign: int
    guarded: bool
    currency: str | None = None
    closed: bool = False


def _chunks(values: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _resolve(session: Session, drafts: Sequence[EntryDraft]) -> dict[object, _Acct]:
    """Map every posting's account (name or Account) to its row, in a few queries.

    An ``Account`` is looked up by its identity key, so an instance expired by
    an earlier commit costs no refresh query.
    """
    names: set[str] = set()
    ids: set[int] = set()
    for draft in drafts:
        for posting in draft.postings:
            account = posting.account
            if isinstance(account, str):
                names.add(account)
            elif isinstance(account, Account):
                ids.add(_identity(session, account))
            else:
                raise InvalidEntry("bad account", field="account")
    columns = (Account.id, Account.name, Account.type, Account.guarded, Account.currency, Account.closed_at)
    by_name: dict[object, _Acct] = {}
    by_id: dict[object, _Acct] = {}
    for column, wanted in ((Account.name, sorted(names)), (Account.id, sorted(ids))):
        for chunk in _chunks(wanted):
            for account_id, name, type_, guarded, currency, closed_at in session.execute(
                select(*columns).where(column.in_(chunk))
            ):
                sign = 1 if type_ in ("asset", "expense") else -1
                row = _Acct(account_id, name, sign, bool(guarded), currency, closed_at is not None)
                by_name[name] = by_id[account_id] = row
    missing = names - by_name.keys()
    if missing:
        raise InvalidEntry("unknown account", field="account", account=min(missing))
    return {**by_name, **by_id}


def _identity(session: Session, account: Account) -> int:
    """The primary key of ``account`` without loading it (flushing a pending one first)."""
    identity = inspect(account).identity
    if identity is None:
        session.flush()
        identity = inspect(account).identity
    if identity is None:  # flushed above: an account without an id is a bug here, not bad input
        raise RuntimeError("account has no identity after flush")
    return cast(int, identity[0])


def _account_of(session: Session, accounts: dict[object, _Acct], account: Account | str) -> _Acct:
    if isinstance(account, str):
        return accounts[account]
    return accounts[_identity(session, account)]


def _check_unique(session: Session, drafts: Sequence[EntryDraft], keys: list[str | None]) -> None:
    """Idempotency keys and reversal targets must be new, in the batch and in the journal."""
    wanted_keys = [key for key in keys if key is not None]
    if len(set(wanted_keys)) != len(wanted_keys):
        raise InvalidEntry("duplicate idempotency key in batch", field="idempotency_key")
    for chunk in _chunks(sorted(wanted_keys)):
        existing = session.scalar(
            select(JournalEntry).where(JournalEntry.idempotency_key.in_(chunk)).limit(1)
        )
        if existing is not None:
            raise DuplicateEntry(existing)
    reversed_ids = [d.reverses_id for d in drafts if d.reverses_id is not None]
    if len(set(reversed_ids)) != len(reversed_ids):
        raise AlreadyReversed("entry already reversed", field="entry", reversal_id=None)
    for chunk in _chunks(sorted(reversed_ids)):
        already = session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_id.in_(chunk)).limit(1))
        if already is not None:
            raise AlreadyReversed("entry already reversed", field="entry", reversal_id=already)


def _balances(session: Session, account_ids: list[int]) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    for chunk in _chunks(sorted(account_ids)):
        rows = session.execute(
            select(AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor).where(
                AccountBalance.account_id.in_(chunk)
            )
        )
        found.update({(a, c): b for a, c, b in rows})
    return found


def post_entries(
    session: Session, drafts: Sequence[EntryDraft], *, recorded_by: Recorder | None = None
) -> range:
    """Validate, check funds, chain and write ``drafts`` in order; return their ids.

    Raises what ``post_entry()`` raises, for the first draft that fails, and
    then nothing was written.  A reversal may target an entry of the same
    batch posted before it.
    """
    if not drafts:
        return range(0)
    checked = [_validate(draft) for draft in drafts]
    is_admin = getattr(recorded_by, "role", None) == ADVANCE_ROLE
    if any(draft.is_advance for draft in drafts) and not is_admin:
        raise NotPermitted("only an admin may record an advance", field="is_advance")
    head = _lock_head(session)
    accounts = _resolve(session, drafts)
    _check_unique(session, drafts, [key for _, key, _ in checked])
    first_id = head.entry_count + 1
    for draft in drafts:
        if draft.reverses_id is not None and not 0 < draft.reverses_id < first_id + len(drafts):
            raise InvalidEntry("unknown entry", field="entry")
    stored = _balances(session, list({row.id for row in accounts.values()}))
    held = pending_holds(session, stored)  # money that pending items hold back (books/holds.py)
    running = dict(stored)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    debits: dict[tuple[int, str], int] = defaultdict(int)
    credits: dict[tuple[int, str], int] = defaultdict(int)

    recorded_at = utcnow()
    recorded_by_id = getattr(recorded_by, "id", None)
    prev_hash = head.head_hash
    entry_rows: list[tuple[Any, ...]] = []
    posting_rows: list[tuple[Any, ...]] = []
    for offset, (draft, (description, key, source_ref)) in enumerate(zip(drafts, checked, strict=True)):
        entry_id = first_id + offset
        lines = [(_account_of(session, accounts, p.account), p) for p in draft.postings]
        deltas: dict[tuple[int, str], int] = defaultdict(int)
        guarded: dict[tuple[int, str], _Acct] = {}
        hashed: list[PostingFacts] = []
        for line_no, (account, posting) in enumerate(lines, start=1):
            minor = posting.money.minor
            currency = posting.money.currency
            if account.closed:
                raise AccountClosed("account closed", field="account", account=account.name)
            if account.currency is not None and currency != account.currency:
                raise CurrencyMismatch(
                    "account holds another currency",
                    field="account",
                    account=account.name,
                    expected=account.currency,
                    currency=currency,
                )
            deltas[(account.id, currency)] += minor
            if minor > 0:
                debits[(account.id, currency)] += minor
            else:
                credits[(account.id, currency)] -= minor
            if account.guarded:
                guarded[(account.id, currency)] = account
            memo = None if posting.memo is None else _text(posting.memo, "memo")
            hashed.append((line_no, account.name, currency, minor, posting.category, memo))
            posting_rows.append((entry_id, line_no, account.id, currency, minor, posting.category, memo))
        for pair, delta in deltas.items():
            before = running.get(pair, 0)
            guard = guarded.get(pair)
            if guard is not None and not draft.is_advance and delta * guard.sign < 0:
                hold = held.get(pair, 0)
                if (before + delta) * guard.sign - hold < 0:
                    raise InsufficientFunds(
                        "not enough money",
                        field="amount",
                        account=guard.name,
                        currency=pair[1],
                        available=Money.from_minor(max(0, before * guard.sign - hold), pair[1]),
                        needed=Money.from_minor(-delta * guard.sign, pair[1]),
                        entry=offset,
                    )
            running[pair] = before + delta
            counts[pair] += 1
        facts = EntryFacts(
            entry_id,
            draft.entry_date,
            description,
            recorded_at,
            recorded_by_id,
            draft.source_type,
            source_ref,
            key,
            draft.reverses_id,
            draft.is_advance,
            draft.conversion_rate,
            None,  # approved_by: bulk loads are not signed off item by item
        )
        digest = entry_hash(prev_hash, facts, hashed)
        entry_rows.append((*facts, prev_hash, digest))
        prev_hash = digest

    _executemany(session, cast(Table, JournalEntry.__table__), ENTRY_COLUMNS, entry_rows)
    _executemany(session, cast(Table, Posting.__table__), POSTING_COLUMNS, posting_rows)
    _write_balances(session, stored, running, counts, debits, credits)
    last_id = first_id + len(drafts) - 1
    _move_head(session, last_id, prev_hash)
    return range(first_id, last_id + 1)


def _executemany(
    session: Session, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``) with one DBAPI executemany.

    SQLAlchemy's own executemany spends about as long building parameters as
    SQLite spends inserting; here each column's bind processor (dates on
    SQLite) is looked up once and applied only to the columns that have one.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)})"
    converters = [(i, p) for i, p in enumerate(processors) if p is not None]
    if converters:
        converted = []
        for row in rows:
            values = list(row)
            for index, process in converters:
                values[index] = process(values[index])
            converted.append(tuple(values))
        rows = converted
    connection.exec_driver_sql(sql, rows)


def _write_balances(
    session: Session,
    stored: dict[tuple[int, str], int],
    running: dict[tuple[int, str], int],
    counts: dict[tuple[int, str], int],
    debits: dict[tuple[int, str], int],
    credits: dict[tuple[int, str], int],
) -> None:
    """One UPDATE per touched (account, currency) that existed, one INSERT for the new ones."""
    changed = [
        {
            "a": account_id,
            "c": currency,
            "delta": running[(account_id, currency)] - stored[(account_id, currency)],
            "n": counts[(account_id, currency)],
            "dr": debits[(account_id, currency)],
            "cr": credits[(account_id, currency)],
        }
        for account_id, currency in counts
        if (account_id, currency) in stored
    ]
    if changed:
        table = cast(Table, AccountBalance.__table__)
        session.execute(
            update(table)
            .where(table.c.account_id == bindparam("a"), table.c.currency == bindparam("c"))
            .values(
                balance_minor=table.c.balance_minor + bindparam("delta"),
                posting_count=table.c.posting_count + bindparam("n"),
                debit_minor=table.c.debit_minor + bindparam("dr"),
                credit_minor=table.c.credit_minor + bindparam("cr"),
            ),
            changed,
        )
    new = [
        {
            "account_id": account_id,
            "currency": currency,
            "balance_minor": running[(account_id, currency)],
            "posting_count": counts[(account_id, currency)],
            "debit_minor": debits[(account_id, currency)],
            "credit_minor": credits[(account_id, currency)],
        }
        for account_id, currency in counts
        if (account_id, currency) not in stored
    ]
    if new:
        session.execute(insert(cast(Table, AccountBalance.__table__)), new)
