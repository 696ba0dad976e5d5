"""The Stripe webhook: signed, fresh events only; each event stored once; money recorded once
per balance transaction, whatever the order and number of events that report it."""

import threading
import time

import pytest
from sqlalchemy import func, select

from ledger.access.models import AuditEvent
from ledger.books.accounts import STRIPE, find_account, general_fund
from ledger.books.balances import available_in, balances_of
from ledger.books.models import AccountBalance, JournalEntry, Posting
from ledger.funds.models import Donation, Donor, Pledge
from ledger.payments.models import StripeEvent
from ledger.platform.database import utc_today
from tests.payments.helpers import WEBHOOK_SECRET, assert_ledger_verifies


def _give(client, fake, *, prisoner="general", amount="50.00", currency="EUR", monthly=False):
    """Fill in the donate form; return the checkout session id and the metadata Stripe got."""
    response = client.post(
        "/donate",
        data={
            "amount": amount,
            "currency": currency,
            "prisoner": prisoner,
            "frequency": "monthly" if monthly else "one_off",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    checkout_id = response.headers["Location"].rsplit("/", 1)[1]
    return checkout_id, fake.requests_to("POST", "/v1/checkout/sessions")[-1]["metadata"]


def _entries(session):
    return session.scalar(select(func.count()).select_from(JournalEntry))


def _stripe_balance(session):
    return {c: m.minor for c, m in balances_of(session, find_account(session, STRIPE)).items()}


def _fund(session, prisoner=None):
    account = prisoner.fund_account if prisoner is not None else general_fund(session)
    return {c: m.minor for c, m in available_in(session, account).items()}


def _paid_one_off(client, session, fake, webhooks, *, prisoner="vera", amount=5000, fee=175):
    checkout_id, metadata = _give(client, fake, prisoner=prisoner, amount=f"{amount / 100:.2f}")
    charge = fake.paid_charge(amount, "eur", fee=fee, metadata=metadata)
    event = fake.event("checkout.session.completed", fake.complete_checkout(checkout_id, charge))
    response = webhooks.deliver(event)
    assert response.status_code == 200
    assert response.json == {"status": "processed"}
    return charge, event


@pytest.fixture
def vera(session, create_prisoner):
    prisoner = create_prisoner("vera", name="Вера")
    session.commit()
    return prisoner


def test_completed_one_off_checkout_records_gross_fee_and_net(client, session, fake_stripe, webhooks, vera):
    charge, event = _paid_one_off(client, session, fake_stripe, webhooks)
    assert _fund(session, vera) == {"EUR": 4825}
    assert _stripe_balance(session) == {"EUR": 4825}
    entry = session.scalar(select(JournalEntry))
    assert entry.idempotency_key == f"stripe:{charge['balance_transaction']}"
    assert entry.source_type == "stripe"
    assert entry.source_ref == event["id"]
    lines = {(p.account.name, p.category): p.amount_minor for p in entry.postings}
    assert lines == {
        ("assets:stripe", "donation"): 4825,
        ("liabilities:funds:prisoner:vera", "donation"): -5000,
        ("liabilities:funds:prisoner:vera", "fee"): 175,
    }
    donation = session.scalar(select(Donation))
    assert donation.method == "card"
    assert donation.amount_minor == 5000
    assert donation.donor is not None
    assert donation.donor.stripe_customer_id == "cus_TEST1"
    stored = session.get(StripeEvent, event["id"])
    assert stored.status == "processed"
    assert stored.type == "checkout.session.completed"
    assert stored.processed_at is not None
    assert stored.object_id.startswith("cs_test_")
    # Stripe's payload held the donor's email and name: nothing of it is kept
    details = " ".join(filter(None, session.scalars(select(AuditEvent.details))))
    assert "example.org" not in details
    assert "Secret Donor" not in details
    assert "example.org" not in entry.description
    assert_ledger_verifies(session)


def test_duplicate_delivery_is_acknowledged_without_effect(client, session, fake_stripe, webhooks, vera):
    _charge, event = _paid_one_off(client, session, fake_stripe, webhooks)
    again = webhooks.deliver(event)
    assert again.status_code == 200
    assert again.json == {"status": "duplicate"}
    assert _entries(session) == 1
    assert _stripe_balance(session) == {"EUR": 4825}
    assert_ledger_verifies(session)


def test_one_charge_reported_by_several_event_types_is_recorded_once(
    client, session, fake_stripe, webhooks, vera
):
    checkout_id, metadata = _give(client, fake_stripe, prisoner="vera")
    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata=metadata)
    intent = fake_stripe.objects[charge["payment_intent"]]
    for kind, obj in [
        ("charge.succeeded", charge),
        ("payment_intent.succeeded", intent),
        ("checkout.session.completed", fake_stripe.complete_checkout(checkout_id, charge)),
    ]:
        assert webhooks.deliver(fake_stripe.event(kind, obj)).json == {"status": "processed"}
    assert _entries(session) == 1
    assert session.query(Donation).count() == 1
    assert _fund(session, vera) == {"EUR": 4825}
    assert session.query(StripeEvent).count() == 3
    assert_ledger_verifies(session)


def test_monthly_pledge_is_fulfilled_by_paid_invoices(client, session, fake_stripe, webhooks, vera):
    checkout_id, metadata = _give(client, fake_stripe, prisoner="vera", amount="20", monthly=True)
    pledge = session.scalar(select(Pledge))
    subscription = fake_stripe.subscription(metadata)
    # the first invoice's payment is announced before the checkout completes
    first = fake_stripe.paid_charge(2000, "eur", fee=55, metadata={})
    invoice = fake_stripe.invoice_for(subscription["id"], first, metadata=metadata)
    assert webhooks.deliver(fake_stripe.event("invoice.paid", invoice)).json == {"status": "processed"}
    session.refresh(pledge)
    assert pledge.stripe_subscription_id == subscription["id"]
    completed = fake_stripe.complete_checkout(
        checkout_id, subscription=subscription["id"], invoice=invoice["id"]
    )
    assert webhooks.deliver(fake_stripe.event("checkout.session.completed", completed)).status_code == 200
    # the next month: found through the subscription id alone
    second = fake_stripe.paid_charge(2000, "eur", fee=55, metadata={})
    next_invoice = fake_stripe.invoice_for(subscription["id"], second)
    assert webhooks.deliver(fake_stripe.event("invoice.paid", next_invoice)).json == {"status": "processed"}
    donations = session.scalars(select(Donation).order_by(Donation.id)).all()
    assert [d.pledge_id for d in donations] == [pledge.id, pledge.id]
    assert all(d.donor_id == pledge.donor_id for d in donations)
    assert session.get(Donor, pledge.donor_id).stripe_customer_id == "cus_TEST1"
    assert _fund(session, vera) == {"EUR": 3890}
    assert_ledger_verifies(session)


def test_refund_before_the_completed_checkout_ends_up_correct(
    client, session, fake_stripe, webhooks, vera, create_donation
):
    create_donation(vera, "100.00", "EUR")
    session.commit()
    checkout_id, metadata = _give(client, fake_stripe, prisoner="vera")
    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata=metadata)
    fake_stripe.refund(charge, 5000)
    assert webhooks.deliver(fake_stripe.event("charge.refunded", charge)).json == {"status": "processed"}
    late = fake_stripe.event("checkout.session.completed", fake_stripe.complete_checkout(checkout_id, charge))
    assert webhooks.deliver(late).json == {"status": "processed"}
    assert _entries(session) == 3  # bank gift, card gift, refund
    assert session.query(Donation).count() == 1
    assert _fund(session, vera) == {"EUR": 10000 - 175}  # the fee is lost with the refund
    assert _stripe_balance(session) == {"EUR": -175}
    refund = session.scalar(select(JournalEntry).where(JournalEntry.description == "Card refund"))
    assert {(p.account.name, p.category, p.amount_minor) for p in refund.postings} == {
        ("assets:stripe", "refund", -5000),
        ("liabilities:funds:prisoner:vera", "refund", 5000),
    }
    assert_ledger_verifies(session)


