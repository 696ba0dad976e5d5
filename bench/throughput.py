"""Posting throughput: the domain layer (one entry per transaction, and in bulk)
against raw SQL inserting the very same rows (the ceiling)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import Session

from ledger.books.bulk import post_entries
from ledger.books.posting import EntryDraft, post_entry

ENTRY_COLUMNS = (
    "id",
    "entry_date",
    "description",
    "recorded_at",
    "recorded_by_id",
    "source_type",
    "source_ref",
    "idempotency_key",
    "reverses_id",
    "is_advance",
    "conversion_rate",
    "prev_hash",
    "hash",
)
POSTING_COLUMNS = ("entry_id", "line_no", "account_id", "currency", "amount_minor", "category", "memo")


def post_one_by_one(session: Session, drafts: Sequence[EntryDraft]) -> float:
    """Seconds to post every draft through post_entry(), committing each."""
    started = time.perf_counter()
    for draft in drafts:
        post_entry(session, draft)
        session.commit()
    return time.perf_counter() - started


def post_in_bulk(session: Session, drafts: Sequence[EntryDraft], batch: int) -> float:
    """Seconds to post the drafts through post_entries(), one transaction per ``batch``."""
    started = time.perf_counter()
    for start in range(0, len(drafts), batch):
        post_entries(session, drafts[start : start + batch])
        session.commit()
    return time.perf_counter() - started


def read_rows(raw_connection, first: int, last: int) -> tuple[list[tuple], dict[int, list[tuple]]]:
    """Entries ``first``..``last`` and their postings, as the driver returns them."""
    cursor = raw_connection.cursor()
    mark = _mark(raw_connection)
    cursor.execute(
        f"SELECT {', '.join(ENTRY_COLUMNS)} FROM journal_entries WHERE id BETWEEN {mark} AND {mark} ORDER BY id",
        (first, last),
    )
    entries = cursor.fetchall()
    cursor.execute(
        f"SELECT {', '.join(POSTING_COLUMNS)} FROM postings WHERE entry_id BETWEEN {mark} AND {mark} "
        "ORDER BY entry_id, line_no",
        (first, last),
    )
    postings: dict[int, list[tuple]] = defaultdict(list)
    for row in cursor.fetchall():
        postings[row[0]].append(tuple(row))
    cursor.close()
    raw_connection.rollback()
    return [tuple(row) for row in entries], postings


def _mark(raw_connection) -> str:
    return "?" if type(raw_connection).__module__.startswith("sqlite3") else "%s"


def _sql(raw_connection) -> dict[str, str]:
    m = _mark(raw_connection)
    return {
        "entry": f"INSERT INTO journal_entries ({', '.join(ENTRY_COLUMNS)}) VALUES ({', '.join([m] * 13)})",
        "posting": f"INSERT INTO postings ({', '.join(POSTING_COLUMNS)}) VALUES ({', '.join([m] * 7)})",
        "update": f"UPDATE account_balances SET balance_minor = balance_minor + {m}, "
        f"posting_count = posting_count + {m} WHERE account_id = {m} AND currency = {m}",
        "insert": "INSERT INTO account_balances (account_id, currency, balance_minor, posting_count) "
        f"VALUES ({m}, {m}, {m}, {m})",
        "head": f"UPDATE ledger_head SET entry_count = {m}, head_hash = {m} WHERE id = 1",
    }


def ensure_head(raw_connection) -> None:
    cursor = raw_connection.cursor()
    cursor.execute("SELECT count(*) FROM ledger_head")
    if cursor.fetchone()[0] == 0:
        m = _mark(raw_connection)
        cursor.execute(
            f"INSERT INTO ledger_head (id, entry_count, head_hash) VALUES (1, 0, {m})", ("0" * 64,)
        )
    raw_connection.commit()


def _balances(cursor, sql, entry_postings: list[tuple], known: set) -> None:
    """Running balances as post_entry() keeps them: ``posting_count`` counts entries."""
    deltas: dict[tuple[int, str], int] = defaultdict(int)
    for posting in entry_postings:
        deltas[(posting[2], posting[3])] += posting[4]
    for (account_id, currency), delta in deltas.items():
        if (account_id, currency) in known:
            cursor.execute(sql["update"], (delta, 1, account_id, currency))
        else:
            cursor.execute(sql["insert"], (account_id, currency, delta, 1))
            known.add((account_id, currency))


def raw_one_by_one(raw_connection, entries: list[tuple], postings: dict[int, list[tuple]]) -> float:
    """Seconds to write each entry, its postings, balances and head in its own transaction."""
    sql = _sql(raw_connection)
    known: set = set()
    cursor = raw_connection.cursor()
    started = time.perf_counter()
    for entry in entries:
        cursor.execute(sql["entry"], entry)
        cursor.executemany(sql["posting"], postings[entry[0]])
        _balances(cursor, sql, postings[entry[0]], known)
        cursor.execute(sql["head"], (entry[0], entry[-1]))
        raw_connection.commit()
    return time.perf_counter() - started


def raw_in_one_transaction(raw_connection, entries: list[tuple], postings: dict[int, list[tuple]]) -> float:
    """Seconds to write every entry and posting with two executemany calls, balances
    aggregated, and one commit."""
    sql = _sql(raw_connection)
    cursor = raw_connection.cursor()
    started = time.perf_counter()
    cursor.executemany(sql["entry"], entries)
    flat = [row for entry in entries for row in postings[entry[0]]]
    cursor.executemany(sql["posting"], flat)
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for entry in entries:
        for account_id, currency in {(p[2], p[3]) for p in postings[entry[0]]}:
            totals[(account_id, currency)][1] += 1
    for posting in flat:
        totals[(posting[2], posting[3])][0] += posting[4]
    cursor.executemany(sql["insert"], [(a, c, total, count) for (a, c), (total, count) in totals.items()])
    cursor.execute(sql["head"], (entries[-1][0], entries[-1][-1]))
    raw_connection.commit()
    return time.perf_counter() - started
