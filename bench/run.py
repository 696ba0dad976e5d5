"""``python -m bench.run``: the benchmark of issue #9, printed as it goes.

Runs on SQLite, then on PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL
is set (``make bench`` starts a throwaway server).  Every figure in
bench/README.md comes from this output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from bench import http
from bench.db import dispose, fresh_url, migrated_app
from bench.generate import START, Sizes, drafts, setup_world
from bench.hledger import export, run_bal
from bench.queries import per_currency, report_latencies, trial_balance_running
from bench.throughput import (
    ensure_head,
    post_in_bulk,
    post_one_by_one,
    raw_in_one_transaction,
    raw_one_by_one,
    read_rows,
)
from ledger.books.bulk import post_entries
from ledger.books.verify import verify_ledger
from ledger.extensions import db


@dataclass(frozen=True)
class Options:
    sizes: Sizes
    single: int = 2000
    bulk: int = 50_000
    batch: int = 5000
    reports: int = 500
    http_seconds: int = 20
    verify: bool = True
    hledger: bool = True
    http: bool = True


def _say(backend: str, label: str, text: str) -> None:
    print(f"[{backend}] {label}: {text}", flush=True)


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} entries/s ({count:,} entries in {seconds:.2f} s)"


def _driver(app):
    with app.app_context():
        return db.engine.raw_connection()


def _throughput(backend: str, base: str | None, options: Options, workdir: Path, results: dict) -> None:
    """Domain layer and raw SQL on the same rows, one entry per transaction and in bulk."""
    runs = [("single", options.single, None), ("bulk", options.bulk, None)]
    if base is None:  # SQLite: the app's durable setting, and without an fsync per commit
        runs[:1] = [("single", options.single, "FULL"), ("single", options.single, "NORMAL")]
    for kind, count, sync in runs:
        app = migrated_app(
            fresh_url(base, kind, workdir), workdir / f"instance-{kind}", sqlite_synchronous=sync
        )
        raw_app = migrated_app(
            fresh_url(base, f"raw_{kind}", workdir), workdir / f"instance-raw-{kind}", sqlite_synchronous=sync
        )
        with app.app_context():
            world = setup_world(db.session, options.sizes)
            db.session.commit()
            sample = list(islice(drafts(world, options.sizes), count))
            if kind == "single":
                seconds = post_one_by_one(db.session, sample)
            else:
                seconds = post_in_bulk(db.session, sample, options.batch)
        with raw_app.app_context():
            setup_world(db.session, options.sizes)
            db.session.commit()
        source, target = _driver(app), _driver(raw_app)
        entries, postings = read_rows(source.driver_connection, 1, len(sample))
        ensure_head(target.driver_connection)
        raw = raw_one_by_one if kind == "single" else raw_in_one_transaction
        raw_seconds = raw(target.driver_connection, entries, postings)
        source.close()
        target.close()
        dispose(app)
        dispose(raw_app)
        ours, ceiling = len(sample) / seconds, len(sample) / raw_seconds
        name = kind if sync in (None, "FULL") else f"{kind} {sync}"
        results[f"{name}_rate"], results[f"raw_{name}_rate"] = ours, ceiling
        what = (
            "post_entry(), one commit per entry"
            if kind == "single"
            else f"post_entries(), {options.batch:,} entries per transaction"
        )
        if sync:
            what += f", synchronous={sync}" + (" (the app's setting)" if sync == "FULL" else " (bench only)")
        raw_what = "raw SQL, one transaction per entry" if kind == "single" else "raw SQL, one transaction"
        _say(backend, f"domain {name}", f"{_rate(len(sample), seconds)} [{what}]")
        _say(backend, f"raw {name}", f"{_rate(len(entries), raw_seconds)} [{raw_what}, same rows]")
        _say(
            backend, f"ratio {name}", f"domain is {ours / ceiling:.0%} of raw ({ceiling / ours:.1f}x slower)"
        )


def _generate(backend: str, base: str | None, options: Options, workdir: Path, results: dict):
    """The big ledger through the bulk path; returns (app, world, rest of the stream)."""
    url = fresh_url(base, "big", workdir)
    app = migrated_app(url, workdir / "instance-big")
    with app.app_context():
        session = db.session
        world = setup_world(session, options.sizes)
        session.commit()
        stream = drafts(world, options.sizes, limit=options.sizes.postings * 2)
        started = time.perf_counter()
        entries = postings = 0
        while postings < options.sizes.postings:
            batch = []
            while len(batch) < options.batch and postings < options.sizes.postings:
                batch.append(next(stream))
                postings += len(batch[-1].postings)
            post_entries(session, batch)
            session.commit()
            entries += len(batch)
        seconds = time.perf_counter() - started
        results.update(entries=entries, postings=postings, generate_s=seconds)
        # Public pages show the state of the latest signed checkpoint: seal what was generated.
        from ledger.checkpoints.seal import create_checkpoint
        from ledger.checkpoints.signing import load_signing_key

        create_checkpoint(session, load_signing_key(app.instance_path, None))
        session.commit()
        _say(
            backend,
            "generated ledger",
            f"{options.sizes.prisoners:,} prisoners, {options.sizes.years} years, "
            f"{entries:,} entries, {postings:,} postings in {seconds:.1f} s "
            f"({entries / seconds:,.0f} entries/s, {postings / seconds:,.0f} postings/s, generator included)",
        )
        if options.verify:
            started = time.perf_counter()
            result = verify_ledger(session)
            results["verify_ok"] = result.ok
            _say(
                backend,
                "verify_ledger",
                f"{'ok' if result.ok else result.problems[:3]} "
                f"({result.entries:,} entries, {result.postings:,} postings) in {time.perf_counter() - started:.1f} s",
            )
            session.rollback()
    return app, url, world, stream


def _at_scale(backend: str, app, world, stream, options: Options, results: dict) -> None:
    """post_entry() on top of the big ledger, then the read side."""
    with app.app_context():
        more = list(islice(stream, options.single))
        seconds = post_one_by_one(db.session, more)
        results["single_at_scale_rate"] = len(more) / seconds
        _say(
            backend,
            "domain single at scale",
            f"{_rate(len(more), seconds)} [post_entry() on the full ledger]",
        )
        years = range(START.year, START.year + options.sizes.years)
        latency = report_latencies(db.session, world.funds, years, options.reports, options.sizes.seed)
        results.update(report_median_ms=latency["median_ms"], report_p95_ms=latency["p95_ms"])
        _say(
            backend,
            "prisoner report",
            f"median {latency['median_ms']:.2f} ms, p95 {latency['p95_ms']:.2f} ms, "
            f"max {latency['max_ms']:.2f} ms over {latency['count']} calendar-year summaries",
        )
        db.session.rollback()


def _trial_balance(backend: str, url: str, results: dict) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.trial", url], capture_output=True, text=True, check=True
    )
    trial = json.loads(done.stdout.strip().splitlines()[-1])
    results.update(
        tb_running_s=trial["running_s"],
        tb_summed_s=trial["summed_s"],
        tb_maxrss_kb=trial["maxrss_kb"],
        tb_match=trial["match"],
    )
    _say(
        backend,
        "trial balance (running balances)",
        f"{trial['running_s'] * 1000:.1f} ms, {trial['lines']} lines",
    )
    _say(
        backend,
        "trial balance (SQL SUM over postings)",
        f"{trial['summed_s'] * 1000:.1f} ms, {'same totals' if trial['match'] else 'TOTALS DIFFER'}",
    )
    _say(
        backend,
        "trial balance process",
        f"peak RSS {trial['maxrss_kb'] / 1024:.0f} MB "
        f"(of which {trial['baseline_kb'] / 1024:.0f} MB is Python, Flask and SQLAlchemy loaded)",
    )


def _hledger(backend: str, app, workdir: Path, results: dict) -> None:
    path = workdir / "ledger.journal"
    with app.app_context():
        seconds = export(db.session, path)
        ours = trial_balance_running(db.session)
        sums = per_currency(ours)
        db.session.rollback()
    _say(
        backend,
        "hledger export",
        f"{path.stat().st_size / 2**20:.0f} MB in {seconds:.1f} s; "
        f"per-currency sums {'all zero' if not any(sums.values()) else sums}",
    )
    bal = run_bal(path)
    if "error" in bal:
        _say(backend, "hledger bal", f"FAILED: {bal['error']}")
        return
    match = bal["balances"] == ours
    results.update(hledger_s=bal["seconds"], hledger_maxrss_kb=bal["maxrss_kb"], hledger_match=match)
    rss = f"{bal['maxrss_kb'] / 1024:,.0f} MB" if bal["maxrss_kb"] else "unknown"
    _say(
        backend,
        "hledger bal",
        f"{bal['seconds']:.1f} s, peak RSS {rss}, balance assertions pass, "
        f"{'totals match ours' if match else 'TOTALS DIFFER'} ({bal['version']})",
    )
    for key, label in (("tb_running_s", "running balances"), ("tb_summed_s", "SQL SUM")):
        _say(backend, f"hledger / ours ({label})", f"{bal['seconds'] / results[key]:,.0f}x")
    if bal["maxrss_kb"]:
        _say(backend, "hledger / ours (peak memory)", f"{bal['maxrss_kb'] / results['tb_maxrss_kb']:.1f}x")


def _http(backend: str, url: str, options: Options, workdir: Path, results: dict) -> None:
    """Rounds alternate between the paths, so load from other processes on a shared
    machine hits each path alike; the median round is reported."""
    paths = {
        "prisoner page": "/prisoners/bench-00001",
        "home": "/",
        "ledger head API": "/api/v1/ledger/head",
        "trivial": "/healthz",
    }
    rounds = 5
    with http.gunicorn(url, workdir / "instance-http") as port:
        measured: dict[str, list[dict]] = {}
        for label, path in paths.items():
            code = http.status(port, path)
            if code != 200:
                _say(backend, f"http {label}", f"{path} answered {code}; skipped")
                continue
            http.load(port, path, 1)  # warm the workers
            measured[label] = []
        for _ in range(rounds):
            for label in measured:
                measured[label].append(http.load(port, paths[label], max(1, options.http_seconds // rounds)))
        for label, runs in measured.items():
            runs.sort(key=lambda run: run["rps"])
            median = runs[len(runs) // 2]
            results[f"rps_{label}"] = median["rps"]
            each = ", ".join(f"{run['rps']:,.0f}" for run in runs)
            _say(
                backend,
                f"http {label}",
                f"{median['rps']:,.0f} requests/s on {paths[label]} (median of "
                f"{each}; p99 {median['p99']}, "
                f"errors {sum(run['errors'] for run in runs)}; {median['tool']} x{rounds}, gunicorn -w 2)",
            )
    trivial = results.get("rps_trivial")
    for label in ("prisoner page", "home", "ledger head API"):
        if trivial and results.get(f"rps_{label}"):
            _say(backend, f"http {label} / trivial", f"{results[f'rps_{label}'] / trivial:.0%}")


def run_backend(backend: str, base: str | None, options: Options, workdir: Path) -> dict:
    """Every measurement on one database engine; returns the figures."""
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    _throughput(backend, base, options, workdir, results)
    app, url, world, stream = _generate(backend, base, options, workdir, results)
    _at_scale(backend, app, world, stream, options, results)
    dispose(app)
    _trial_balance(backend, url, results)
    if options.hledger:
        _hledger(backend, app, workdir, results)
    dispose(app)
    if options.http:
        _http(backend, url, options, workdir, results)
    _targets(backend, results)
    _say(backend, "finished", _load())
    return results


def _targets(backend: str, results: dict) -> None:
    checks = [
        ("domain single >= 2,000 entries/s", results.get("single_rate", 0) >= 2000),
        ("bulk >= 20,000 entries/s", results.get("bulk_rate", 0) >= 20000),
        ("prisoner report p95 < 20 ms", results.get("report_p95_ms", 1e9) < 20),
    ]
    if "hledger_s" in results:
        checks.append(
            (
                "trial balance >= 100x faster than hledger",
                results["hledger_s"] / results["tb_running_s"] >= 100,
            )
        )
    if results.get("rps_trivial") and results.get("rps_prisoner page"):
        checks.append(
            (
                "prisoner page >= 50% of trivial rps",
                results["rps_prisoner page"] / results["rps_trivial"] >= 0.5,
            )
        )
    for label, ok in checks:
        _say(backend, "target", f"{'MET ' if ok else 'MISSED'} {label}")


def _load() -> str:
    """Load average: the machine is shared, and every figure depends on it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def _machine() -> None:
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; {_load()}",
        flush=True,
    )