def test_refund_larger_than_the_fund_waits_for_an_admin(client, session, fake_stripe, webhooks, vera, auth):
    charge, _event = _paid_one_off(client, session, fake_stripe, webhooks)
    fake_stripe.refund(charge, 5000)  # the fund holds 48.25 after the fee
    refunded = fake_stripe.event("charge.refunded", charge)
    response = webhooks.deliver(refunded)
    assert response.status_code == 200
    assert response.json == {"status": "needs_attention"}
    assert _entries(session) == 1
    assert _fund(session, vera) == {"EUR": 4825}
    held = session.get(StripeEvent, refunded["id"])
    assert held.status == "needs_attention"
    assert held.detail == "refund_exceeds_fund"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "stripe.needs_attention")) is not None
    assert webhooks.deliver(refunded).json == {"status": "duplicate"}

    auth.login("coordinator")
    page = client.get("/stripe/events").get_data(as_text=True)
    assert refunded["id"] in page
    assert "does not hold enough" in page
    assert "Record as advance" not in page
    assert client.post(f"/stripe/events/{refunded['id']}/advance").status_code == 403
    client.post(f"/stripe/events/{refunded['id']}/retry")
    assert session.get(StripeEvent, refunded["id"]).status == "needs_attention"
    auth.logout()

    auth.login("admin")
    assert "Record as advance" in client.get("/stripe/events").get_data(as_text=True)
    response = client.post(f"/stripe/events/{refunded['id']}/advance", follow_redirects=True)
    assert "The Stripe event was recorded." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(StripeEvent, refunded["id"]).status == "processed"
    refund = session.scalar(select(JournalEntry).where(JournalEntry.description == "Card refund"))
    assert refund.is_advance
    assert refund.recorded_by.role == "admin"
    assert _fund(session, vera) == {"EUR": -175}  # the advance: the fund owes the lost fee
    assert_ledger_verifies(session)


