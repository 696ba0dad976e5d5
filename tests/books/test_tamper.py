"""The database refuses edits of the journal, and verify finds edits made around it."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from ledger.books.verify import verify_ledger
from ledger.extensions import db


def _drop_append_only_triggers(connection) -> None:
    """What a tamperer with database access would do first.

    On PostgreSQL the test database is shared by all tests, so the triggers are
    only disabled, and the ``restore_triggers`` fixture enables them again.
    """
    if connection.dialect.name == "sqlite":
        for name in (
            "postings_no_update",
            "postings_no_delete",
            "journal_entries_no_update",
            "journal_entries_no_delete",
        ):
            connection.execute(text(f"DROP TRIGGER {name}"))
    else:
        connection.execute(text("ALTER TABLE postings DISABLE TRIGGER USER"))
        connection.execute(text("ALTER TABLE journal_entries DISABLE TRIGGER USER"))


@pytest.fixture(autouse=True)
def restore_triggers(app):
    yield
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE postings ENABLE TRIGGER USER"))
            connection.execute(text("ALTER TABLE journal_entries ENABLE TRIGGER USER"))


@pytest.fixture
def ledger_with_entries(session, create_prisoner, create_donation):
    prisoner = create_prisoner()
    create_donation(prisoner, "100.00")
    create_donation(prisoner, "50.00")
    session.commit()
    assert verify_ledger(session).ok
    session.close()  # release read locks: PostgreSQL's DROP TRIGGER would wait for them


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE postings SET amount_minor = amount_minor * 2",
        "DELETE FROM postings",
        "UPDATE journal_entries SET description = 'edited'",
        "DELETE FROM journal_entries",
    ],
)
def test_raw_sql_update_or_delete_of_the_journal_fails(app, ledger_with_entries, statement):
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text(statement))
    assert verify_ledger(db.session).ok


def test_an_edited_amount_is_found_by_verify(app, ledger_with_entries, runner):
    with db.engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(
            text(
                "UPDATE postings SET amount_minor = amount_minor - 100 WHERE entry_id = 2 AND amount_minor > 0"
            )
        )
        connection.execute(
            text(
                "UPDATE postings SET amount_minor = amount_minor + 100 WHERE entry_id = 2 AND amount_minor < 0"
            )
        )
    db.session.expire_all()
    result = verify_ledger(db.session)
    assert [p.code for p in result.problems][:1] == ["hash_mismatch"]
    assert result.problems[0].entry_id == 2
    outcome = runner.invoke(args=["ledger", "verify"])
    assert outcome.exit_code == 1
    assert "hash_mismatch" in outcome.output
    assert "entry #2" in outcome.output


def test_an_edited_description_is_found_by_verify(app, ledger_with_entries):
    with db.engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(text("UPDATE journal_entries SET description = 'Something else' WHERE id = 1"))
    db.session.expire_all()
    assert verify_ledger(db.session).problems[0].code == "hash_mismatch"


def test_a_deleted_entry_breaks_the_chain(app, ledger_with_entries):
    with db.engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(text("DELETE FROM postings WHERE entry_id = 1"))
        connection.execute(text("DELETE FROM journal_entries WHERE id = 1"))
    db.session.expire_all()
    assert verify_ledger(db.session).problems[0].code == "chain_gap"


def test_a_tampered_running_balance_is_reported(app, ledger_with_entries):
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE account_balances SET balance_minor = balance_minor + 1"))
    db.session.expire_all()
    problems = verify_ledger(db.session).problems
    assert problems
    assert problems[0].code == "balance_mismatch"


def test_tampered_turnover_is_reported_though_the_balance_still_adds_up(app, ledger_with_entries):
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE account_balances SET debit_minor = debit_minor + 5, credit_minor = credit_minor + 5")
        )
    db.session.expire_all()
    problems = verify_ledger(db.session).problems
    assert problems
    assert problems[0].code == "balance_mismatch"
    assert "debits and credits" in problems[0].message
