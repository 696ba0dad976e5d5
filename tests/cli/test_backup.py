"""Backup and restore: a restored database verifies and reports the same balances and head."""

import gzip
import json

from ledger import create_app
from ledger.books.balances import all_balances
from ledger.books.verify import verify_ledger
from ledger.extensions import db
from ledger.operations.demo import load_demo
from tests.helpers import POSTGRES_URL


def _state(session):
    result = verify_ledger(session)
    return result.ok, result.entries, result.head_hash, [(a.name, m) for a, m in all_balances(session)]


def _fresh_sqlite_app(tmp_path, migrated_database):
    import shutil

    target = tmp_path / "restored.sqlite3"
    shutil.copy(migrated_database if not POSTGRES_URL else _sqlite_template(tmp_path), target)
    instance = tmp_path / "restored-instance"
    instance.mkdir()
    return create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"}, instance_path=str(instance)
    )


def _sqlite_template(tmp_path):
    from flask_migrate import upgrade

    path = tmp_path / "template.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}, instance_path=str(tmp_path))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return path


def _load_demo(app):
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        state = _state(db.session)
        db.session.remove()
    return state


# These tests keep no app context open: Flask's CLI runner would reuse it instead
# of the restored app's.
def test_backup_restores_to_the_same_balances_and_head(app, runner, tmp_path, migrated_database):
    before = _load_demo(app)
    receipts = tmp_path / "instance" / "receipts" / "ab"
    receipts.mkdir(parents=True)
    (receipts / "abc.pdf").write_bytes(b"%PDF-1.4 receipt")
    path = tmp_path / "ledger.operations.backup.gz"
    result = runner.invoke(args=["ledger", "backup", str(path)])
    assert result.exit_code == 0, result.output
    assert "journal_entries" in result.output

    restored = _fresh_sqlite_app(tmp_path, migrated_database)
    outcome = restored.test_cli_runner().invoke(args=["ledger", "restore", str(path)])
    assert outcome.exit_code == 0, outcome.output
    with restored.app_context():
        assert _state(db.session) == before
        db.session.remove()
        db.engine.dispose()
    assert (
        tmp_path / "restored-instance" / "receipts" / "ab" / "abc.pdf"
    ).read_bytes() == b"%PDF-1.4 receipt"

    again = restored.test_cli_runner().invoke(args=["ledger", "restore", str(path)])
    assert again.exit_code == 1
    assert "empty database only" in again.output


def test_a_tampered_backup_is_refused_and_nothing_is_restored(app, runner, tmp_path, migrated_database):
    _load_demo(app)
    path = tmp_path / "ledger.operations.backup.gz"
    assert runner.invoke(args=["ledger", "backup", str(path)]).exit_code == 0
    lines = gzip.open(path, "rb").read().splitlines()
    for index, line in enumerate(lines):
        record = json.loads(line)
        if record.get("t") == "postings" and record["r"]["amount_minor"] > 0:
            record["r"]["amount_minor"] += 1
            lines[index] = json.dumps(record).encode()
            break
    tampered = tmp_path / "tampered.backup.gz"
    tampered.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))

    restored = _fresh_sqlite_app(tmp_path, migrated_database)
    outcome = restored.test_cli_runner().invoke(args=["ledger", "restore", str(tampered)])
    assert outcome.exit_code == 1
    assert "does not verify" in outcome.output
    with restored.app_context():
        assert verify_ledger(db.session).entries == 0
        db.session.remove()
        db.engine.dispose()


def test_garbage_is_not_a_backup(runner, tmp_path):
    path = tmp_path / "garbage.gz"
    path.write_bytes(b"not gzip at all")
    outcome = runner.invoke(args=["ledger", "restore", str(path)])
    assert outcome.exit_code == 1
    assert "not a readable ledger backup" in outcome.output
