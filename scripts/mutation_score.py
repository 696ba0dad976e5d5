#!/usr/bin/env python3
"""Print the mutation score of the last `mutmut run` (`make mutation` calls this).

A mutant counts as killed when a test failed or timed out on it; one that no test reaches
("no tests") counts as surviving, since nothing would notice that change either.
Exits 1 below the target (90 %), so the target is checked, not only printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TARGET = 90.0


def main() -> int:
    subprocess.run([sys.executable, "-m", "mutmut", "export-cicd-stats"], check=True, capture_output=True)
    stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
    killed = stats["killed"] + stats["timeout"]
    total = stats["total"] - stats["skipped"]
    score = 100.0 * killed / total if total else 0.0
    print(
        f"mutation score: {score:.1f} % ({killed} of {total} mutants killed; "
        f"{stats['survived']} survived, {stats['no_tests']} reached by no test)"
    )
    if stats["survived"] or stats["no_tests"]:
        print("survivors: .venv/bin/mutmut results; one of them: .venv/bin/mutmut show NAME")
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
