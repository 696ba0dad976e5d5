"""Plain helpers for the commissary tests: the organisation built through the API, and the
books checked by every tool at once (trial balance, balance sheet, hledger, Beancount, verify)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from ledger.books.verify import verify_ledger
from ledger.platform.database import utc_today
from tests.helpers import bearer

BIN = Path(sys.executable).parent
BEAN_CHECK = shutil.which("bean-check", path=str(BIN)) or shutil.which("bean-check")
HLEDGER = shutil.which("hledger")
BANK = "assets:bank:rub-main"
TRANSIT = "assets:in-transit:commissary-rub"


def days_ago(days: int) -> str:
    return (utc_today() - timedelta(days=days)).isoformat()


def ok(response, status: int = 201) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


class Org:
    """An organisation built from an empty database through the API."""

    def __init__(self, client, tokens):
        self.client = client
        self.tokens = tokens

    def call(self, verb: str, path: str, role: str = "coordinator", /, **body):
        return self.client.open(
            "/api/v1" + path,
            method=verb,
            json=body if verb != "GET" else None,
            headers=bearer(self.tokens[role]),
        )

    def start(self) -> Org:
        ok(self.call("POST", "/accounts", "admin", name=BANK, currency="RUB", label="Main RUB"))
        ok(self.call("POST", "/facilities", name="ИК-2 Мордовия", kind="colony", regime="general"))
        ok(self.call("POST", "/facilities", name="ИК-7 Карелия", kind="colony", regime="strict"))
        return self

    def prisoner(self, slug: str, rubles: str | None, facility: str = "ИК-2 Мордовия") -> None:
        ok(
            self.call(
                "POST", "/prisoners", slug=slug, name=slug.title(), facility=facility, status="sentenced"
            )
        )
        if rubles is not None:
            ok(
                self.call(
                    "POST",
                    "/donations",
                    prisoner=slug,
                    money={"amount": rubles, "currency": "RUB"},
                    method="bank",
                    asset=BANK,
                    received_on=days_ago(30),
                )
            )

    def send(self, slug: str, amount: str, fee: str | None = "150.00", sent_on: str | None = None, **more):
        body = {
            "prisoner": slug,
            "money": {"amount": amount, "currency": "RUB"},
            "channel": "zonatelecom",
            "paid_from": BANK,
            "sent_on": sent_on or days_ago(10),
            **more,
        }
        if fee is not None:
            body["fee"] = {"amount": fee, "currency": "RUB"}
        return self.call("POST", "/commissary/transfers", **body)

    def trial_balance(self) -> dict[str, str]:
        lines = ok(self.call("GET", "/reports/trial-balance", "auditor"), 200)["accounts"]
        return {line["account"]: line["balance"]["amount"] for line in lines if line["currency"] == "RUB"}

    def balance_sheet(self) -> dict:
        return ok(self.call("GET", "/reports/balance-sheet", "auditor"), 200)


def books_agree(session, runner, tmp_path, org: Org) -> dict[str, str]:
    """Every check at once; returns the trial balance (RUB) for the caller's own figures."""
    assert verify_ledger(session).ok
    sheet = org.balance_sheet()
    assert sheet["balanced"], sheet
    trial = org.trial_balance()
    in_transit = next((line for line in sheet["lines"] if line["account"] == TRANSIT), None)
    assert (in_transit["amount"]["amount"] if in_transit else "0.00") == trial.get(TRANSIT, "0.00")
    for fmt, name in (("hledger", "ledger.journal"), ("beancount", "ledger.beancount")):
        path = tmp_path / name
        result = runner.invoke(args=["ledger", "export", "--format", fmt, "--output", str(path)])
        assert result.exit_code == 0, result.output
        tool = HLEDGER if fmt == "hledger" else BEAN_CHECK
        if tool is None:
            continue
        command = [tool, "-f", str(path), "check", "-s"] if fmt == "hledger" else [tool, str(path)]
        check = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        assert check.returncode == 0, check.stdout + check.stderr
        if fmt == "hledger" and TRANSIT in trial:
            assert "assets:in-transit:commissary-rub" in path.read_text(encoding="utf-8")
    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output
    return trial