def test_held_refund_is_recorded_on_retry_once_the_fund_can_cover_it(
    client, session, fake_stripe, webhooks, vera, auth, create_donation
):
    charge, _event = _paid_one_off(client, session, fake_stripe, webhooks)
    fake_stripe.refund(charge, 5000)
    refunded = fake_stripe.event("charge.refunded", charge)
    assert webhooks.deliver(refunded).json == {"status": "needs_attention"}
    create_donation(vera, "10.00", "EUR")
    session.commit()
    auth.login("coordinator")
    client.post(f"/stripe/events/{refunded['id']}/retry")
    session.expire_all()
    assert session.get(StripeEvent, refunded["id"]).status == "processed"
    assert _fund(session, vera) == {"EUR": 825}
    assert_ledger_verifies(session)


def _bad_request_writes_nothing(session, response, code):
    assert response.status_code == 400
    assert response.json["error"]["code"] == code
    assert session.query(StripeEvent).count() == 0
    assert _entries(session) == 0


def test_forged_signature_is_refused_and_nothing_written(session, fake_stripe, webhooks, vera):
    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata={"fund": "vera"})
    event = fake_stripe.event("charge.succeeded", charge)
    _bad_request_writes_nothing(session, webhooks.deliver(event, secret="whsec_attacker"), "bad_signature")
    _bad_request_writes_nothing(session, webhooks.deliver(event, header=""), "bad_signature")
    import json as json_module

    from tests.payments.fake_stripe import signature_header

    genuine = signature_header(json_module.dumps(event), WEBHOOK_SECRET, timestamp=int(time.time()))
    event["data"]["object"]["amount"] = 999999
    _bad_request_writes_nothing(session, webhooks.deliver(event, header=genuine), "bad_signature")


