"""Recording donations: balanced entries, fees from the fund, nothing written on bad input."""

from datetime import date

import pytest

from ledger.books.accounts import general_fund, get_or_create_account
from ledger.books.balances import available_in, balances_of
from ledger.books.errors import DuplicateEntry, InvalidEntry
from ledger.books.models import JournalEntry
from ledger.funds.donations import DonationDraft, record_donation
from ledger.funds.models import Donation, Donor, Pledge
from ledger.money import parse_amount


def _count(session, model):
    return session.query(model).count()


def test_card_donation_with_fee_credits_gross_and_charges_fee(session, create_prisoner):
    prisoner = create_prisoner()
    stripe = get_or_create_account(session, "assets:stripe")
    donation = record_donation(
        session,
        DonationDraft(
            date(2026, 3, 1),
            parse_amount("50.00", "EUR"),
            stripe,
            "card",
            prisoner=prisoner,
            fee=parse_amount("1.70", "EUR"),
            idempotency_key="stripe:txn_1",
        ),
    )
    session.commit()
    assert available_in(session, prisoner.fund_account)["EUR"].amount == parse_amount("48.30", "EUR").amount
    assert balances_of(session, stripe)["EUR"].minor == 4830
    assert donation.amount_minor == 5000
    assert donation.entry.hash


def test_general_fund_donation_linked_to_pledge(session):
    donor = Donor(public_name="Friends of Vera")
    pledge = Pledge(
        reference="GF-TEST1",
        donor=donor,
        prisoner=None,
        amount_minor=2000,
        currency="EUR",
        frequency="monthly",
        starts_on=date(2026, 1, 1),
    )
    session.add_all([donor, pledge])
    session.flush()
    bank = get_or_create_account(session, "assets:bank:eur-main")
    donation = record_donation(
        session, DonationDraft(date(2026, 2, 3), parse_amount("20", "EUR"), bank, "bank", pledge=pledge)
    )
    session.commit()
    assert donation.donor is donor
    assert available_in(session, general_fund(session))["EUR"].minor == 2000


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"method": "gold"}, "unknown_method"),
        ({"received_on": date(2999, 1, 1)}, "date_in_future"),
        ({"fee": parse_amount("60", "EUR")}, "bad_fee"),
        ({"fee": parse_amount("1", "USD")}, "currency_mismatch"),
        ({"asset": "fund"}, "bad_asset"),
    ],
)
def test_bad_donations_write_nothing(session, change, reason, create_prisoner):
    prisoner = create_prisoner()
    session.commit()
    fields = dict(
        received_on=date(2026, 3, 1),
        money=parse_amount("50", "EUR"),
        asset=get_or_create_account(session, "assets:bank:eur-main"),
        method="bank",
        prisoner=prisoner,
    )
    if change.get("asset") == "fund":
        change = {"asset": prisoner.fund_account}
    fields.update(change)
    with pytest.raises(InvalidEntry) as caught:
        record_donation(session, DonationDraft(**fields))
    assert caught.value.params["reason"] == reason
    session.rollback()
    assert _count(session, JournalEntry) == 0
    assert _count(session, Donation) == 0


def test_same_idempotency_key_records_once(session, create_prisoner):
    prisoner = create_prisoner()
    bank = get_or_create_account(session, "assets:bank:eur-main")
    draft = DonationDraft(
        date(2026, 3, 1),
        parse_amount("5", "EUR"),
        bank,
        "bank",
        prisoner=prisoner,
        idempotency_key="import:abc:1",
    )
    record_donation(session, draft)
    session.commit()
    with pytest.raises(DuplicateEntry):
        record_donation(session, draft)
    session.rollback()
    assert _count(session, Donation) == 1
