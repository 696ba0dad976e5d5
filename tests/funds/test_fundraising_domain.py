"""Prisoners, pledges, transfers and bank statements at the level of the domain."""

from datetime import date

import pytest
from sqlalchemy import func, select

from ledger.access.models import AuditEvent
from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account
from ledger.books.balances import available_in
from ledger.books.errors import InsufficientFunds, InvalidEntry
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.funds.bank_import import ColumnMapping, StatementError, post_statement, read_statement
from ledger.funds.donations import DonationDraft, record_donation
from ledger.funds.models import Donation, Donor, Prisoner
from ledger.funds.pledges import create_pledge, find_reference, make_donor, received_by_pledge
from ledger.funds.prisoners import ProfileError, create_prisoner, save_facility, update_prisoner
from ledger.funds.transfers import transfer_between_funds
from ledger.money import parse_amount

KEY = b"test-import-key"


def _entries(session):
    return session.scalar(select(func.count()).select_from(JournalEntry))


def test_create_prisoner_makes_a_fund_and_audits(session):
    facility = save_facility(session, None, name="ИК-2 (fictional)", max_parcel_grams=20000)
    prisoner = create_prisoner(
        session,
        "anna-k",
        {
            "name": "Анна К.",
            "name_latin": "Anna K.",
            "facility": facility,
            "status": "sentenced",
            "monthly_need": parse_amount("15000", "RUB"),
            "public": True,
            "bio_en": "<b>Teacher</b>",
        },
    )
    session.commit()
    assert prisoner.fund_account.name == "liabilities:funds:prisoner:anna-k"
    assert prisoner.monthly_need_minor == 1500000
    assert prisoner.bio_en == "<b>Teacher</b>"
    changes = update_prisoner(session, prisoner, {"status": "released", "public": False})
    assert set(changes) == {"status", "public"}
    actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["facility.created", "prisoner.created", "prisoner.updated"]


@pytest.mark.parametrize(
    ("slug", "values", "reason"),
    [
        ("Anna", {"name": "A"}, "bad_slug"),
        ("anna-", {"name": "A"}, "bad_slug"),
        ("general", {"name": "A"}, "slug_taken"),
        ("anna", {}, "required"),
        ("anna", {"name": "  "}, "required"),
        ("anna", {"name": "A\u202eB"}, "control_character"),
        ("anna", {"name": "A", "status": "dead"}, "unknown_status"),
        ("anna", {"name": "A", "public": "yes"}, "not_boolean"),
        ("anna", {"name": "A", "monthly_need": "100"}, "invalid_amount"),
        ("anna", {"name": "A", "balance": 5}, "unknown_field"),
        ("anna", {"name": "A" * 201}, "too_long"),
    ],
)
def test_bad_profiles_are_refused(session, slug, values, reason):
    with pytest.raises(ProfileError) as caught:
        create_prisoner(session, slug, values)
    assert caught.value.params["reason"] == reason
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Prisoner)) == 0


def test_duplicate_slug_refused(session):
    create_prisoner(session, "anna", {"name": "A"})
    session.commit()
    with pytest.raises(ProfileError):
        create_prisoner(session, "anna", {"name": "B"})


def test_pledge_references_are_unique_and_found_in_bank_text(session):
    prisoner = create_prisoner(session, "anna", {"name": "A"})
    pledges = [
        create_pledge(
            session,
            prisoner=prisoner,
            money=parse_amount("20", "EUR"),
            frequency="monthly",
            starts_on=date(2026, 1, 1),
        )
        for _ in range(50)
    ]
    references = {p.reference for p in pledges}
    assert len(references) == 50
    code = pledges[0].reference
    assert find_reference(f"Пожертвование {code.lower()} спасибо") == code
    assert find_reference("payment " + code.replace("-", "")) == code
    assert find_reference("no code here") is None
    assert pledges[0].donor.public_name is None
    assert pledges[0].donor.email is None


def test_pledge_donor_email_is_checked(session):
    with pytest.raises(InvalidEntry) as caught:
        make_donor(session, email="not-an-email")
    assert caught.value.params["reason"] == "invalid_email"


def test_received_by_pledge_leaves_out_reversed_gifts(session):
    from ledger.spending.reversals import reverse_with_reason

    prisoner = create_prisoner(session, "anna", {"name": "A"})
    pledge = create_pledge(
        session,
        prisoner=prisoner,
        money=parse_amount("20", "EUR"),
        frequency="monthly",
        starts_on=date(2026, 1, 1),
    )
    bank = get_or_create_account(session, "assets:bank:eur-main")
    first = record_donation(
        session,
        DonationDraft(
            date(2026, 1, 5), parse_amount("20", "EUR"), bank, "bank", prisoner=prisoner, pledge=pledge
        ),
    )
    record_donation(
        session,
        DonationDraft(
            date(2026, 2, 5), parse_amount("20", "EUR"), bank, "bank", prisoner=prisoner, pledge=pledge
        ),
    )
    reverse_with_reason(session, first.entry, on=date(2026, 2, 6), reason="bounced")
    session.commit()
    assert received_by_pledge(session, [pledge.id]) == {pledge.id: (2000, date(2026, 2, 5))}


