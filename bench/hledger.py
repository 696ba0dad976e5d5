"""``hledger bal`` on the exported journal: time, peak memory, and the same totals as ours."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from ledger.money import CURRENCIES
from ledger.reports.hledger_export import export_hledger


def export(session: Session, path: Path) -> float:
    """Write the journal; return seconds."""
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(export_hledger(session))
    return time.perf_counter() - started


def run_bal(path: Path) -> dict:
    """Run ``hledger bal`` (balance assertions included) under ``/usr/bin/time -v`` when present."""
    hledger = shutil.which("hledger")
    if hledger is None:
        return {"error": "hledger not installed"}
    command = [hledger, "-f", str(path), "bal", "--flat", "-O", "csv", "--layout=bare"]
    timer = Path("/usr/bin/time")
    if timer.exists():
        command = [str(timer), "-v", *command]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:], "seconds": seconds}
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return {
        "seconds": seconds,
        "maxrss_kb": int(peak.group(1)) if peak else None,
        "balances": _parse(done.stdout),
        "version": _version(hledger),
    }


def _version(hledger: str) -> str:
    return subprocess.run([hledger, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def _parse(output: str) -> dict[tuple[str, str], int]:
    """``account,commodity,balance`` rows into minor units (the total row is left out)."""
    balances = {}
    for row in csv.reader(io.StringIO(output)):
        if len(row) != 3 or row[0] in ("account", "total"):
            continue
        account, currency, amount = row
        minor = int(Decimal(amount.replace(",", "")).scaleb(CURRENCIES[currency]))
        if minor:
            balances[(account, currency)] = minor
    return balances
