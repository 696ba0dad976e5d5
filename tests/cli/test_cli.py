"""The stable CLI: users, tokens, verify and the hledger export checked by real hledger."""

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from ledger.access.models import ApiToken, User
from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account, trading_account
from ledger.books.balances import all_balances
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.extensions import db
from ledger.money import Money, parse_amount
from tests.factories import bank_donation, new_prisoner
from tests.helpers import bearer


def test_users_create_reads_the_password_from_stdin(runner, session):
    result = runner.invoke(
        args=["users", "create", "Olga@Example.org", "--role", "coordinator"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "olga@example.org"))
    assert user.role == "coordinator"
    assert "a long enough password" not in user.password_hash


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["users", "create", "not-an-email", "--role", "auditor"], "a long enough password", "valid email"),
        (["users", "create", "a@example.org", "--role", "auditor"], "short", "at least 12"),
    ],
)
def test_users_create_refuses_bad_input_and_writes_nothing(runner, session, args, password, message):
    result = runner.invoke(args=args, input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert session.scalar(select(User)) is None


def test_users_create_refuses_unknown_roles_and_duplicates(runner, session):
    assert (
        runner.invoke(args=["users", "create", "a@example.org", "--role", "king"], input="x" * 12).exit_code
        == 2
    )
    assert (
        runner.invoke(
            args=["users", "create", "a@example.org", "--role", "admin"], input="x" * 12 + "\n"
        ).exit_code
        == 0
    )
    again = runner.invoke(args=["users", "create", "A@example.org", "--role", "admin"], input="x" * 12 + "\n")
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_tokens_create_prints_a_token_once_and_stores_only_its_hash(runner, client, users, session):
    result = runner.invoke(args=["tokens", "create", "auditor@example.org"])
    assert result.exit_code == 0
    token = result.output.strip()
    stored = session.scalar(select(ApiToken))
    assert token not in (stored.token_hash, stored.prefix)
    assert stored.prefix == token[:10]
    assert client.get("/api/v1/ledger/head", headers=bearer(token)).status_code == 200
    assert runner.invoke(args=["tokens", "create", "nobody@example.org"]).exit_code == 1


def test_users_are_listed_deactivated_reactivated_and_given_roles_from_the_cli(
    runner, client, users, session
):
    """Without the admin pages: a coordinator who lost their phone (or was detained) is shut
    out at once, API tokens included; the last active admin stays an active admin."""
    from ledger.access.models import AuditEvent, User

    token = runner.invoke(args=["tokens", "create", "coordinator@example.org"]).output.strip()
    assert client.get("/api/v1/journal", headers=bearer(token)).status_code == 200
    listed = runner.invoke(args=["users", "list"]).output
    assert [line.split()[:3] for line in listed.splitlines()] == [
        ["admin@example.org", "admin", "active"],
        ["auditor@example.org", "auditor", "active"],
        ["coordinator@example.org", "coordinator", "active"],
    ]

    off = runner.invoke(args=["users", "deactivate", "coordinator@example.org"])
    assert off.exit_code == 0, off.output
    assert client.get("/api/v1/journal", headers=bearer(token)).status_code == 401
    assert (
        "coordinator@example.org                  coordinator  deactivated"
        in runner.invoke(args=["users", "list"]).output
    )
    assert runner.invoke(args=["users", "activate", "coordinator@example.org"]).exit_code == 0
    assert client.get("/api/v1/journal", headers=bearer(token)).status_code == 200

    promoted = runner.invoke(args=["users", "set-role", "auditor@example.org", "--role", "coordinator"])
    assert promoted.exit_code == 0, promoted.output
    session.expire_all()
    assert session.scalar(select(User.role).where(User.email == "auditor@example.org")) == "coordinator"

    for args in (
        ["users", "deactivate", "admin@example.org"],
        ["users", "set-role", "admin@example.org", "--role", "auditor"],
    ):
        refused = runner.invoke(args=args)
        assert refused.exit_code == 1, refused.output
        assert "admin" in refused.output.lower()
    session.expire_all()
    assert session.scalar(select(User.active).where(User.email == "admin@example.org")) is True
    assert runner.invoke(args=["users", "deactivate", "nobody@example.org"]).exit_code == 1
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.in_(("user.deactivated", "user.activated", "user.role_changed")))
        .order_by(AuditEvent.id)
    )
    assert list(actions) == ["user.deactivated", "user.activated", "user.role_changed"]