def test_allocation_from_general_fund(session):
    prisoner = create_prisoner(session, "anna", {"name": "A"})
    bank = get_or_create_account(session, "assets:bank:eur-main")
    record_donation(session, DonationDraft(date(2026, 1, 5), parse_amount("100", "EUR"), bank, "bank"))
    general = general_fund(session)
    fund = fund_account_for(session, prisoner)
    transfer_between_funds(
        session, from_fund=general, to_fund=fund, money=parse_amount("60", "EUR"), on=date(2026, 1, 6)
    )
    session.commit()
    assert available_in(session, general)["EUR"].minor == 4000
    assert available_in(session, fund)["EUR"].minor == 6000
    before = _entries(session)
    with pytest.raises(InsufficientFunds):
        transfer_between_funds(
            session, from_fund=general, to_fund=fund, money=parse_amount("40.01", "EUR"), on=date(2026, 1, 6)
        )
    session.rollback()
    for bad in (dict(from_fund=bank, to_fund=fund), dict(from_fund=fund, to_fund=fund)):
        with pytest.raises(InvalidEntry):
            transfer_between_funds(session, money=parse_amount("1", "EUR"), on=date(2026, 1, 6), **bad)
    session.rollback()
    assert _entries(session) == before


STATEMENT = """Дата;Сумма;Валюта;Назначение платежа;Плательщик
05.03.2026;1 500,00;RUB;Пожертвование {code};Иванов И. И.
06.03.2026;2 000,50;RUB;помощь;Петрова А.
06.03.2026;-350,00;RUB;Комиссия банка;
07.03.2026;abc;RUB;ошибка;
08.03.2026;700,00;EUR;{code};Smith J.
"""
MAPPING = ColumnMapping(
    date="Дата",
    amount="Сумма",
    currency="Валюта",
    reference="Назначение платежа",
    payer="Плательщик",
    decimal_comma=True,
)


@pytest.fixture
def statement_setup(session):
    prisoner = create_prisoner(session, "anna", {"name": "A"})
    pledge = create_pledge(
        session,
        prisoner=prisoner,
        money=parse_amount("1500", "RUB"),
        frequency="monthly",
        starts_on=date(2026, 1, 1),
        donor=Donor(public_name=None, email="ivanov@example.net"),
    )
    bank = get_or_create_account(session, "assets:bank:rub-main")
    session.commit()
    return prisoner, pledge, bank, STATEMENT.format(code=pledge.reference).encode("cp1251")


def test_statement_rows_are_matched_previewed_and_posted_once(session, statement_setup):
    prisoner, pledge, bank, data = statement_setup
    statement = read_statement(session, data, MAPPING, bank, key=KEY)
    assert [r.status for r in statement.rows] == ["matched", "unmatched", "outgoing", "error", "error"]
    assert statement.rows[0].pledge is pledge
    assert statement.rows[0].money.minor == 150000
    assert statement.rows[1].money.minor == 200050
    assert statement.rows[3].error == ("import_bad_amount_comma", {"value": "abc"})
    assert (statement.rows[3].amount_text, statement.rows[3].error_field) == ("abc", "amount")
    # The EUR row in the RUB account's statement is refused, never imported.
    assert statement.rows[4].error == (
        "currency_mismatch",
        {"account": "assets:bank:rub-main", "expected": "RUB", "currency": "EUR"},
    )
    assert _entries(session) == 0  # reading writes nothing

    general = general_fund(session)
    result = post_statement(
        session, statement, bank, {1: fund_account_for(session, prisoner), 2: general, 5: general}
    )
    session.commit()
    assert len(result.posted) == 2
    assert result.skipped == 3
    donation = session.scalar(select(Donation).where(Donation.entry_id == result.posted[0].id))
    assert donation.pledge is pledge
    assert donation.donor.email == "ivanov@example.net"
    assert all("Иванов" not in (e.description or "") for e in result.posted)  # payer never stored
    assert available_in(session, general) == {"RUB": parse_amount("2000.50", "RUB")}

    again = read_statement(session, data, MAPPING, bank, key=KEY)
    assert [r.status for r in again.rows] == ["duplicate", "duplicate", "outgoing", "error", "error"]
    result = post_statement(session, again, bank, {1: general, 2: general, 5: general})
    session.commit()
    assert result.posted == []
    assert result.duplicates == 2
    assert _entries(session) == 2
    assert verify_ledger(session).ok


