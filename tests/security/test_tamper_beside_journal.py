"""What ``ledger verify`` did not see (issue #20, defects 3 and 10): stored receipt files
overwritten, donations re-pointed to other donors, guarded flags switched off, and files at
rest that anyone on the machine could read."""

from __future__ import annotations

import io
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from ledger import create_app
from ledger.books.accounts import get_or_create_account
from ledger.extensions import db
from ledger.funds.pledges import make_donor
from ledger.spending.models import Receipt
from tests.factories import bank_donation, jpeg_with_gps, new_prisoner
from tests.helpers import POSTGRES_URL, bearer


@pytest.fixture
def receipt(app, client, tokens):
    """A disbursement with a receipt, through the API, and a donation with a donor."""
    with app.app_context():
        prisoner = new_prisoner(db.session, "vera")
        bank_donation(db.session, prisoner, "500.00", "EUR")
        get_or_create_account(db.session, "assets:bank:eur-main")
        db.session.commit()
    headers = bearer(tokens["coordinator"])
    entry = client.post(
        "/api/v1/disbursements",
        json={
            "prisoner": "vera",
            "money": {"amount": "15.00", "currency": "EUR"},
            "category": "food",
            "paid_from": "assets:bank:eur-main",
            "spent_on": "2026-03-01",
        },
        headers=headers,
    ).get_json()["entry"]
    response = client.post(
        f"/api/v1/disbursements/{entry['id']}/receipts",
        headers=headers,
        data={"file": (io.BytesIO(jpeg_with_gps()), "receipt.jpg")},
    )
    assert response.status_code == 201
    with app.app_context():
        stored = db.session.get(Receipt, response.get_json()["receipt"]["id"])
        path = Path(app.instance_path, "receipts", stored.storage_name)
        db.session.remove()
    return path


def _verify(runner):
    return runner.invoke(args=["ledger", "verify"])


def test_verify_passes_on_untouched_books(runner, receipt):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:") or "OK:" in result.output


def test_an_overwritten_receipt_file_fails_verify(runner, receipt):
    receipt.write_bytes(b"\xff\xd8\xff" + b"a forged receipt")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "[receipt_changed]" in result.output


def test_a_missing_receipt_file_fails_verify(runner, receipt):
    receipt.unlink()
    result = _verify(runner)
    assert result.exit_code == 1
    assert "[receipt_missing]" in result.output


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE donations SET donor_id = (SELECT MAX(id) FROM donors)",
        "UPDATE donations SET pledge_id = NULL, prisoner_id = NULL",
        "UPDATE donations SET amount_minor = amount_minor + 1",
        "DELETE FROM donations",
        "UPDATE accounts SET guarded = false WHERE name LIKE 'liabilities:funds:%'",
        "UPDATE accounts SET name = 'assets:bank:elsewhere' WHERE name = 'assets:bank:eur-main'",
        "UPDATE accounts SET prisoner_id = NULL WHERE prisoner_id IS NOT NULL",
        "DELETE FROM accounts WHERE name = 'assets:bank:eur-main'",
        "UPDATE receipts SET sha256 = 'a' || substr(sha256, 2)",
        "UPDATE receipts SET entry_id = 1",
        "DELETE FROM receipts",
    ],
)
def test_rows_beside_the_journal_refuse_edits(app, receipt, statement):
    with app.app_context():
        if "donations" in statement:
            _a_donation_with_donors(db.session)
        with pytest.raises(DatabaseError, match="append-only|keep"), db.engine.begin() as connection:
            connection.execute(text(statement))


def _a_donation_with_donors(session):
    from ledger.funds.donations import DonationDraft, record_donation
    from ledger.funds.models import Prisoner
    from ledger.money import parse_amount

    prisoner = session.scalar(db.select(Prisoner))
    bank = get_or_create_account(session, "assets:bank:eur-main")
    record_donation(
        session,
        DonationDraft(
            received_on=date(2026, 2, 1),
            money=parse_amount("10.00", "EUR"),
            asset=bank,
            method="bank",
            prisoner=prisoner,
            donor=make_donor(session, public_name="A friend"),
        ),
    )
    make_donor(session, public_name="Someone else")
    session.commit()
    session.remove()