@pytest.mark.parametrize(
    ("age", "code"), [(301, "stale_timestamp"), (-120, "future_timestamp"), (10**6, "stale_timestamp")]
)
def test_stale_or_future_timestamps_are_refused(session, fake_stripe, webhooks, vera, age, code):
    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata={"fund": "vera"})
    event = fake_stripe.event("charge.succeeded", charge)
    _bad_request_writes_nothing(session, webhooks.deliver(event, timestamp=int(time.time()) - age), code)


def test_a_clock_slightly_ahead_is_accepted(session, fake_stripe, webhooks, vera):
    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata={"fund": "vera"})
    event = fake_stripe.event("charge.succeeded", charge)
    assert webhooks.deliver(event, timestamp=int(time.time()) + 20).json == {"status": "processed"}


def test_unknown_event_types_are_stored_and_ignored(session, fake_stripe, webhooks):
    event = fake_stripe.event("customer.created", {"id": "cus_X", "object": "customer", "email": "a@b.org"})
    response = webhooks.deliver(event)
    assert response.status_code == 200
    assert response.json == {"status": "ignored"}
    stored = session.get(StripeEvent, event["id"])
    assert stored.status == "ignored"
    assert stored.object_id == "cus_X"
    assert _entries(session) == 0


@pytest.mark.parametrize("won", [True, False])
def test_dispute_withdraws_with_fee_and_reinstates_when_won(
    client, session, fake_stripe, webhooks, vera, won, create_donation
):
    create_donation(vera, "100.00", "EUR")
    session.commit()
    charge, _event = _paid_one_off(client, session, fake_stripe, webhooks)
    dispute = fake_stripe.dispute(charge, fee=1500)
    assert webhooks.deliver(fake_stripe.event("charge.dispute.created", dispute)).json == {
        "status": "processed"
    }
    assert _fund(session, vera) == {"EUR": 10000 + 4825 - 5000 - 1500}
    closed = fake_stripe.close_dispute(dispute["id"], won=won)
    assert webhooks.deliver(fake_stripe.event("charge.dispute.closed", closed)).json == {
        "status": "processed"
    }
    expected = 10000 + 4825 - 1500 if won else 10000 + 4825 - 5000 - 1500
    assert _fund(session, vera) == {"EUR": expected}
    assert _stripe_balance(session) == {"EUR": expected - 10000}
    assert _entries(session) == (4 if won else 3)
    assert_ledger_verifies(session)


def test_dispute_events_out_of_order_record_each_movement_once(
    client, session, fake_stripe, webhooks, vera, create_donation
):
    create_donation(vera, "100.00", "EUR")
    session.commit()
    charge, _event = _paid_one_off(client, session, fake_stripe, webhooks)
    created = fake_stripe.dispute(charge)
    closed = fake_stripe.close_dispute(created["id"], won=True)
    webhooks.deliver(fake_stripe.event("charge.dispute.closed", closed))
    webhooks.deliver(fake_stripe.event("charge.dispute.created", created))
    assert _entries(session) == 4
    assert _fund(session, vera) == {"EUR": 10000 + 4825 - 1500}
    assert_ledger_verifies(session)


def test_payout_moves_money_from_stripe_to_the_bank(client, session, fake_stripe, webhooks, vera):
    _paid_one_off(client, session, fake_stripe, webhooks)
    payout = fake_stripe.payout(4825, "eur")
    event = fake_stripe.event("payout.paid", payout)
    assert webhooks.deliver(event).json == {"status": "processed"}
    assert webhooks.deliver(fake_stripe.event("payout.paid", payout)).json == {"status": "processed"}
    assert _stripe_balance(session) == {}
    bank = find_account(session, "assets:bank:eur-stripe-payouts")
    assert balances_of(session, bank)["EUR"].minor == 4825
    assert _fund(session, vera) == {"EUR": 4825}
    assert _entries(session) == 2
    assert_ledger_verifies(session)


