"""Worker processes for the concurrency tests: each builds its own app and engine."""

from __future__ import annotations

import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor
from datetime import date

from sqlalchemy import select

from ledger import create_app
from ledger.books.accounts import find_account
from ledger.books.errors import DuplicateEntry, InsufficientFunds
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.extensions import db
from ledger.money import Money


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Separate processes, each with its own app, engine and connections, forked from a server
    that has imported the package once (this module) instead of each importing it anew as
    "spawn" does: the same race at a fraction of the start-up."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def spend_repeatedly(
    url: str, instance: str, fund_name: str, tries: int, seed: int
) -> list[tuple[int | None, int]]:
    """Try ``tries`` random spends from one fund; return (entry id or None, amount) per try."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
    rng = random.Random(seed)
    outcomes = []
    with app.app_context():
        for _ in range(tries):
            amount = rng.randint(1, 300)
            money = Money.from_minor(amount, "EUR")
            fund = find_account(db.session, fund_name)
            bank = find_account(db.session, "assets:bank:eur-main")
            try:
                entry = post_entry(
                    db.session,
                    EntryDraft(
                        date(2026, 3, 1),
                        "Parcel",
                        [PostingDraft(fund, money, "parcels"), PostingDraft(bank, -money)],
                    ),
                )
                entry_id = entry.id
                db.session.commit()
                outcomes.append((entry_id, amount))
            except InsufficientFunds:
                db.session.rollback()
                outcomes.append((None, amount))
        db.session.remove()
        db.engine.dispose()
    return outcomes


def post_with_key(url: str, instance: str, fund_name: str, key: str) -> int | None:
    """Post one donation with an idempotency key; the id if this process recorded it."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
    with app.app_context():
        money = Money.from_minor(1000, "EUR")
        fund = find_account(db.session, fund_name)
        bank = find_account(db.session, "assets:bank:eur-main")
        try:
            entry = post_entry(
                db.session,
                EntryDraft(
                    date(2026, 3, 1),
                    "Webhook delivery",
                    [PostingDraft(bank, money), PostingDraft(fund, -money, "donation")],
                    source_type="stripe",
                    idempotency_key=key,
                ),
            )
            entry_id = entry.id
            db.session.commit()
            return entry_id
        except DuplicateEntry:
            db.session.rollback()
            return None
        finally:
            db.session.remove()
            db.engine.dispose()


def _user(email: str):
    from sqlalchemy import select

    from ledger.access.models import User

    return db.session.scalar(select(User).where(User.email == email))


def decide(url: str, instance: str, approval_id: int, email: str, action: str, barrier_path: str) -> str:
    """Approve or withdraw one pending item as ``email``; the outcome's name.

    Each worker waits until every worker's app is built (a file per worker in
    ``barrier_path``), so the decisions really race.
    """
    import os
    import time

    from ledger.books.errors import LedgerError
    from ledger.signoff.decisions import approve, withdraw

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
    with app.app_context():
        user = _user(email)
        db.session.commit()
        open(os.path.join(barrier_path, f"{os.getpid()}"), "w").close()
        deadline = time.monotonic() + 20
        while (
            len(os.listdir(barrier_path)) < int(os.environ.get("RACE_WORKERS", "2"))
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        try:
            if action == "approve":
                approve(db.session, approval_id, approver=user)
            else:
                withdraw(db.session, approval_id, user=user)
            db.session.commit()
            return action
        except LedgerError as error:
            db.session.rollback()
            return error.code
        finally:
            db.session.remove()
            db.engine.dispose()


def request_repeatedly(
    url: str, instance: str, slug: str, email: str, tries: int, seed: int
) -> list[tuple[int | None, int]]:
    """Submit ``tries`` disbursements at or above the threshold; (approval id or None, amount) per try."""
    from ledger.books.holds import Approval
    from ledger.funds.prisoners import prisoner_by_slug
    from ledger.spending.disbursements import record_disbursement

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
    rng = random.Random(seed)
    outcomes: list[tuple[int | None, int]] = []
    with app.app_context():
        for _ in range(tries):
            amount = rng.randint(100, 400) * 100
            user = _user(email)
            try:
                result = record_disbursement(
                    db.session,
                    prisoner=prisoner_by_slug(db.session, slug),
                    money=Money.from_minor(amount, "EUR"),
                    category="food",
                    paid_from=find_account(db.session, "assets:bank:eur-main"),
                    spent_on=date(2026, 3, 1),
                    recorded_by=user,
                )
                assert isinstance(result, Approval)
                approval_id = result.id
                db.session.commit()
                outcomes.append((approval_id, amount))
            except InsufficientFunds:
                db.session.rollback()
                outcomes.append((None, amount))
        db.session.remove()
        db.engine.dispose()
    return outcomes


def record_parcels(url: str, instance: str, slug: str, months: list[str]) -> list[str]:
    """Record one parcel for ``slug`` in each month (``"2025-03"``); the months it was taken."""
    from ledger.funds.models import Prisoner
    from ledger.spending.disbursements import ParcelDraft, record_disbursement
    from ledger.spending.parcel_quota import ParcelQuotaExceeded

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
    taken = []
    with app.app_context():
        for month in months:
            on = date.fromisoformat(f"{month}-01")
            prisoner = db.session.scalars(select(Prisoner).where(Prisoner.slug == slug)).one()
            try:
                record_disbursement(
                    db.session,
                    prisoner=prisoner,
                    money=Money.from_minor(100, "EUR"),
                    category="parcels",
                    paid_from=find_account(db.session, "assets:bank:eur-main"),
                    spent_on=on,
                    parcel=ParcelDraft(sent_on=on, total_grams=1000),
                )
                db.session.commit()
                taken.append(month)
            except ParcelQuotaExceeded:
                db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    return taken