def test_verify_reports_ok_with_counts(runner, session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    create_donation(prisoner, "12.34")
    session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0
    assert "OK: 1 entries, 2 postings" in result.output


def _rich_ledger(session):
    """Donations in three currencies, a fee, a transfer, a conversion, spending and a reversal."""
    anna = new_prisoner(session, "anna")
    boris = new_prisoner(session, "boris")
    bank_donation(session, anna, "300.00", "EUR")
    bank_donation(session, boris, "15000", "RUB")
    bank_donation(session, anna, "0.07", "USD", on=date(2026, 3, 1))
    stripe = get_or_create_account(session, "assets:stripe")
    gross, fee = parse_amount("50.00", "EUR"), parse_amount("1.75", "EUR")
    general = general_fund(session)
    post_entry(
        session,
        EntryDraft(
            date(2026, 2, 1),
            "Card donation",
            [
                PostingDraft(stripe, gross - fee),
                PostingDraft(general, -gross, "donation"),
                PostingDraft(general, fee, "fee"),
            ],
        ),
    )
    post_entry(
        session,
        EntryDraft(
            date(2026, 2, 2),
            "Allocation",
            [
                PostingDraft(general, parse_amount("40", "EUR"), "transfer"),
                PostingDraft(fund_account_for(session, boris), -parse_amount("40", "EUR"), "transfer"),
            ],
        ),
    )
    trading = trading_account(session)
    fund = fund_account_for(session, anna)
    post_entry(
        session,
        EntryDraft(
            date(2026, 2, 3),
            "Convert EUR to RUB",
            [
                PostingDraft(fund, parse_amount("100", "EUR"), "conversion"),
                PostingDraft(trading, -parse_amount("100", "EUR"), "conversion"),
                PostingDraft(trading, parse_amount("9850.50", "RUB"), "conversion"),
                PostingDraft(fund, -parse_amount("9850.50", "RUB"), "conversion"),
            ],
            conversion_rate="98.505",
        ),
    )
    bank_rub = get_or_create_account(session, "assets:bank:rub-main")
    food = post_entry(
        session,
        EntryDraft(
            date(2026, 2, 4),
            "Food parcel, tea; sugar",
            [
                PostingDraft(fund, parse_amount("2500", "RUB"), "food", "tea, sugar: 2 kg"),
                PostingDraft(bank_rub, -parse_amount("2500", "RUB")),
            ],
        ),
    )
    reverse_entry(session, food, reason="wrong prisoner", entry_date=date(2026, 2, 5))
    session.commit()


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed")
def test_hledger_reads_the_export_and_agrees_on_every_balance(runner, session, tmp_path):
    _rich_ledger(session)
    path = tmp_path / "ledger.journal"
    result = runner.invoke(args=["ledger", "export", "--format", "hledger", "--output", str(path)])
    assert result.exit_code == 0, result.output
    check = subprocess.run(["hledger", "-f", str(path), "check", "-s"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    bal = subprocess.run(
        ["hledger", "-f", str(path), "bal", "-N", "--flat", "--layout=bare", "-O", "csv"],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = {
        (row["account"], row["commodity"]): row["balance"]
        for row in csv.DictReader(io.StringIO(bal.stdout))
        if row["balance"] not in ("0", "")
    }
    ours = {(account.name, money.currency): str(money.amount) for account, money in all_balances(session)}
    assert theirs == ours
    assert ("equity:conversion", "RUB") in ours


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed")
def test_hledger_catches_a_balance_that_disagrees_with_the_postings(runner, session, tmp_path):
    _rich_ledger(session)
    text = "".join(runner.invoke(args=["ledger", "export"]).output)
    tampered = text.replace(
        "    assets:bank:rub-main  -2500.00 RUB", "    assets:bank:rub-main  -2400.00 RUB", 1
    )
    tampered = tampered.replace(
        "    liabilities:funds:prisoner:anna  2500.00 RUB",
        "    liabilities:funds:prisoner:anna  2400.00 RUB",
        1,
    )
    assert tampered != text
    path = tmp_path / "tampered.journal"
    path.write_text(tampered)
    check = subprocess.run(["hledger", "-f", str(path), "check", "-s"], capture_output=True, text=True)
    assert check.returncode != 0
    assert "balance assertion" in check.stderr.lower()


def test_export_never_contains_control_characters_or_donor_data(runner, session):
    _rich_ledger(session)
    output = runner.invoke(args=["ledger", "export"]).output
    assert all(line.isprintable() for line in output.splitlines())
    assert Money.from_minor(7, "USD").amount.as_tuple().exponent == -2
    assert "0.07 USD" in output
    db.session.remove()