def _totals_per_currency(session):
    rows = session.execute(
        select(AccountBalance.currency, func.sum(AccountBalance.balance_minor)).group_by(
            AccountBalance.currency
        )
    )
    return {currency: total for currency, total in rows}


def test_settlement_in_another_currency_balances_each_currency(client, session, fake_stripe, webhooks, vera):
    checkout_id, metadata = _give(client, fake_stripe, prisoner="vera", currency="USD")
    charge = fake_stripe.paid_charge(5000, "usd", fee=163, metadata=metadata, settle_in="eur", rate="0.92")
    completed = fake_stripe.event(
        "checkout.session.completed", fake_stripe.complete_checkout(checkout_id, charge)
    )
    assert webhooks.deliver(completed).json == {"status": "processed"}
    # Stripe holds 46.00 - 1.63 EUR; the fund holds the gift in dollars, minus the fee at Stripe's rate
    assert _stripe_balance(session) == {"EUR": 4437}
    fee_in_dollars = 177  # 1.63 EUR × 50.00 / 46.00 = 1.7717 USD
    assert _fund(session, vera) == {"USD": 5000 - fee_in_dollars}
    trading = find_account(session, "equity:conversion")
    assert {c: m.minor for c, m in balances_of(session, trading).items()} == {"EUR": -4437, "USD": 4823}
    entry = session.scalar(select(JournalEntry))
    assert entry.conversion_rate == "0.92"
    assert session.scalar(select(Donation)).currency == "USD"
    assert all(total == 0 for total in _totals_per_currency(session).values())
    # a partial refund, settled in EUR at the day's rate
    fake_stripe.refund(charge, 1000, settled=930)
    assert webhooks.deliver(fake_stripe.event("charge.refunded", charge)).json == {"status": "processed"}
    assert _stripe_balance(session) == {"EUR": 4437 - 930}
    assert _fund(session, vera) == {"USD": 5000 - fee_in_dollars - 1000}
    assert all(total == 0 for total in _totals_per_currency(session).values())
    assert_ledger_verifies(session)


def test_zero_decimal_and_stripe_two_decimal_currencies(session, fake_stripe, webhooks, vera):
    jpy = fake_stripe.paid_charge(3000, "jpy", fee=120, metadata={"fund": "vera"})
    isk = fake_stripe.paid_charge(
        500000, "isk", fee=20000, metadata={"fund": "vera"}
    )  # ISK 5000 at Stripe: ×100
    for charge in (jpy, isk):
        assert webhooks.deliver(fake_stripe.event("charge.succeeded", charge)).json == {"status": "processed"}
    assert _fund(session, vera) == {"JPY": 2880, "ISK": 4800}
    assert_ledger_verifies(session)


def test_charge_in_the_dashboard_without_our_metadata_goes_to_the_general_fund(
    session, fake_stripe, webhooks
):
    charge = fake_stripe.paid_charge(1000, "eur", fee=40, metadata={})
    assert webhooks.deliver(fake_stripe.event("charge.succeeded", charge)).json == {"status": "processed"}
    assert _fund(session) == {"EUR": 960}
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "stripe.unattributed")) is not None


def test_stripe_unreachable_keeps_nothing_so_stripe_retries(session, fake_stripe, webhooks, vera):
    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata={"fund": "vera"})
    event = fake_stripe.event("charge.succeeded", charge)
    fake_stripe.fail_next = 404
    response = webhooks.deliver(event)
    assert response.status_code == 503
    assert session.query(StripeEvent).count() == 0
    assert _entries(session) == 0
    assert webhooks.deliver(event).json == {"status": "processed"}


