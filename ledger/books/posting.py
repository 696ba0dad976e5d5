"""Posting and reversing entries: the only way anything enters the journal.

Every call is one unit of work on the caller's session: it flushes, and the
caller (request, CLI command, script) commits or rolls back.  If anything is
refused, nothing has been added to the session's pending state that the caller
could commit by mistake: checks run before the first row is added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, cast

from sqlalchemy import CursorResult, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from ledger.books.errors import (
    AlreadyReversed,
    DuplicateEntry,
    InsufficientFunds,
    InvalidEntry,
    NotPermitted,
    UnbalancedEntry,
)
from ledger.books.hashchain import GENESIS_HASH, canonical_entry, chain_hash
from ledger.books.models import (
    CATEGORIES,
    SOURCE_TYPES,
    Account,
    AccountBalance,
    JournalEntry,
    LedgerHead,
    Posting,
)
from ledger.database import utcnow
from ledger.money import Money
from ledger.text import TextError, clean_text

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


@dataclass(frozen=True)
class PostingDraft:
    """A line to post: an account (object or name), a signed Money, a category."""

    account: Account | str
    money: Money
    category: str | None = None
    memo: str | None = None


@dataclass
class EntryDraft:
    entry_date: date
    description: str
    postings: Sequence[PostingDraft]
    source_type: str = "manual"
    source_ref: str | None = None
    idempotency_key: str | None = None
    conversion_rate: str | None = None
    is_advance: bool = False
    reverses_id: int | None = field(default=None, repr=False)


def _text(value, field_name: str, *, required: bool = False, max_length: int = 500) -> str | None:
    try:
        cleaned = clean_text(value, required=required, max_length=max_length)
    except TextError as error:
        raise InvalidEntry(error.code, field=field_name, reason=error.code, **error.params) from None
    return cleaned or None


@dataclass(frozen=True)
class _AccountRow:
    """The columns of an account that posting needs, read without ORM identity bookkeeping."""

    id: int
    name: str
    type: str
    guarded: bool

    @property
    def normal_sign(self) -> int:
        return 1 if self.type in ("asset", "expense") else -1


def _resolve_accounts(session: Session, drafts: Sequence[PostingDraft]) -> list[Account | _AccountRow]:
    """Accounts of the postings; names are looked up together, in one query."""
    names = {draft.account for draft in drafts if isinstance(draft.account, str)}
    found = {}
    if names:
        rows = session.execute(
            select(Account.id, Account.name, Account.type, Account.guarded).where(Account.name.in_(names))
        )
        found = {row.name: _AccountRow(row.id, row.name, row.type, bool(row.guarded)) for row in rows}
    accounts: list[Account | _AccountRow] = []
    for draft in drafts:
        account = draft.account
        if isinstance(account, str):
            if account not in found:
                raise InvalidEntry("unknown account", field="account", account=account)
            accounts.append(found[account])
        elif isinstance(account, Account):
            accounts.append(account)
        else:
            raise InvalidEntry("bad account", field="account")
    return accounts


def _validate(draft: EntryDraft) -> tuple[str, str | None, str | None]:
    if not isinstance(draft.entry_date, date) or not MIN_DATE <= draft.entry_date <= MAX_DATE:
        raise InvalidEntry("date out of range", field="date")
    if draft.source_type not in SOURCE_TYPES:
        raise InvalidEntry("unknown source", field="source")
    if len(draft.postings) < 2:
        raise UnbalancedEntry("an entry needs at least two postings")
    totals: dict[str, int] = defaultdict(int)
    for posting in draft.postings:
        if not isinstance(posting.money, Money):
            raise InvalidEntry("amounts must be Money", field="amount")
        if posting.money.is_zero():
            raise InvalidEntry("zero posting", field="amount")
        if posting.category is not None and posting.category not in CATEGORIES:
            raise InvalidEntry("unknown category", field="category", category=posting.category)
        totals[posting.money.currency] += posting.money.minor
    unbalanced = {currency: total for currency, total in totals.items() if total}
    if unbalanced:
        raise UnbalancedEntry("entry does not balance", totals=unbalanced)
    description = _text(draft.description, "description", required=True) or ""
    key = _text(draft.idempotency_key, "idempotency_key", max_length=200)
    source_ref = _text(draft.source_ref, "source_ref", max_length=200)
    return description, key, source_ref


class Head(NamedTuple):
    entry_count: int
    head_hash: str


_head = cast(Table, LedgerHead.__table__)
_LOCK_HEAD = (
    update(_head)
    .where(_head.c.id == 1)
    .values(entry_count=_head.c.entry_count)
    .returning(_head.c.entry_count, _head.c.head_hash)
)
_MOVE_HEAD = (
    update(_head).where(_head.c.id == 1).values(entry_count=bindparam("count"), head_hash=bindparam("hash"))
)


def _lock_head(session: Session) -> Head:
    """Take the ledger's write lock: every writer updates the head row first.

    On PostgreSQL this is a row lock held until commit; on SQLite the UPDATE
    takes the database's write lock.  Either way, checks made after it see every
    committed entry and no other writer can slip in between check and insert.
    The UPDATE returns the head it locked (one statement, no ORM bookkeeping).
    """
    row = session.execute(_LOCK_HEAD).first()
    if row is None:
        session.execute(insert(_head).values(id=1, entry_count=0, head_hash=GENESIS_HASH))
        return Head(0, GENESIS_HASH)
    return Head(*row)


def lock_ledger(session: Session) -> None:
    """Take the ledger's write lock before reading balances an entry will be built from
    (moving a whole fund), so that no other writer changes them in between."""
    _lock_head(session)


def _move_head(session: Session, entry_count: int, head_hash: str) -> None:
    """Write the new head; a LedgerHead loaded in this session is expired, not left stale."""
    session.execute(_MOVE_HEAD, {"count": entry_count, "hash": head_hash})
    loaded = session.identity_map.get(session.identity_key(LedgerHead, 1))
    if loaded is not None:
        session.expire(loaded)


def _current_balances(session: Session, keys: list[tuple[int, str]]) -> dict[tuple[int, str], int]:
    if not keys:
        return {}
    account_ids = {account_id for account_id, _ in keys}
    rows = session.execute(
        select(AccountBalance.account_id, AccountBalance.currency, AccountBalance.balance_minor)
        .where(AccountBalance.account_id.in_(account_ids))
        .execution_options(populate_existing=True)
    )
    return {(a, c): b for a, c, b in rows}


_balances = cast(Table, AccountBalance.__table__)
# Built once: constructing a statement costs more than executing it on SQLite.
_ADD_TO_BALANCE = (
    update(_balances)
    .where(_balances.c.account_id == bindparam("a"), _balances.c.currency == bindparam("c"))
    .values(
        balance_minor=_balances.c.balance_minor + bindparam("d"), posting_count=_balances.c.posting_count + 1
    )
)


def _add_to_balances(session: Session, deltas: dict[tuple[int, str], int]) -> None:
    """Move the running balances: one UPDATE executemany; INSERT the pairs seen for the first time."""
    params = [{"a": a, "c": c, "d": d} for (a, c), d in deltas.items()]
    result = cast(CursorResult, session.execute(_ADD_TO_BALANCE, params))
    if result.context.dialect.supports_sane_multi_rowcount and result.rowcount == len(params):
        return
    # First posting to some (account, currency), or a driver that cannot count: find which.
    existing = {
        (a, c)
        for a, c in session.execute(
            select(AccountBalance.account_id, AccountBalance.currency).where(
                AccountBalance.account_id.in_({a for a, _ in deltas})
            )
        )
    }
    missing = [
        {"account_id": a, "currency": c, "balance_minor": d, "posting_count": 1}
        for (a, c), d in deltas.items()
        if (a, c) not in existing
    ]
    if missing:
        session.execute(insert(AccountBalance), missing)


def post_entry(
    session: Session,
    draft: EntryDraft,
    *,
    recorded_by=None,
) -> JournalEntry:
    """Validate, check funds, chain and write one entry; return it (flushed).

    Raises UnbalancedEntry, InvalidEntry, InsufficientFunds, DuplicateEntry or
    NotPermitted, and then nothing was written.  ``draft.is_advance`` lets a
    fund go below zero and is accepted only from an admin.
    """
    description, key, source_ref = _validate(draft)
    if draft.is_advance and getattr(recorded_by, "role", None) != "admin":
        raise NotPermitted("only an admin may record an advance", field="is_advance")
    accounts = _resolve_accounts(session, draft.postings)

    head = _lock_head(session)
    if draft.reverses_id is not None:
        already = session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_id == draft.reverses_id))
        if already is not None:
            raise AlreadyReversed("entry already reversed", field="entry", reversal_id=already)
    if key is not None:
        existing = session.scalar(select(JournalEntry).where(JournalEntry.idempotency_key == key))
        if existing is not None:
            raise DuplicateEntry(existing)

    deltas: dict[tuple[int, str], int] = defaultdict(int)
    for account, posting in zip(accounts, draft.postings, strict=True):
        deltas[(account.id, posting.money.currency)] += posting.money.minor
    by_id = {account.id: account for account in accounts}
    # Only money leaving a guarded account needs its balance (a gift cannot overdraw).
    drawn = [
        (account_id, currency)
        for (account_id, currency), delta in deltas.items()
        if by_id[account_id].guarded and delta * by_id[account_id].normal_sign < 0
    ]
    balances = _current_balances(session, drawn) if not draft.is_advance else {}
    if not draft.is_advance:
        for (account_id, currency), delta in deltas.items():
            account = by_id[account_id]
            if not account.guarded or delta * account.normal_sign >= 0:
                continue
            after = balances.get((account_id, currency), 0) + delta
            if after * account.normal_sign < 0:
                available = max(0, balances.get((account_id, currency), 0) * account.normal_sign)
                raise InsufficientFunds(
                    "not enough money",
                    field="amount",
                    account=account.name,
                    currency=currency,
                    available=Money.from_minor(available, currency),
                    needed=Money.from_minor(-delta * account.normal_sign, currency),
                )

    entry_id = head.entry_count + 1
    recorded_at = utcnow()
    recorded_by_id = getattr(recorded_by, "id", None)
    rows = [
        (line_no, account.name, p.money.currency, p.money.minor, p.category, _text(p.memo, "memo"))
        for line_no, (account, p) in enumerate(zip(accounts, draft.postings, strict=True), start=1)
    ]
    digest = chain_hash(
        head.head_hash,
        canonical_entry(
            entry_id=entry_id,
            entry_date=draft.entry_date,
            description=description,
            recorded_at=recorded_at,
            recorded_by_id=recorded_by_id,
            source_type=draft.source_type,
            source_ref=source_ref,
            idempotency_key=key,
            reverses_id=draft.reverses_id,
            is_advance=draft.is_advance,
            conversion_rate=draft.conversion_rate,
            postings=rows,
        ),
    )
    entry = JournalEntry(
        id=entry_id,
        entry_date=draft.entry_date,
        description=description,
        recorded_at=recorded_at,
        recorded_by_id=recorded_by_id,
        source_type=draft.source_type,
        source_ref=source_ref,
        idempotency_key=key,
        reverses_id=draft.reverses_id,
        is_advance=draft.is_advance,
        conversion_rate=draft.conversion_rate,
        prev_hash=head.head_hash,
        hash=digest,
    )
    # A Core INSERT, then the object joins the session as persistent: the ORM's
    # unit of work costs more than the rest of post_entry() on SQLite.
    session.execute(
        insert(cast(Table, JournalEntry.__table__)),
        [{column.key: getattr(entry, column.key) for column in cast(Table, JournalEntry.__table__).columns}],
    )
    make_transient_to_detached(entry)
    session.add(entry)
    session.execute(
        insert(cast(Table, Posting.__table__)),
        [
            {
                "entry_id": entry_id,
                "line_no": line_no,
                "account_id": account.id,
                "currency": currency,
                "amount_minor": amount,
                "category": category,
                "memo": memo,
            }
            for (line_no, _, currency, amount, category, memo), account in zip(rows, accounts, strict=True)
        ],
    )
    _add_to_balances(session, deltas)
    _move_head(session, entry_id, digest)
    session.expire(entry, ["postings"])
    return entry


def reverse_entry(
    session: Session,
    entry: JournalEntry,
    *,
    reason: str,
    recorded_by=None,
    entry_date: date | None = None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Post the mirror image of ``entry``, linked to it.  The original stays.

    A reversal that would take a fund below zero (the donation was already
    spent) is refused like any other entry.
    """
    reason = _text(reason, "reason", required=True, max_length=300) or ""
    if entry.reverses_id is not None:
        raise InvalidEntry(
            "a reversal cannot be reversed; record a new entry", field="entry", reason="reversal_of_reversal"
        )
    draft = EntryDraft(
        entry_date=entry_date or utcnow().date(),
        description=f"Reversal of #{entry.id}: {reason}",
        postings=[
            PostingDraft(p.account, -Money.from_minor(p.amount_minor, p.currency), p.category, p.memo)
            for p in entry.postings
        ],
        source_type="reversal",
        source_ref=str(entry.id),
        idempotency_key=idempotency_key,
        conversion_rate=entry.conversion_rate,
        is_advance=entry.is_advance and getattr(recorded_by, "role", None) == "admin",
        reverses_id=entry.id,
    )
    return post_entry(session, draft, recorded_by=recorded_by)
