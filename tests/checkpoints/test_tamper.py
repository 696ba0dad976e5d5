"""Editing a sealed row makes `ledger verify` and the export verifier fail and name the
checkpoint it breaks, even when the tamperer recomputes every hash after the edit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from ledger.books.hashchain import GENESIS_HASH, entry_facts, entry_hash
from ledger.books.models import JournalEntry
from ledger.checkpoints.verify import verify_everything
from ledger.extensions import db
from tests.books.test_tamper import _drop_append_only_triggers
from tests.helpers import seal

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def restore_triggers(app):
    yield
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in (
                "postings",
                "journal_entries",
                "checkpoint_balances",
                "checkpoints",
                "release_lines",
            ):
                connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def _drop_checkpoint_triggers(connection) -> None:
    if connection.dialect.name == "sqlite":
        for table in ("checkpoints", "checkpoint_balances"):
            connection.execute(text(f"DROP TRIGGER {table}_no_update"))
            connection.execute(text(f"DROP TRIGGER {table}_no_delete"))
    else:
        connection.execute(text("ALTER TABLE checkpoint_balances DISABLE TRIGGER USER"))
        connection.execute(text("ALTER TABLE checkpoints DISABLE TRIGGER USER"))


@pytest.fixture
def sealed(session, create_prisoner, create_donation):
    """Entries 1–3 sealed by checkpoint #1, entries 4–5 by #2, entry 6 not sealed."""
    prisoner = create_prisoner()
    for amount in ("100.00", "50.00", "25.00"):
        create_donation(prisoner, amount)
    session.commit()
    seal(session)
    create_donation(prisoner, "10.00")
    create_donation(prisoner, "20.00")
    session.commit()
    seal(session)
    create_donation(prisoner, "1.00")
    session.commit()
    assert verify_everything(session).ok
    session.close()


def _rewrite_chain(connection) -> None:
    """What a careful forger does after an edit: recompute every hash and the head."""
    session = db.session
    previous = GENESIS_HASH
    for entry in session.scalars(select(JournalEntry).order_by(JournalEntry.id)):
        postings = [
            (p.line_no, p.account.name, p.currency, p.amount_minor, p.category, p.memo)
            for p in entry.postings
        ]
        new = entry_hash(previous, entry_facts(entry), postings)
        connection.execute(
            text("UPDATE journal_entries SET prev_hash = :p, hash = :h WHERE id = :i"),
            {"p": previous, "h": new, "i": entry.id},
        )
        previous = new
    connection.execute(text("UPDATE ledger_head SET head_hash = :h WHERE id = 1"), {"h": previous})
    connection.execute(
        text(
            "UPDATE account_balances SET balance_minor = (SELECT COALESCE(SUM(p.amount_minor), 0) "
            "FROM postings p WHERE p.account_id = account_balances.account_id "
            "AND p.currency = account_balances.currency)"
        )
    )
    for column, sign in (("debit_minor", ">"), ("credit_minor", "<")):  # and the turnover (0016)
        connection.execute(
            text(
                f"UPDATE account_balances SET {column} = (SELECT COALESCE(SUM(ABS(p.amount_minor)), 0) "
                "FROM postings p WHERE p.account_id = account_balances.account_id "
                f"AND p.currency = account_balances.currency AND p.amount_minor {sign} 0)"
            )
        )
    session.rollback()


def _edit_entry_two(connection) -> None:
    _drop_append_only_triggers(connection)
    connection.execute(
        text("UPDATE postings SET amount_minor = amount_minor - 100 WHERE entry_id = 2 AND amount_minor > 0")
    )
    connection.execute(
        text("UPDATE postings SET amount_minor = amount_minor + 100 WHERE entry_id = 2 AND amount_minor < 0")
    )


def test_a_plain_edit_of_a_sealed_row_names_its_checkpoint(app, sealed, runner):
    with db.engine.begin() as connection:
        _edit_entry_two(connection)
    db.session.expire_all()
    result = verify_everything(db.session)
    assert not result.ok
    assert result.problems[0].code == "hash_mismatch"
    assert "sealed by checkpoint #1" in result.problems[0].message
    outcome = runner.invoke(args=["ledger", "verify"])
    assert outcome.exit_code == 1
    assert "entry #2" in outcome.output
    assert "checkpoint #1" in outcome.output


def test_an_edit_with_every_hash_recomputed_still_breaks_the_checkpoint(app, sealed, runner):
    with db.engine.begin() as connection:
        _edit_entry_two(connection)
    with db.engine.begin() as connection:
        _rewrite_chain(connection)
    db.session.expire_all()
    from ledger.books.verify import verify_ledger

    assert verify_ledger(db.session).ok  # the chain is consistent with itself …
    problems = verify_everything(db.session).problems  # … but not with what was signed
    assert [p.code for p in problems] == ["checkpoint_broken"]
    assert "checkpoint #1" in problems[0].message
    assert "entry #3" in problems[0].message
    outcome = runner.invoke(args=["ledger", "verify"])
    assert outcome.exit_code == 1
    assert "checkpoint #1" in outcome.output
    assert "broken" in outcome.output


def test_an_edit_after_the_last_checkpoint_names_no_checkpoint(app, sealed):
    with db.engine.begin() as connection:
        _drop_append_only_triggers(connection)
        connection.execute(text("UPDATE journal_entries SET description = 'x' WHERE id = 6"))
    db.session.expire_all()
    problems = verify_everything(db.session).problems
    assert problems[0].code == "hash_mismatch"
    assert "checkpoint" not in problems[0].message