def test_two_identical_deliveries_racing_record_one_entry(app, session, fake_stripe, vera):
    from tests.payments.helpers import Webhooks

    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata={"fund": "vera"})
    event = fake_stripe.event("charge.succeeded", charge)
    barrier = threading.Barrier(2)
    results = []

    def deliver():
        hooks = Webhooks(app.test_client())
        barrier.wait()
        response = hooks.deliver(event)
        results.append((response.status_code, response.json))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results, key=str) == sorted(
        [(200, {"status": "processed"}), (200, {"status": "duplicate"})], key=str
    )
    session.commit()
    assert _entries(session) == 1
    assert session.query(Posting).count() == 3
    assert_ledger_verifies(session)


def test_two_event_types_for_one_charge_racing_record_one_entry(app, session, fake_stripe, vera):
    from tests.payments.helpers import Webhooks

    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata={"fund": "vera"})
    events = [
        fake_stripe.event("charge.succeeded", charge),
        fake_stripe.event("payment_intent.succeeded", fake_stripe.objects[charge["payment_intent"]]),
    ]
    barrier = threading.Barrier(2)
    results = []

    def deliver(event):
        hooks = Webhooks(app.test_client())
        barrier.wait()
        results.append(hooks.deliver(event).status_code)

    threads = [threading.Thread(target=deliver, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [200, 200]
    session.commit()
    assert _entries(session) == 1
    assert session.query(Donation).count() == 1
    assert utc_today() >= session.scalar(select(JournalEntry.entry_date))
    assert_ledger_verifies(session)


def test_refund_of_a_charge_that_never_succeeded_waits_for_an_admin(session, fake_stripe, webhooks, vera):
    charge = fake_stripe.paid_charge(5000, "eur", fee=175, metadata={"fund": "vera"})
    fake_stripe.objects[charge["id"]].update(status="failed", paid=False)
    event = fake_stripe.event("charge.refunded", charge)
    assert webhooks.deliver(event).json == {"status": "needs_attention"}
    stored = session.get(StripeEvent, event["id"])
    assert stored.status == "needs_attention"
    assert stored.detail == "charge_not_recorded"
    assert _entries(session) == 0


def test_refund_of_a_monthly_charge_before_its_invoice_finds_the_pledge(
    client, session, fake_stripe, webhooks, vera
):
    _checkout_id, metadata = _give(client, fake_stripe, prisoner="vera", amount="20", monthly=True)
    pledge = session.scalar(select(Pledge))
    subscription = fake_stripe.subscription(metadata)
    charge = fake_stripe.paid_charge(2000, "eur", fee=55, metadata={})
    invoice = fake_stripe.invoice_for(subscription["id"], charge, metadata=metadata)
    fake_stripe.refund(charge, 500)
    assert webhooks.deliver(fake_stripe.event("charge.refunded", charge)).json == {"status": "processed"}
    assert webhooks.deliver(fake_stripe.event("invoice.paid", invoice)).json == {"status": "processed"}
    donation = session.scalar(select(Donation))
    assert donation.pledge_id == pledge.id
    assert _entries(session) == 2
    assert _fund(session, vera) == {"EUR": 2000 - 55 - 500}
    assert_ledger_verifies(session)


def test_ended_subscription_cancels_the_pledge(client, session, fake_stripe, webhooks, vera):
    checkout_id, metadata = _give(client, fake_stripe, prisoner="vera", amount="20", monthly=True)
    subscription = fake_stripe.subscription(metadata)
    completed = fake_stripe.complete_checkout(checkout_id, subscription=subscription["id"])
    webhooks.deliver(fake_stripe.event("checkout.session.completed", completed))
    subscription["status"] = "canceled"
    assert webhooks.deliver(fake_stripe.event("customer.subscription.deleted", subscription)).json == {
        "status": "processed"
    }
    pledge = session.scalar(select(Pledge))
    assert pledge.status == "cancelled"
    assert pledge.ends_on is not None


def test_a_card_pledge_is_cancelled_through_the_api_at_stripe_first(
    app, client, session, fake_stripe, webhooks, vera, tokens
):
    """POST /api/v1/pledges/<reference>/cancel: Stripe's subscription is cancelled before the
    pledge; while Stripe can't be reached nothing changes (502), and a pledge ends once."""
    from tests.helpers import bearer

    checkout_id, metadata = _give(client, fake_stripe, prisoner="vera", amount="20", monthly=True)
    subscription = fake_stripe.subscription(metadata)
    completed = fake_stripe.complete_checkout(checkout_id, subscription=subscription["id"])
    webhooks.deliver(fake_stripe.event("checkout.session.completed", completed))
    pledge = session.scalar(select(Pledge))
    path = f"/api/v1/pledges/{pledge.reference}/cancel"

    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    unreachable = client.post(path, headers=bearer(tokens["coordinator"]))
    assert unreachable.status_code == 502
    assert unreachable.get_json()["error"]["code"] == "stripe_unreachable"
    session.expire_all()
    assert pledge.status != "cancelled"
    assert fake_stripe.objects[subscription["id"]]["status"] != "canceled"

    app.config["STRIPE_API_BASE"] = fake_stripe.url
    assert client.post(path, headers=bearer(tokens["auditor"])).status_code == 403
    cancelled = client.post(path, headers=bearer(tokens["coordinator"]))
    assert cancelled.status_code == 200, cancelled.get_json()
    assert cancelled.get_json()["pledge"]["status"] == "cancelled"
    assert fake_stripe.objects[subscription["id"]]["status"] == "canceled"
    again = client.post(path, headers=bearer(tokens["coordinator"]))
    assert again.status_code == 422
    assert again.get_json()["error"]["code"] == "pledge_not_active"
    missing = client.post("/api/v1/pledges/SL-ZZZZZZZZZZ/cancel", headers=bearer(tokens["coordinator"]))
    assert missing.status_code == 404


def test_payout_lands_in_the_configured_bank_account(app, client, session, fake_stripe, webhooks, vera):
    app.config["STRIPE_PAYOUT_ACCOUNTS"] = {"EUR": "assets:bank:eur-main"}
    _paid_one_off(client, session, fake_stripe, webhooks)
    assert (
        webhooks.deliver(fake_stripe.event("payout.paid", fake_stripe.payout(4000, "eur"))).status_code == 200
    )
    assert balances_of(session, find_account(session, "assets:bank:eur-main"))["EUR"].minor == 4000
    assert _stripe_balance(session) == {"EUR": 825}
    assert_ledger_verifies(session)


@pytest.mark.parametrize(
    "payload",
    [
        '{"hello": "world"}',
        "not json",
        '{"id": "evt_1", "object": "event"}',
        # found by the attack run (issue #20): a list, a string, a number, deep nesting, NaN
        "[1,2]",
        '"evt_1"',
        "42",
        "[" * 100_000,
        '{"id": "evt_1", "object": "event", "data": ' + '{"object": ' * 50_000 + "1" + "}" * 50_001,
        '{"id": "evt_1", "object": "event", "amount": NaN}',
    ],
)
def test_signed_payload_that_is_not_an_event_is_refused(client, session, payload):
    from tests.payments.fake_stripe import signature_header

    response = client.post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature_header(payload, WEBHOOK_SECRET)},
    )
    _bad_request_writes_nothing(session, response, "bad_event")


