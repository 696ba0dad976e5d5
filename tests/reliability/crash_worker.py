"""Run as a separate process: post entries forever until killed; print each committed id."""

import sys
from datetime import date

from ledger import create_app
from ledger.books.accounts import find_account
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.extensions import db
from ledger.money import Money

url, instance, fund_name = sys.argv[1:4]
app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
with app.app_context():
    money = Money.from_minor(100, "EUR")
    while True:
        entry = post_entry(
            db.session,
            EntryDraft(
                date(2026, 3, 1),
                "Donation",
                [
                    PostingDraft(find_account(db.session, "assets:bank:eur-main"), money),
                    PostingDraft(find_account(db.session, fund_name), -money, "donation"),
                    PostingDraft(find_account(db.session, fund_name), money, "fee"),
                    PostingDraft(find_account(db.session, "assets:bank:eur-main"), -money),
                ],
            ),
        )
        entry_id = entry.id
        db.session.commit()
        print(entry_id, flush=True)
