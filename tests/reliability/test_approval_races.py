"""Two-person sign-off under concurrency (processes, as in production): two approvers post
once, an approval racing a withdrawal leaves one outcome, and pending items racing each
other and direct spending never together overdraw a fund."""

from __future__ import annotations

import os
from datetime import date

from sqlalchemy import func, select

from ledger.access.users import create_user
from ledger.books.accounts import find_account, fund_account_for, get_or_create_account
from ledger.books.balances import available_in
from ledger.books.holds import Approval, held_in
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.money import Money
from ledger.signoff.thresholds import set_approval_thresholds
from ledger.spending.disbursements import record_disbursement
from tests.factories import bank_donation, new_prisoner
from tests.helpers import PASSWORD
from tests.reliability.workers import decide, process_pool, request_repeatedly, spend_repeatedly

PROCESSES = 4
TRIES = 15


def _pool(workers: int):
    return process_pool(workers)


def _setup(session, eur: str = "1000.00"):
    prisoner = new_prisoner(session)
    bank_donation(session, prisoner, eur)
    users = {
        name: create_user(session, f"{name}@example.org", PASSWORD, "coordinator") for name in ("a", "b", "c")
    }
    set_approval_thresholds(session, {"EUR": Money.from_minor(10000, "EUR")})
    session.commit()
    return prisoner, users


def _pending(session, prisoner, author, minor: int = 50000) -> int:
    result = record_disbursement(
        session,
        prisoner=prisoner,
        money=Money.from_minor(minor, "EUR"),
        category="food",
        paid_from=get_or_create_account(session, "assets:bank:eur-main"),
        spent_on=date(2026, 3, 1),
        recorded_by=author,
    )
    assert isinstance(result, Approval)
    session.commit()
    return result.id


def _race(database_url, tmp_path, approval_id, decisions, round_no):
    barrier = tmp_path / f"barrier-{approval_id}-{round_no}"
    barrier.mkdir()
    os.environ["RACE_WORKERS"] = str(len(decisions))
    with _pool(len(decisions)) as pool:
        futures = [
            pool.submit(decide, database_url, str(tmp_path), approval_id, email, action, str(barrier))
            for email, action in decisions
        ]
        return sorted(future.result() for future in futures)


def test_two_approvers_at_once_post_the_entry_once(app, session, database_url, tmp_path):
    prisoner, users = _setup(session)
    ids = [_pending(session, prisoner, users["a"], 10000) for _ in range(3)]
    session.remove()
    for round_no, approval_id in enumerate(ids):
        outcomes = _race(
            database_url,
            tmp_path,
            approval_id,
            [("b@example.org", "approve"), ("c@example.org", "approve")],
            round_no,
        )
        assert outcomes == ["approval_not_pending", "approve"]
    entries = session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.approved_by_id.isnot(None))
    )
    assert entries == 3
    assert set(session.scalars(select(Approval.status))) == {"approved"}
    result = verify_ledger(session)
    assert result.ok, result.problems


def test_an_approval_and_a_withdrawal_at_once_leave_one_outcome(app, session, database_url, tmp_path):
    prisoner, users = _setup(session)
    ids = [_pending(session, prisoner, users["a"], 10000) for _ in range(3)]
    fund_name = fund_account_for(session, prisoner).name
    session.remove()
    for round_no, approval_id in enumerate(ids):
        outcomes = _race(
            database_url,
            tmp_path,
            approval_id,
            [("b@example.org", "approve"), ("a@example.org", "withdraw")],
            round_no,
        )
        assert outcomes in (["approval_not_pending", "approve"], ["approval_not_pending", "withdraw"])
        approval = session.get(Approval, approval_id, populate_existing=True)
        posted = (
            session.scalar(
                select(func.count()).select_from(JournalEntry).where(JournalEntry.id == approval.entry_id)
            )
            if approval.entry_id
            else 0
        )
        if "approve" in outcomes:
            assert approval.status == "approved"
            assert posted == 1
        else:
            assert approval.status == "withdrawn"
            assert approval.entry_id is None
        session.commit()
    assert held_in(session, find_account(session, fund_name)) == {}
    assert verify_ledger(session).ok


def test_pending_items_and_spenders_racing_never_overdraw_a_fund(app, session, database_url, tmp_path):
    """Two processes submit items above the threshold while two spend under it directly."""
    prisoner, _ = _setup(session, "1000.00")
    fund_name = fund_account_for(session, prisoner).name
    session.remove()
    with _pool(PROCESSES) as pool:
        requesters = [
            pool.submit(
                request_repeatedly,
                database_url,
                str(tmp_path),
                "test-prisoner",
                f"{name}@example.org",
                TRIES,
                seed,
            )
            for seed, name in enumerate(("a", "b"))
        ]
        spenders = [
            pool.submit(spend_repeatedly, database_url, str(tmp_path), fund_name, TRIES * 2, seed)
            for seed in range(2)
        ]
        pending = [outcome for future in requesters for outcome in future.result()]
        spent = [outcome for future in spenders for outcome in future.result()]
    accepted_pending = sum(amount for approval_id, amount in pending if approval_id is not None)
    accepted_spent = sum(amount for entry_id, amount in spent if entry_id is not None)
    assert any(approval_id is None for approval_id, _ in pending)  # the fund ran out for some
    fund = find_account(session, fund_name)
    balance = available_in(session, fund).get("EUR")
    held = held_in(session, fund).get("EUR")
    assert (balance.minor if balance else 0) == 100000 - accepted_spent
    assert (held.minor if held else 0) == accepted_pending
    assert accepted_spent + accepted_pending <= 100000
    assert verify_ledger(session).ok