def test_failed_payout_returns_the_money_to_stripe_once(client, session, fake_stripe, webhooks, vera):
    _paid_one_off(client, session, fake_stripe, webhooks)
    payout = fake_stripe.payout(4825, "eur")
    webhooks.deliver(fake_stripe.event("payout.paid", payout))
    failed = fake_stripe.fail_payout(payout["id"])
    for _ in range(2):
        assert webhooks.deliver(fake_stripe.event("payout.failed", failed)).json == {"status": "processed"}
    assert _stripe_balance(session) == {"EUR": 4825}
    assert _entries(session) == 3
    assert balances_of(session, find_account(session, "assets:bank:eur-stripe-payouts")) == {}
    assert_ledger_verifies(session)


def test_payout_that_failed_before_it_was_paid_records_nothing(session, fake_stripe, webhooks):
    payout = fake_stripe.payout(1000, "eur")
    failed = fake_stripe.fail_payout(payout["id"])
    assert webhooks.deliver(fake_stripe.event("payout.failed", failed)).json == {"status": "processed"}
    assert _entries(session) == 0


def _cancel_refund(fake, refund: dict) -> dict:
    """Stripe cancels a refund after its balance transaction was made: a ``refund_failure``
    balance transaction gives the money back."""
    failure = fake.balance_transaction(
        refund["amount"], refund["currency"], kind="refund_failure", source=refund["id"]
    )
    refund.update(status="canceled", failure_balance_transaction=failure["id"], failure_reason="unknown")
    return refund


