"""The open books list entries one by one, except what donors gave: gifts, card fees, refunds
and everything that came from Stripe appear only as monthly totals, and so do reversals of
them (a reversed gift listed alone would show the gift's exact amount and day)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for, get_or_create_account
from ledger.books.models import JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.checkpoints.as_of import public_as_of
from ledger.money import parse_amount
from ledger.reports.public_journal import public_entries
from tests.helpers import seal


def test_gifts_their_reversals_and_stripe_entries_are_not_listed_one_by_one(
    session, create_prisoner, create_donation
):
    prisoner = create_prisoner()
    fund = fund_account_for(session, prisoner)
    bank = get_or_create_account(session, "assets:bank:eur-main")
    stripe = get_or_create_account(session, "assets:stripe")
    create_donation(prisoner, "100.00")
    bounced = create_donation(prisoner, "30.00")
    reverse_entry(session, bounced, reason="bounced")
    money = parse_amount("40.00", "EUR")
    parcel = post_entry(
        session,
        EntryDraft(
            date(2026, 2, 1), "Parcel", [PostingDraft(fund, money, "parcels"), PostingDraft(bank, -money)]
        ),
    )
    returned = reverse_entry(session, parcel, reason="returned")
    payout_money = parse_amount("5.00", "EUR")
    post_entry(
        session,
        EntryDraft(
            date(2026, 2, 2),
            "Stripe payout",
            [PostingDraft(bank, payout_money), PostingDraft(stripe, -payout_money)],
            source_type="stripe",
        ),
    )
    session.commit()
    seal(session)
    listed = [(entry.kind, entry.entry_date) for entry in public_entries(session, public_as_of(session))]
    assert listed == [("spending", parcel.entry_date), ("reversal", returned.entry_date)]
    # Six entries recorded: two gifts, a gift's reversal and a Stripe payout are not listed.
    assert session.scalar(select(func.count()).select_from(JournalEntry)) == 6
