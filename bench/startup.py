"""How long the CLI takes to start (issue #30): ``flask --app wsgi --help``, ``mail send`` with
an empty outbox and ``worker --once`` with nothing due, each the best and the median of
``--runs`` runs, and where the time goes (imports, then ``create_app()``).

    .venv/bin/python -m bench.startup [--runs 7]

It uses a throwaway SQLite database in a temporary instance folder, and lets Python keep its
bytecode cache (PYTHONDONTWRITEBYTECODE unset), as on a server.  The goal is 0.5 s of wall
time; the CPU column and the load average say how much of a slow figure is the machine's load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
COMMANDS = {
    "flask --app wsgi --help": ["--help"],
    "flask --app wsgi mail send": ["mail", "send"],
    "flask --app wsgi worker --once": ["worker", "--once"],
}
PHASES = (
    "import time; t0 = time.perf_counter(); import ledger, ledger.models; t1 = time.perf_counter(); "
    "app = ledger.create_app(); t2 = time.perf_counter(); print(f'{t1 - t0:.3f} {t2 - t1:.3f}')"
)


def _timed(arguments: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time, and the CPU time (user + system) the command used: on a shared machine the
    second says more about the code, the first is what the goal is about."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(arguments, cwd=ROOT, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            LEDGER_ENV="development",
            LEDGER_INSTANCE_PATH=folder,
            DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
        )
        env.pop("MAIL_SERVER", None)
        subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        print(f"{'load average':<34} {os.getloadavg()[0]:7.2f}")
        print(f"{'command':<34} {'best':>7} {'median':>7} {'CPU best':>9}   (seconds, {args.runs} runs)")
        for label, command in COMMANDS.items():
            _timed([*FLASK, *command], env)  # warm the file cache and the bytecode
            runs = [_timed([*FLASK, *command], env) for _ in range(args.runs)]
            times = [wall for wall, _cpu in runs]
            cpu = min(cpu for _wall, cpu in runs)
            print(f"{label:<34} {min(times):7.3f} {statistics.median(times):7.3f} {cpu:9.3f}")
        phases = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, "-c", PHASES], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            ).stdout.split()
            phases.append((float(out[0]), float(out[1])))
        print(
            f"{'  of which imports':<34} {min(p[0] for p in phases):7.3f} {statistics.median(p[0] for p in phases):7.3f}"
        )
        print(
            f"{'  of which create_app()':<34} {min(p[1] for p in phases):7.3f} {statistics.median(p[1] for p in phases):7.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