def test_cancelled_refund_is_booked_back_once(client, session, fake_stripe, webhooks, vera, create_donation):
    create_donation(vera, "100.00", "EUR")
    session.commit()
    charge, _ = _paid_one_off(client, session, fake_stripe, webhooks)
    refund = fake_stripe.refund(charge, 5000)
    assert webhooks.deliver(fake_stripe.event("charge.refunded", charge)).json == {"status": "processed"}
    assert _fund(session, vera) == {"EUR": 10000 + 4825 - 5000}
    cancelled = _cancel_refund(fake_stripe, refund)
    for kind in ("charge.refund.updated", "refund.updated", "charge.refund.updated"):
        assert webhooks.deliver(fake_stripe.event(kind, cancelled)).json == {"status": "processed"}
    assert _fund(session, vera) == {"EUR": 10000 + 4825}
    assert _stripe_balance(session) == {"EUR": 4825}
    back = session.scalars(select(JournalEntry).where(JournalEntry.description == "Card refund failed")).all()
    assert len(back) == 1
    assert back[0].idempotency_key == f"stripe:{cancelled['failure_balance_transaction']}"
    assert_ledger_verifies(session)


def test_cancelled_refund_first_heard_of_when_the_fund_is_short(client, session, fake_stripe, webhooks, vera):
    """The refund's event was never delivered and the fund could not cover it: the money that
    came back is booked before the refund, so the fund never goes below zero and nets to nothing."""
    charge, _ = _paid_one_off(client, session, fake_stripe, webhooks)  # the fund holds 48.25
    refund = fake_stripe.refund(charge, 5000)
    cancelled = _cancel_refund(fake_stripe, refund)
    event = fake_stripe.event("charge.refund.updated", cancelled)
    assert webhooks.deliver(event).json == {"status": "processed"}
    assert webhooks.deliver(event).json == {"status": "duplicate"}
    assert _fund(session, vera) == {"EUR": 4825}
    assert _stripe_balance(session) == {"EUR": 4825}
    assert _entries(session) == 3  # the gift, the money back, the refund
    assert_ledger_verifies(session)


def test_cancelled_refund_missing_from_stripes_list_is_read_from_the_event(
    client, session, fake_stripe, webhooks, vera, create_donation
):
    create_donation(vera, "100.00", "EUR")
    session.commit()
    charge, _ = _paid_one_off(client, session, fake_stripe, webhooks)
    refund = fake_stripe.refund(charge, 5000)
    webhooks.deliver(fake_stripe.event("charge.refunded", charge))
    cancelled = _cancel_refund(fake_stripe, refund)
    event = fake_stripe.event("charge.refund.updated", cancelled)
    del fake_stripe.objects[refund["id"]]  # the refunds list no longer shows it
    assert webhooks.deliver(event).json == {"status": "processed"}
    assert _fund(session, vera) == {"EUR": 10000 + 4825}
    assert_ledger_verifies(session)