def test_labels_stay_editable_and_a_donor_can_be_forgotten(app, receipt):
    with app.app_context():
        _a_donation_with_donors(db.session)
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE accounts SET label = 'Main euro account' WHERE name = 'assets:bank:eur-main'")
            )
            connection.execute(text("UPDATE donations SET donor_id = NULL"))
            assert (
                connection.execute(text("SELECT count(*) FROM donations WHERE donor_id IS NULL")).scalar()
                == 1
            )


@pytest.mark.skipif(bool(POSTGRES_URL), reason="drops a trigger of the shared test database")
def test_a_dropped_guard_fails_verify(app, runner, receipt):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER donations_guard_update"))
    result = _verify(runner)
    assert result.exit_code == 1
    assert "[guard_missing]" in result.output
    assert "donations_guard_update" in result.output


@pytest.mark.skipif(bool(POSTGRES_URL), reason="drops triggers of the shared test database")
def test_a_receipt_row_and_file_swapped_together_fail_verify(app, runner, receipt):
    """A tamperer who drops the guard, replaces the file and writes its hash into the row still
    disagrees with the SHA-256 the audit log recorded when the receipt was attached."""
    import hashlib

    forged = b"\xff\xd8\xff" + b"forged"
    digest = hashlib.sha256(forged).hexdigest()
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER receipts_guard_update"))
        connection.execute(
            text("UPDATE receipts SET sha256 = :d, size_bytes = :s"), {"d": digest, "s": len(forged)}
        )
    target = receipt.parent.parent / digest[:2] / f"{digest}.jpg"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(forged)
    result = _verify(runner)
    assert result.exit_code == 1
    assert "[receipt_row_changed]" in result.output


# ---- files at rest --------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backups_are_written_owner_only(app, runner, tmp_path, receipt):
    old = os.umask(0o022)
    try:
        path = tmp_path / "ledger.operations.backup.gz"
        result = runner.invoke(args=["ledger", "backup", str(path)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert _mode(path) == 0o600


def test_receipt_files_and_folders_are_owner_only(receipt):
    assert _mode(receipt) == 0o600
    assert _mode(receipt.parent) == 0o700
    assert _mode(receipt.parent.parent) == 0o700


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the SQLite file")
def test_a_new_instance_and_database_are_owner_only(tmp_path):
    from flask_migrate import upgrade

    old = os.umask(0o022)
    try:
        instance = tmp_path / "fresh" / "instance"
        database = instance / "ledger.sqlite3"
        fresh = create_app(
            "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}, instance_path=str(instance)
        )
        fresh.config.pop("TWO_FACTOR_KEY")
        with fresh.app_context():
            upgrade(revision="heads")
            db.engine.dispose()
        production = create_app(
            "development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}, instance_path=str(instance)
        )
    finally:
        os.umask(old)
    assert _mode(instance) == 0o700
    assert _mode(database) == 0o600
    for name in ("secret_key", "two_factor_key"):
        assert _mode(instance / name) == 0o600, name
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["ledger", "verify"])
        db.engine.dispose()
    assert result.exit_code == 0
    assert "Warning" not in result.output


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the SQLite file")
def test_verify_warns_about_files_others_can_read(app, runner, receipt, database_url):
    database = Path(database_url.removeprefix("sqlite:///"))
    os.chmod(database, 0o644)
    os.chmod(receipt, 0o644)
    result = _verify(runner)
    assert result.exit_code == 0  # a warning, not a broken ledger
    assert f"Warning: {database} can be read by others (mode 644); chmod 600" in result.output
    assert f"Warning: {receipt} can be read by others" in result.output
