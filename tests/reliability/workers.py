"""Worker processes for the concurrency tests: each builds its own app and engine."""

from __future__ import annotations

import random
from datetime import date

from ledger import create_app
from ledger.books.accounts import find_account
from ledger.books.errors import DuplicateEntry, InsufficientFunds
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.extensions import db
from ledger.money import Money


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