def test_a_row_key_cannot_be_recomputed_from_a_guessed_payer_name(session, statement_setup):
    """The keys are in the auditors' journal: without the instance's import key, hashing a
    row's date, amount, reference and a guessed name must not reproduce one."""
    import hashlib

    _, _, bank, _ = statement_setup
    data = b"date,amount,currency,reference,payer\n2026-03-05,10.00,RUB,x,Anna Petrova\n"
    key = read_statement(session, data, ColumnMapping(), bank, key=KEY).rows[0].idempotency_key
    guess = "|".join(["assets:bank:rub-main", "2026-03-05", "10.00", "RUB", "x", "Anna Petrova"])
    assert hashlib.sha256(guess.encode()).hexdigest()[:40] not in key
    other = read_statement(session, data, ColumnMapping(), bank, key=b"another-instance").rows[0]
    assert other.idempotency_key != key


def test_a_row_imported_before_the_import_key_is_still_a_duplicate(session, statement_setup):
    import hashlib

    from ledger.books.posting import EntryDraft, PostingDraft, post_entry

    _, _, bank, _ = statement_setup
    content = "|".join(["assets:bank:rub-main", "2026-03-05", "10.00", "RUB", "x", "A"]).encode()
    money = parse_amount("10.00", "RUB")
    post_entry(
        session,
        EntryDraft(
            date(2026, 3, 5),
            "Bank transfer",
            [PostingDraft(bank, money, "donation"), PostingDraft(general_fund(session), -money, "donation")],
            idempotency_key=f"import:{hashlib.sha256(content).hexdigest()[:40]}:1",
        ),
    )
    session.commit()
    data = b"date,amount,currency,reference,payer\n2026-03-05,10.00,RUB,x,A\n"
    assert read_statement(session, data, ColumnMapping(), bank, key=KEY).rows[0].status == "duplicate"


def test_identical_rows_in_one_statement_are_two_gifts(session, statement_setup):
    _, _, bank, _ = statement_setup
    data = b"date,amount,currency,reference,payer\n2026-03-05,10.00,RUB,x,A\n2026-03-05,10.00,RUB,x,A\n"
    statement = read_statement(session, data, ColumnMapping(), bank, key=KEY)
    assert [r.status for r in statement.rows] == ["unmatched", "unmatched"]
    result = post_statement(session, statement, bank, {1: general_fund(session), 2: general_fund(session)})
    assert len(result.posted) == 2


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "import_empty"),
        (b"date,amount,currency,reference,payer\n", "import_empty"),
        (b"when,how much\n2026-01-01,5\n", "import_missing_columns"),
        (b"\xff\xfe\x00\x00garbage", "import_missing_columns"),
    ],
)
def test_unreadable_statements(session, statement_setup, data, code):
    _, _, bank, _ = statement_setup
    with pytest.raises(StatementError) as caught:
        read_statement(session, data, ColumnMapping(), bank, key=KEY)
    assert caught.value.code == code


def test_fulfilment_and_status_leave_out_a_bounced_transfer(session):
    from ledger.reports.pledge_fulfilment import pledge_fulfilment
    from ledger.spending.reversals import reverse_with_reason

    prisoner = create_prisoner(session, "anna", {"name": "A"})
    pledge = create_pledge(
        session,
        prisoner=prisoner,
        money=parse_amount("20", "EUR"),
        frequency="monthly",
        starts_on=date(2026, 5, 1),
    )
    bank = get_or_create_account(session, "assets:bank:eur-main")
    gift = record_donation(
        session,
        DonationDraft(
            date(2026, 5, 5), parse_amount("20", "EUR"), bank, "bank", prisoner=prisoner, pledge=pledge
        ),
    )
    session.commit()
    [before] = pledge_fulfilment(
        session, start=date(2026, 5, 1), end=date(2026, 5, 31), today=date(2026, 6, 10)
    )
    # May's instalment is paid; June's fell due on the 1st but is not 10 days late yet
    assert before.received_total.minor == 2000
    assert before.status == "active"
    assert not before.lapsed
    reverse_with_reason(session, gift.entry, on=date(2026, 5, 20), reason="bounced")
    session.commit()
    [after] = pledge_fulfilment(
        session, start=date(2026, 5, 1), end=date(2026, 5, 31), today=date(2026, 6, 10)
    )
    # the bounced transfer reopens May's instalment, now missed: overdue (lapsed needs three)
    assert after.received_total.minor == 0
    assert after.status == "overdue"
    assert not after.lapsed
    [later] = pledge_fulfilment(
        session, start=date(2026, 5, 1), end=date(2026, 5, 31), today=date(2026, 7, 20)
    )
    assert later.lapsed