def test_edited_public_balances_or_a_forged_checkpoint_are_found(app, sealed):
    with db.engine.begin() as connection:
        _drop_checkpoint_triggers(connection)
        connection.execute(
            text("UPDATE checkpoint_balances SET balance_minor = balance_minor * 2 WHERE sequence = 2")
        )
    db.session.expire_all()
    problems = verify_everything(db.session).problems
    assert problems
    assert "checkpoint #2" in problems[0].message
    assert "public balances" in problems[0].message
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE checkpoint_balances SET balance_minor = balance_minor / 2 WHERE sequence = 2")
        )
        connection.execute(text("UPDATE checkpoints SET entry_count = 4 WHERE sequence = 2"))
    db.session.expire_all()
    problems = verify_everything(db.session).problems
    assert problems
    assert "checkpoint #2" in problems[0].message
    assert "entry_count" in problems[0].message


def test_an_edited_or_deleted_line_of_the_published_open_books_is_found(app, sealed):
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER release_lines_no_update"))
            connection.execute(text("DROP TRIGGER release_lines_no_delete"))
        else:
            connection.execute(text("ALTER TABLE release_lines DISABLE TRIGGER USER"))
        connection.execute(
            text("UPDATE release_lines SET body = replace(body, '\"EUR\"', '\"USD\"') WHERE sequence = 2")
        )
    db.session.expire_all()
    problems = verify_everything(db.session).problems
    assert [p.message for p in problems if "checkpoint #2" in p.message and "open books" in p.message]
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM release_lines WHERE sequence = 1"))
    db.session.expire_all()
    messages = [p.message for p in verify_everything(db.session).problems]
    assert any("checkpoint #1" in m and "open books" in m for m in messages)


# -- the export verifier ---------------------------------------------------------------


def _download(runner, client, tmp_path) -> tuple[Path, Path]:
    journal = tmp_path / "journal.jsonl"
    assert runner.invoke(args=["ledger", "export", "--format", "json", "-o", str(journal)]).exit_code == 0
    checkpoints = tmp_path / "checkpoints.json"
    checkpoints.write_bytes(client.get("/api/v1/checkpoints").get_data())
    return journal, checkpoints


def run_script(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_export.py"), *map(str, args)],
        capture_output=True,
        text=True,
    )


def test_the_export_verifier_checks_every_checkpoint_and_says_which_seals_an_entry(
    app, client, runner, sealed, tmp_path
):
    journal, checkpoints = _download(runner, client, tmp_path)
    result = run_script(journal, "--checkpoints", checkpoints, "--entry", 4)
    assert result.returncode == 0, result.stderr
    assert "2 signed checkpoint(s) verified" in result.stdout
    assert "Entry 4 is sealed by checkpoint #2" in result.stdout
    assert "Entry 6 is not sealed" in run_script(journal, "--checkpoints", checkpoints, "--entry", 6).stdout
    trusted = json.loads(checkpoints.read_text())["public_keys"][0]["public_key"]
    assert run_script(journal, "--checkpoints", checkpoints, "--public-key", trusted).returncode == 0
    other = "A" * 43 + "="
    refused = run_script(journal, "--checkpoints", checkpoints, "--public-key", other)
    assert refused.returncode == 1
    assert "do not trust" in refused.stderr

    cli = runner.invoke(args=["ledger", "verify-export", str(journal), "--entry", "2"])
    assert cli.exit_code == 0, cli.output
    assert "sealed by checkpoint #1" in cli.output


def test_the_export_verifier_names_the_checkpoint_an_edited_row_breaks(app, client, runner, sealed, tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import verify_export
    finally:
        sys.path.pop(0)
    import hashlib

    journal, checkpoints = _download(runner, client, tmp_path)
    documents = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    documents[4]["description"] = "Something else"  # entry 5, sealed by checkpoint #2
    plain = tmp_path / "plain-edit.jsonl"
    plain.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
    result = run_script(plain, "--checkpoints", checkpoints)
    assert result.returncode == 1
    assert "entry 5 was changed" in result.stderr
    assert "sealed by checkpoint #2" in result.stderr

    previous = "0" * 64
    for document in documents:
        document["prev_hash"] = previous
        document["hash"] = hashlib.sha256(previous.encode() + verify_export.canonical(document)).hexdigest()
        previous = document["hash"]
    journal.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
    assert run_script(journal).returncode == 0  # consistent with itself …
    result = run_script(journal, "--checkpoints", checkpoints)
    assert result.returncode == 1  # … but not with the signed checkpoint #2
    assert "checkpoint #2" in result.stderr
    assert "is broken" in result.stderr
    assert "checkpoint #1" not in result.stderr

    cli = runner.invoke(args=["ledger", "verify-export", str(journal)])
    assert cli.exit_code == 1
    assert "checkpoint #2" in cli.output


def test_a_forged_signature_is_refused(app, client, runner, sealed, tmp_path):
    journal, checkpoints = _download(runner, client, tmp_path)
    body = json.loads(checkpoints.read_text())
    body["checkpoints"][0]["created_at"] = "2020-01-01T00:00:00Z"
    checkpoints.write_text(json.dumps(body))
    result = run_script(journal, "--checkpoints", checkpoints)
    assert result.returncode == 1
    assert "signature does not verify" in result.stderr
