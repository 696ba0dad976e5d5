"""Read-side timings at scale: per-prisoner reports and the trial balance."""

from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.books.balances import all_balances
from ledger.books.models import Account, Posting
from ledger.reports.periods import Period
from ledger.reports.prisoner_report import prisoner_report


def report_latencies(session: Session, fund_names: list[str], years: range, count: int, seed: int) -> dict:
    """Time ``count`` calendar-year reports of random prisoners (the code behind the report
    page, its CSV and ``/api/v1/prisoners/<slug>/report``); milliseconds."""
    rng = random.Random(seed)
    accounts = {
        a.name: a for a in session.scalars(select(Account).where(Account.name.in_(fund_names[:5000])))
    }
    names = sorted(accounts)
    for name in names[:5]:  # warm the connection and the statement cache
        prisoner_report(
            session, accounts[name].prisoner, Period(date(years[0], 1, 1), date(years[0], 12, 31))
        )
    timings = []
    for _ in range(count):
        account = accounts[rng.choice(names)]
        year = rng.choice(years)
        started = time.perf_counter()
        prisoner_report(session, account.prisoner, Period(date(year, 1, 1), date(year, 12, 31)))
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "max_ms": timings[-1],
        "count": count,
    }


def trial_balance_running(session: Session) -> dict[tuple[str, str], int]:
    """Every non-zero balance from the running-balance table."""
    return {(account.name, money.currency): money.minor for account, money in all_balances(session)}


def trial_balance_summed(session: Session) -> dict[tuple[str, str], int]:
    """Every non-zero balance by summing all postings in SQL."""
    totals = (
        select(Posting.account_id, Posting.currency, func.sum(Posting.amount_minor).label("total"))
        .group_by(Posting.account_id, Posting.currency)
        .subquery()
    )
    rows = session.execute(
        select(Account.name, totals.c.currency, totals.c.total)
        .join(totals, totals.c.account_id == Account.id)
        .where(totals.c.total != 0)
    )
    return {(name, currency): int(total) for name, currency, total in rows}


def timed(function, *args, repeat: int = 3):
    """(best seconds of ``repeat`` runs, last result)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - started)
    return best, result


def per_currency(balances: dict[tuple[str, str], int]) -> dict[str, int]:
    """Sum per currency: zero for every currency in a balanced ledger."""
    sums: dict[str, int] = defaultdict(int)
    for (_, currency), minor in balances.items():
        sums[currency] += minor
    return dict(sums)
