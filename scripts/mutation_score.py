#!/usr/bin/env python3
"""Print the mutation score of the last `mutmut run` (`make mutation` calls this).

A mutant counts as killed when a test failed or timed out on it; one that no test reaches
("no tests") counts as surviving, since nothing would notice that change either.

Some mutants cannot be killed because they do not change behaviour (``zip(..., strict=False)``
over lists built to the same length, ``x / sign`` where the sign is 1 or -1, SQL keywords in
lower case).  Each is listed in ``scripts/mutation_equivalent.txt`` with the reason; they are
left out of the score and counted separately.  The names are mutmut's numbering of the
current code, so the list is checked: a listed name mutmut no longer has, or one a test now
kills, is reported, and a listed mutant that survives must still exist.

Exits 1 below the target (90 %), so the target is checked, not only printed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TARGET = 90.0
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.txt")
KILLED = {"killed", "timeout"}


def equivalent_mutants() -> dict[str, str]:
    """Name -> why the mutant behaves as the original."""
    listed = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            listed[name] = reason.strip()
    return listed


def results() -> dict[str, str]:
    """Every mutant of the last run -> its status (killed, survived, no tests, timeout, ...)."""
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        check=True,
        capture_output=True,
        text=True,
    )
    found = {}
    for line in done.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            found[name] = status
    return found


def main() -> int:
    statuses = results()
    listed = equivalent_mutants()
    stale = sorted(name for name in listed if name not in statuses)
    killed_anyway = sorted(name for name in listed if statuses.get(name) in KILLED)
    counted = {
        name: status for name, status in statuses.items() if name not in listed and status != "skipped"
    }
    killed = sum(1 for status in counted.values() if status in KILLED)
    missed = sorted(name for name, status in counted.items() if status not in KILLED)
    score = 100.0 * killed / len(counted) if counted else 0.0
    print(
        f"mutation score: {score:.1f} % ({killed} of {len(counted)} mutants killed; "
        f"{len(missed)} not killed; {len(listed) - len(stale)} equivalent mutants left out, "
        f"see {EQUIVALENT.name})"
    )
    for name in missed:
        print(f"  not killed: {name} ({statuses[name]}); see it with .venv/bin/mutmut show {name}")
    for name in stale:
        print(f"  listed as equivalent but not in this run (renumbered? check the list): {name}")
    for name in killed_anyway:
        print(f"  listed as equivalent but a test kills it (remove it from the list): {name}")
    return 0 if score >= TARGET and not stale else 1


if __name__ == "__main__":
    sys.exit(main())