def parse(argv: list[str] | None = None) -> tuple[Options, Path, str]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--prisoners", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--single", type=int, default=2000, help="entries posted one per transaction")
    parser.add_argument("--bulk", type=int, default=50_000, help="entries in the bulk comparison")
    parser.add_argument("--batch", type=int, default=5000, help="entries per bulk transaction")
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--http-seconds", type=int, default=20, help="per path, split into 5 rounds")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--no-hledger", action="store_true")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument(
        "--backend",
        choices=("all", "sqlite", "postgres"),
        default="all",
        help="postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ledger-bench"))
    args = parser.parse_args(argv)
    if args.quick:
        args.postings, args.prisoners, args.single, args.bulk = 20_000, 50, 200, 2000
        args.batch, args.reports, args.http_seconds = 1000, 50, 5
    options = Options(
        sizes=Sizes(prisoners=args.prisoners, years=args.years, postings=args.postings, seed=args.seed),
        single=args.single,
        bulk=args.bulk,
        batch=args.batch,
        reports=args.reports,
        http_seconds=args.http_seconds,
        verify=not args.no_verify,
        hledger=not args.no_hledger,
        http=not args.no_http,
    )
    return options, args.workdir, args.backend


def main(argv: list[str] | None = None) -> None:
    options, workdir, backend = parse(argv)
    _machine()
    if backend in ("all", "sqlite"):
        run_backend("SQLite", None, options, workdir / "sqlite")
    postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if backend in ("all", "postgres"):
        if postgres:
            run_backend("PostgreSQL", postgres, options, workdir / "postgres")
        else:
            print(
                "PostgreSQL: skipped (set BENCH_DATABASE_URL, or run through scripts/throwaway-postgres.sh)"
            )


if __name__ == "__main__":
    main()
