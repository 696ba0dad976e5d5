"""Whole-journal exports checked by the real tools, and tamper evidence for downloads."""

import csv
import io
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.books.models import LedgerHead
from ledger.reports.beancount_export import beancount_account
from ledger.reports.trial_balance import trial_balance

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BEAN_CHECK = shutil.which("bean-check", path=str(BIN)) or shutil.which("bean-check")
BEAN_QUERY = shutil.which("bean-query", path=str(BIN)) or shutil.which("bean-query")
needs_beancount = pytest.mark.skipif(
    BEAN_CHECK is None or BEAN_QUERY is None, reason="beancount not installed"
)


def export(runner, fmt: str, path: Path) -> Path:
    result = runner.invoke(args=["ledger", "export", "--format", fmt, "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path


@needs_beancount
def test_bean_check_accepts_the_export_and_bean_query_totals_match_the_trial_balance(
    runner, session, books, tmp_path
):
    path = export(runner, "beancount", tmp_path / "ledger.beancount")
    check = subprocess.run([BEAN_CHECK, str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    query = subprocess.run(
        [
            BEAN_QUERY,
            "-f",
            "csv",
            str(path),
            "SELECT account, currency, sum(number) AS total GROUP BY account, currency ORDER BY account, currency",
        ],
        capture_output=True,
        text=True,
    )
    assert query.returncode == 0, query.stderr
    theirs = {
        (row["account"], row["currency"]): Decimal(row["total"].strip())
        for row in csv.DictReader(io.StringIO(query.stdout))
    }
    ours = {
        (beancount_account(line.account), line.currency): Decimal(line.balance) / 100
        for line in trial_balance(session).lines
    }
    assert theirs == ours
    assert theirs[("Liabilities:Funds:Prisoner:Vera", "EUR")] == Decimal("-286.85")


@needs_beancount
def test_bean_check_catches_an_edited_amount_in_the_export(runner, books, tmp_path):
    path = export(runner, "beancount", tmp_path / "ledger.beancount")
    text = path.read_text(encoding="utf-8")
    edited = text.replace("Assets:Bank:Eur-main  200.00 EUR", "Assets:Bank:Eur-main  210.00 EUR", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    check = subprocess.run([BEAN_CHECK, str(path)], capture_output=True, text=True)
    assert check.returncode != 0


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed")
def test_hledger_accepts_the_export_of_the_same_books(runner, books, tmp_path):
    path = export(runner, "hledger", tmp_path / "ledger.journal")
    check = subprocess.run(["hledger", "-f", str(path), "check", "-s"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_auditors_download_every_format_from_the_exports_page(client, auth, books):
    auth.login("auditor")
    html = client.get("/reports/exports").get_data(as_text=True)
    for fmt in ("hledger", "beancount", "jsonl"):
        assert f'href="/reports/exports/{fmt}"' in html
        response = client.get(f"/reports/exports/{fmt}", buffered=True)
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
    assert client.get("/reports/exports/xml").status_code == 404
    assert "hash:" in client.get("/reports/exports/beancount", buffered=True).get_data(as_text=True)


def test_exports_never_contain_donor_data(runner, books, tmp_path):
    from tests.factories import ANONYMOUS_EMAIL, PUBLIC_DONOR, PUBLIC_DONOR_EMAIL

    for fmt in ("hledger", "beancount", "json"):
        text = export(runner, fmt, tmp_path / f"ledger.{fmt}").read_text(encoding="utf-8")
        assert PUBLIC_DONOR_EMAIL not in text
        assert ANONYMOUS_EMAIL not in text
        assert PUBLIC_DONOR not in text


# -- tamper evidence ---------------------------------------------------------------------


def run_verify(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_export.py"), str(path), *extra],
        capture_output=True,
        text=True,
    )


def test_the_standalone_script_accepts_an_untouched_download_that_matches_the_published_head(
    client, session, auth, books, tmp_path
):
    auth.login("auditor")
    path = tmp_path / "journal.jsonl"
    path.write_bytes(client.get("/reports/exports/jsonl", buffered=True).get_data())
    head = client.get("/api/v1/ledger/head").get_json()
    result = run_verify(path, "--head", head["head_hash"], "--entries", str(head["entries"]))
    assert result.returncode == 0, result.stderr
    assert f"OK: {head['entries']} entries" in result.stdout


def test_an_edited_row_is_caught(runner, session, books, tmp_path):
    path = export(runner, "json", tmp_path / "journal.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    document = json.loads(lines[1])
    assert document["postings"][0][3] == "20000"
    document["postings"][0][3], document["postings"][1][3] = "2000", "-2000"  # still balanced, but edited
    lines[1] = json.dumps(document, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_verify(path)
    assert result.returncode == 1
    assert "entry 2 was changed" in result.stderr


def test_a_rewritten_chain_is_caught_by_the_published_head(runner, session, books, tmp_path):
    """Someone who edits an entry and recomputes every later hash still ends at another head."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import verify_export
    finally:
        sys.path.pop(0)
    import hashlib

    path = export(runner, "json", tmp_path / "journal.jsonl")
    documents = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    documents[0]["description"] = "Something else"
    previous = "0" * 64
    for document in documents:
        document["prev_hash"] = previous
        document["hash"] = hashlib.sha256(previous.encode() + verify_export.canonical(document)).hexdigest()
        previous = document["hash"]
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
    assert run_verify(path).returncode == 0  # internally consistent …
    head = session.get(LedgerHead, 1)
    result = run_verify(path, "--head", head.head_hash, "--entries", str(head.entry_count))
    assert result.returncode == 1
    assert "the ledger publishes" in result.stderr


def test_a_dropped_entry_is_caught(runner, books, tmp_path):
    path = export(runner, "json", tmp_path / "journal.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:3] + lines[4:]) + "\n", encoding="utf-8")
    assert run_verify(path).returncode == 1


def test_cli_verify_export_compares_with_this_ledgers_head(runner, session, books, tmp_path):
    path = export(runner, "json", tmp_path / "journal.jsonl")
    result = runner.invoke(args=["ledger", "verify-export", str(path)])
    assert result.exit_code == 0
    path.write_text(
        path.read_text(encoding="utf-8").replace("Warm clothes", "Warm clothes!"), encoding="utf-8"
    )
    assert runner.invoke(args=["ledger", "verify-export", str(path)]).exit_code == 1
