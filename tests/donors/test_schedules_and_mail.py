"""Pledge schedules filled by a bank statement, a missed month, reminders, receipts, and the
outbox sent over real SMTP (aiosmtpd) by ``flask --app wsgi mail send``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from ledger.books.accounts import get_or_create_account
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.funds.bank_import import ColumnMapping, post_statement, read_statement
from ledger.funds.donations import DonationDraft, record_donation
from ledger.funds.models import Donation, Pledge, PledgeStatusChange
from ledger.funds.pledges import create_pledge, make_donor
from ledger.funds.schedules import Policy, due_date, evaluate, pledge_state
from ledger.mail.models import MailMessage
from ledger.money import parse_amount
from ledger.platform.database import utcnow
from tests.factories import new_prisoner

EMAIL = "pavel.donor@example.net"


def _monthly(session, prisoner=None, *, starts_on, amount="30", email=EMAIL, locale="en", **donor):
    pledge = create_pledge(
        session,
        prisoner=prisoner,
        money=parse_amount(amount, "EUR"),
        frequency="monthly",
        starts_on=starts_on,
        donor=make_donor(session, email=email, locale=locale, **donor),
    )
    session.commit()
    return pledge


def _statement(session, rows):
    bank = get_or_create_account(session, "assets:bank:eur-main")
    data = "date,amount,currency,reference,payer\n" + "".join(
        f"{on},{amount},EUR,{reference},P. Payer\n" for on, amount, reference in rows
    )
    statement = read_statement(session, data.encode(), ColumnMapping(), bank, key=b"test-import-key")
    decisions = {}
    for row in statement.rows:
        assert row.status == "matched", row
        decisions[row.number] = (
            get_or_create_account(session, f"liabilities:funds:prisoner:{row.pledge.prisoner.slug}")
            if row.pledge.prisoner
            else get_or_create_account(session, "liabilities:funds:general")
        )
    result = post_statement(session, statement, bank, decisions)
    session.commit()
    return result


def _run(runner, *args):
    return runner.invoke(args=list(args))


def test_rules_fill_the_oldest_instalment_and_carry_partial_payments(session):
    pledge = Pledge(
        reference="SL-RULES1",
        amount_minor=3000,
        currency="EUR",
        frequency="monthly",
        starts_on=date(2026, 1, 31),
        status="active",
    )
    policy = Policy(overdue_days=10, lapse_missed=3)
    assert [due_date(pledge.starts_on, i) for i in range(3)] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    state = evaluate(pledge, [], 4500, date(2026, 3, 5), policy)
    assert [(i.number, i.paid_minor) for i in state.instalments] == [(1, 3000), (2, 1500)]
    assert state.status == "active"  # February's instalment is open but not yet 10 days late
    assert evaluate(pledge, [], 4500, date(2026, 3, 11), policy).status == "overdue"
    assert evaluate(pledge, [], 0, date(2026, 4, 11), policy).status == "lapsed"
    ahead = evaluate(pledge, [], 9000, date(2026, 1, 31), policy)
    assert [(i.number, i.paid_minor) for i in ahead.instalments] == [(1, 3000), (2, 3000), (3, 3000)]
    once = Pledge(
        reference="SL-RULES2",
        amount_minor=5000,
        currency="EUR",
        frequency="one_off",
        starts_on=date(2026, 1, 1),
        status="active",
    )
    assert evaluate(once, [], 5000, date(2026, 1, 2), policy).status == "fulfilled"
    assert evaluate(once, [], 4999, date(2026, 3, 1), policy).status == "overdue"


def test_statement_fulfils_two_instalments_then_a_missed_month_sends_one_reminder(
    app, session, runner, smtp, eur_details
):
    vera = new_prisoner(session, "vera-k", name="Вера Кузнецова")
    today = utcnow().date()
    start = due_date(today.replace(day=1), -3)  # three months ago: instalments 1-4 have fallen due
    pledge = _monthly(session, vera, starts_on=start)
    # the confirmation mail went out with the pledge; clear it so the counts below are the reminder's
    assert _run(runner, "mail", "send").exit_code == 0
    smtp.inbox.received.clear()
    _statement(
        session,
        [
            (start.isoformat(), "30.00", pledge.reference),
            (due_date(start, 1).isoformat(), "30.00", f"Support {pledge.reference.lower()}"),
        ],
    )
    state = pledge_state(session, pledge, today)
    paid = [i.number for i in state.instalments if i.is_paid]
    assert paid == [1, 2]
    # the receipts for both transfers are queued; the third month is missed
    assert _run(runner, "pledges", "update").exit_code == 0
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "overdue"
    history = session.scalars(
        select(PledgeStatusChange)
        .where(PledgeStatusChange.pledge_id == pledge.id)
        .order_by(PledgeStatusChange.id)
    ).all()
    assert [(h.old_status, h.new_status, h.changed_by) for h in history] == [
        (None, "active", "staff"),
        ("active", "overdue", "job"),
    ]
    kinds = sorted(m.kind for m in session.scalars(select(MailMessage).where(MailMessage.status == "queued")))
    assert kinds == ["receipt", "receipt", "reminder"]
    first = _run(runner, "mail", "send")
    assert first.exit_code == 0, first.output
    assert len(smtp.inbox.received) == 3
    reminder = [m for m in smtp.inbox.to(EMAIL) if "reminder" in m["Subject"].lower()]
    assert len(reminder) == 1
    body = reminder[0].get_body(("plain",)).get_content()
    assert pledge.reference in body
    assert "Вера" not in body
    assert "vera" not in body.lower()
    assert "https://ledger.example.org/my-gift/" in body
    # again: nothing more is sent, and a second job run queues no second reminder
    assert _run(runner, "pledges", "update").exit_code == 0
    assert _run(runner, "mail", "send").exit_code == 0
    assert len(smtp.inbox.received) == 3
    for _sender, recipients, message in smtp.inbox.received:
        assert recipients == [EMAIL]
        assert message["To"] == EMAIL
        assert set(message.keys()) <= {
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "Auto-Submitted",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        }


def test_coordinators_get_a_daily_digest_without_donor_emails(app, session, runner, smtp, users):
    today = utcnow().date()
    _monthly(session, starts_on=due_date(today, -2))
    assert _run(runner, "pledges", "update").exit_code == 0
    assert _run(runner, "pledges", "update").exit_code == 0  # once a day
    assert _run(runner, "mail", "send").exit_code == 0
    digests = smtp.inbox.to("coordinator@example.org")
    assert len(digests) == 1
    text = digests[0].get_body(("plain",)).get_content()
    assert "SL-" in text
    assert EMAIL not in digests[0].as_string()


def test_a_lapsed_pledge_gets_one_notice_in_the_donors_language(app, session, runner, smtp):
    today = utcnow().date()
    pledge = _monthly(session, starts_on=due_date(today, -5), locale="ru")
    assert _run(runner, "pledges", "update").exit_code == 0
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "lapsed"
    kinds = [m.kind for m in session.scalars(select(MailMessage))]
    assert kinds.count("lapsed") == 1
    assert "reminder" not in kinds
    assert _run(runner, "mail", "send").exit_code == 0
    [notice] = [m for m in smtp.inbox.to(EMAIL) if pledge.reference in m.get_body(("plain",)).get_content()]
    assert any("\u0400" <= ch <= "\u04ff" for ch in notice["Subject"])


def test_receipts_for_bank_cash_and_card_gifts(
    app, client, session, runner, smtp, tokens, fake_stripe, webhooks
):
    from tests.helpers import bearer

    new_prisoner(session, "vera-k", name="Вера Кузнецова")
    session.commit()
    get_or_create_account(session, "assets:cash:anna", currency="EUR")
    session.commit()
    for method, asset in (("bank", "assets:bank:eur-main"), ("cash", "assets:cash:anna")):
        get_or_create_account(session, asset, currency="EUR")
        session.commit()
        response = client.post(
            "/api/v1/donations",
            json={
                "prisoner": "vera-k",
                "money": {"amount": "25.00", "currency": "EUR"},
                "method": method,
                "asset": asset,
                "donor": {"email": f"{method}@example.net"},
            },
            headers=bearer(tokens["coordinator"]),
        )
        assert response.status_code == 201, response.get_json()
    response = client.post(
        "/donate",
        data={
            "amount": "40",
            "currency": "EUR",
            "prisoner": "vera-k",
            "frequency": "one_off",
            "email": "card@example.net",
        },
    )
    assert response.status_code == 303
    checkout_id = response.headers["Location"].rsplit("/", 1)[1]
    metadata = fake_stripe.requests_to("POST", "/v1/checkout/sessions")[-1]["metadata"]
    charge = fake_stripe.paid_charge(4000, "eur", fee=120, metadata=metadata)
    event = fake_stripe.event(
        "checkout.session.completed", fake_stripe.complete_checkout(checkout_id, charge)
    )
    assert webhooks.deliver(event).status_code == 200
    result = _run(runner, "mail", "send")
    assert result.exit_code == 0, result.output
    for method, amount in (("bank", "25.00"), ("cash", "25.00"), ("card", "40.00")):
        [receipt] = smtp.inbox.to(f"{method}@example.net")
        body = receipt.get_body(("plain",)).get_content()
        assert amount in body
        assert "Вера" not in body
        assert "Kuz" not in body
        assert "R-" in body or "SL-" in body
    assert "card@example.net" not in str(fake_stripe.requests)


def test_a_donor_who_allows_it_sees_the_prisoners_name(app, session, runner, smtp):
    vera = new_prisoner(session, "vera-k", name="Вера Кузнецова")
    bank = get_or_create_account(session, "assets:bank:eur-main")
    donor = make_donor(session, email=EMAIL, may_name_prisoner=True)
    record_donation(
        session,
        DonationDraft(utcnow().date(), parse_amount("10", "EUR"), bank, "bank", prisoner=vera, donor=donor),
    )
    session.commit()
    assert _run(runner, "mail", "send").exit_code == 0
    assert "Вера Кузнецова" in smtp.inbox.to(EMAIL)[0].get_body(("plain",)).get_content()


def test_server_down_fails_cleanly_then_delivers_once(app, session, runner, smtp):
    bank = get_or_create_account(session, "assets:bank:eur-main")
    donor = make_donor(session, email=EMAIL)
    record_donation(
        session, DonationDraft(utcnow().date(), parse_amount("10", "EUR"), bank, "bank", donor=donor)
    )
    session.commit()
    smtp.stop()
    down = _run(runner, "mail", "send")
    assert down.exit_code == 1
    assert "could not be reached" in down.output
    assert "Traceback" not in down.output
    session.expire_all()
    [message] = session.scalars(select(MailMessage)).all()
    assert message.status == "queued"
    assert message.attempts == 1
    assert message.next_attempt_at > utcnow()
    assert message.last_error
    assert EMAIL not in message.last_error
    smtp.start()
    assert _run(runner, "mail", "send").exit_code == 0
    assert smtp.inbox.received == []  # backing off: not yet due
    session.execute(update(MailMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert _run(runner, "mail", "send").exit_code == 0
    assert _run(runner, "mail", "send").exit_code == 0
    assert len(smtp.inbox.to(EMAIL)) == 1


def test_deleting_an_email_touches_no_entry_and_drops_what_waited(app, session, runner, smtp):
    from ledger.funds.donor_mail import forget_email

    bank = get_or_create_account(session, "assets:bank:eur-main")
    donor = make_donor(session, email=EMAIL)
    record_donation(
        session, DonationDraft(utcnow().date(), parse_amount("10", "EUR"), bank, "bank", donor=donor)
    )
    session.commit()
    entries = [(e.id, e.hash) for e in session.scalars(select(JournalEntry))]
    assert forget_email(session, donor, reason="donor")
    session.commit()
    assert _run(runner, "mail", "send").exit_code == 0
    assert smtp.inbox.received == []
    assert session.scalars(select(MailMessage.status)).all() == ["dropped"]
    assert [(e.id, e.hash) for e in session.scalars(select(JournalEntry))] == entries
    assert verify_ledger(session).ok
    assert session.scalar(select(Donation)).donor_id == donor.id


def test_emails_are_deleted_after_the_retention_period(app, session, runner):
    old = make_donor(session, email="old@example.net")
    new = make_donor(session, email="new@example.net")
    old.email_added_at = datetime(2020, 1, 1)
    session.commit()
    assert _run(runner, "pledges", "update").exit_code == 0
    session.expire_all()
    assert old.email is None
    assert new.email == "new@example.net"
