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
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as dt_time
from itertools import islice
from pathlib import Path

from sqlalchemy import func, select

from bench import http
from bench.db import dispose, fresh_url, migrated_app
from bench.features import add_features
from bench.generate import START, Sizes, drafts, setup_world
from bench.hledger import run_bal
from bench.queries import report_latencies, trial_balance_running
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
from ledger.checkpoints.models import Checkpoint
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
    pages: bool = True
    page_requests: int = 20


def _say(backend: str, label: str, text: str) -> None:
    print(f"[{backend}] {label}: {text}", flush=True)


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} entries/s ({count:,} entries in {seconds:.2f} s)"


def _driver(app):
    with app.app_context():
        return db.engine.raw_connection()


def _throughput(backend: str, base: str | None, options: Options, workdir: Path, results: dict) -> None:
    """Domain layer and raw SQL on the same rows, one entry per transaction and in bulk."""
    runs: list[tuple[str, int, str | None]] = [("single", options.single, None), ("bulk", options.bulk, None)]
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
        # Checkpoints give the lists and the verification history: one at each year's end
        # (dated then), one on the generated journal, one after the features (the latest,
        # which the public pages show).
        from ledger.checkpoints.seal import create_checkpoint
        from ledger.checkpoints.signing import load_signing_key

        key = load_signing_key(app.instance_path, None)
        started = time.perf_counter()
        entries = postings = 0
        sealed_year = START.year
        while postings < options.sizes.postings:
            batch: list = []
            while len(batch) < options.batch and postings < options.sizes.postings:
                batch.append(next(stream))
                postings += len(batch[-1].postings)
            post_entries(session, batch)
            session.commit()
            entries += len(batch)
            if batch[-1].entry_date.year > sealed_year:
                create_checkpoint(session, key, now=datetime(sealed_year, 12, 31, 23, 59, tzinfo=UTC))
                session.commit()
                sealed_year = batch[-1].entry_date.year
        create_checkpoint(
            session, key, now=datetime.combine(batch[-1].entry_date, dt_time(23, 59), tzinfo=UTC)
        )
        session.commit()
        seconds = time.perf_counter() - started
        results.update(entries=entries, postings=postings, generate_s=seconds)
        _say(
            backend,
            "generated ledger",
            f"{options.sizes.prisoners:,} prisoners, {options.sizes.years} years, "
            f"{entries:,} entries, {postings:,} postings in {seconds:.1f} s "
            f"({entries / seconds:,.0f} entries/s, {postings / seconds:,.0f} postings/s, generator included)",
        )
        started = time.perf_counter()
        made = add_features(session, world, options.sizes, receipts=Path(app.instance_path) / "receipts")
        create_checkpoint(session, key)
        session.commit()
        made["checkpoints"] = session.scalar(select(func.count()).select_from(Checkpoint)) or 0
        results["features"] = dict(made)
        results["features_s"] = time.perf_counter() - started
        _say(
            backend,
            "generated features",
            ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in sorted(made.items()))
            + f" in {results['features_s']:.1f} s (through the domain layer)",
        )
        if options.verify:
            started = time.perf_counter()
            result = verify_ledger(session)
            results["verify_ok"] = result.ok
            results["verify_s"] = time.perf_counter() - started
            _say(
                backend,
                "verify_ledger",
                f"{'ok' if result.ok else result.problems[:3]} "
                f"({result.entries:,} entries, {result.postings:,} postings) in {results['verify_s']:.2f} s",
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


def _tool(command: list[str]) -> dict:
    """Run a checker under ``/usr/bin/time -v``: seconds, peak RSS, success."""
    timer = Path("/usr/bin/time")
    full = [str(timer), "-v", *command] if timer.exists() else command
    started = time.perf_counter()
    done = subprocess.run(full, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return {
        "seconds": seconds,
        "ok": done.returncode == 0,
        "maxrss_kb": int(peak.group(1)) if peak else 0,
        "error": done.stderr.strip()[-300:] if done.returncode else "",
    }


def _downloads_and_pages(backend: str, app, url: str, options: Options, workdir: Path, results: dict) -> None:
    """The whole-journal downloads as their users stream them (MB/s, memory), the checkers on
    them (hledger bal, hledger check, bean-check), and every GET route's latency."""
    out = workdir / "downloads"
    done = subprocess.run(
        [sys.executable, "-m", "bench.latency", url, str(out), str(options.page_requests), app.instance_path],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        _say(backend, "pages", f"FAILED: {done.stderr.strip()[-1500:]}")
        return
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    for name, figures in measured["downloads"].items():
        results[f"export_{name}_mb_s"] = figures["mb_s"]
        results[f"export_{name}_rss_mb"] = figures["rss_growth_mb"]
        _say(
            backend,
            f"download {name}",
            f"{figures['bytes'] / 1e6:,.1f} MB in {figures['seconds']:.2f} s = {figures['mb_s']:.1f} MB/s "
            f"(HTTP {figures['status']}, as {figures['role']}); peak RSS grew {figures['rss_growth_mb']:.1f} MB",
        )
    with app.app_context():
        ours = trial_balance_running(db.session)
        db.session.rollback()
    journal, beancount = out / "ledger.journal", out / "ledger.beancount"
    if options.hledger and shutil.which("hledger"):
        bal = run_bal(journal)
        if "error" in bal:
            _say(backend, "hledger bal", f"FAILED: {bal['error']}")
        else:
            match = bal["balances"] == ours
            results.update(hledger_s=bal["seconds"], hledger_maxrss_kb=bal["maxrss_kb"], hledger_match=match)
            _say(
                backend,
                "hledger bal",
                f"{bal['seconds']:.2f} s, peak RSS {bal['maxrss_kb'] / 1024:,.0f} MB, balance assertions pass, "
                f"{'totals match ours' if match else 'TOTALS DIFFER'} ({bal['version']})",
            )
            for key, label in (
                ("tb_running_s", "trial balance, running balances"),
                ("tb_summed_s", "SQL SUM"),
            ):
                _say(backend, f"hledger bal / ours ({label})", f"{bal['seconds'] / results[key]:,.0f}x")
            if results.get("verify_s"):
                results["verify_vs_hledger"] = bal["seconds"] / results["verify_s"]
                _say(
                    backend,
                    "hledger bal / verify_ledger",
                    f"{results['verify_vs_hledger']:.1f}x (verify {results['verify_s']:.2f} s, "
                    f"hledger bal {bal['seconds']:.2f} s, same data, this run)",
                )
        check = _tool([shutil.which("hledger") or "hledger", "-f", str(journal), "check", "-s"])
        results["hledger_check_s"] = check["seconds"]
        _say(
            backend,
            "hledger check -s",
            f"{'passes' if check['ok'] else 'FAILED ' + check['error']} in {check['seconds']:.2f} s, "
            f"peak RSS {check['maxrss_kb'] / 1024:,.0f} MB",
        )
    bean_check = Path(sys.executable).with_name("bean-check")
    if options.hledger and bean_check.exists():
        check = _tool([str(bean_check), str(beancount)])
        results["bean_check_s"], results["bean_check_ok"] = check["seconds"], check["ok"]
        _say(
            backend,
            "bean-check",
            f"{'passes' if check['ok'] else 'FAILED ' + check['error']} in {check['seconds']:.2f} s, "
            f"peak RSS {check['maxrss_kb'] / 1024:,.0f} MB",
        )
    routes = measured["routes"]
    results["pages"] = routes
    _say(
        backend,
        "pages",
        f"every GET route, in process, {options.page_requests} requests each after 2 warm-ups",
    )
    print(f"[{backend}]   {'p50 ms':>8} {'p95 ms':>8} {'status':>6} {'KiB':>7}  {'role':<12} url", flush=True)
    for route in routes:
        if "skipped" in route:
            print(
                f"[{backend}]   {'-':>8} {'-':>8} {'-':>6} {'-':>7}  {route['role']:<12} {route['url']} "
                f"(skipped: no {', '.join(route['skipped'])} in the generated ledger)",
                flush=True,
            )
            continue
        print(
            f"[{backend}]   {route['p50_ms']:8.1f} {route['p95_ms']:8.1f} {route['status']:>6} "
            f"{route['bytes'] / 1024:7.0f}  {route['role']:<12} {route['url']}",
            flush=True,
        )


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
    _serve(backend, url, workdir, paths, rounds, options, results, "", True)
    uncached = {"prisoner page": paths["prisoner page"], "trivial": paths["trivial"]}
    _serve(backend, url, workdir, uncached, rounds, options, results, " (no page cache)", False)
    trivial = results.get("rps_trivial")
    for label in ("prisoner page", "home", "ledger head API"):
        if trivial and results.get(f"rps_{label}"):
            _say(backend, f"http {label} / trivial", f"{results[f'rps_{label}'] / trivial:.0%}")
    trivial = results.get("rps_trivial (no page cache)")
    if trivial and results.get("rps_prisoner page (no page cache)"):
        share = results["rps_prisoner page (no page cache)"] / trivial
        _say(backend, "http prisoner page (no page cache) / trivial", f"{share:.0%}")


def _serve(backend, url, workdir, paths, rounds, options, results, suffix: str, page_cache: bool) -> None:
    with http.gunicorn(url, workdir / "instance-http", page_cache=page_cache) as port:
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
            results[f"rps_{label}{suffix}"] = median["rps"]
            each = ", ".join(f"{run['rps']:,.0f}" for run in runs)
            _say(
                backend,
                f"http {label}{suffix}",
                f"{median['rps']:,.0f} requests/s on {paths[label]} (median of "
                f"{each}; p99 {median['p99']}, "
                f"errors {sum(run['errors'] for run in runs)}; {median['tool']} x{rounds}, gunicorn -w 2)",
            )


def run_backend(backend: str, base: str | None, options: Options, workdir: Path) -> dict:
    """Every measurement on one database engine; returns the figures."""
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    _throughput(backend, base, options, workdir, results)
    app, url, world, stream = _generate(backend, base, options, workdir, results)
    _at_scale(backend, app, world, stream, options, results)
    dispose(app)
    _trial_balance(backend, url, results)
    if options.pages:
        _downloads_and_pages(backend, app, url, options, workdir, results)
    dispose(app)
    if options.http:
        _http(backend, url, options, workdir, results)
    _targets(backend, results)
    _say(backend, "finished", _load())
    return results


def _targets(backend: str, results: dict) -> None:
    checks = []
    for name in ("single", "bulk"):
        if results.get(f"raw_{name}_rate"):
            need = 0.6 if name == "single" else 0.7
            share = results[f"{name}_rate"] / results[f"raw_{name}_rate"]
            what = "post_entry(), one entry per transaction" if name == "single" else "post_entries(), bulk"
            checks.append((f"{what} >= {need:.0%} of raw SQL ({share:.0%})", share >= need))
    checks.append(("prisoner report p95 < 20 ms", results.get("report_p95_ms", 1e9) < 20))
    if "verify_vs_hledger" in results:
        ratio = results["verify_vs_hledger"]
        checks.append((f"verify_ledger() >= 8x faster than hledger bal ({ratio:.1f}x)", ratio >= 8))
    if "hledger_s" in results:
        ratio = results["hledger_s"] / results["tb_running_s"]
        checks.append((f"trial balance >= 100x faster than hledger ({ratio:,.0f}x)", ratio >= 100))
    for name in ("hledger", "beancount", "jsonl", "journal csv"):
        if f"export_{name}_mb_s" in results:
            rate, grew = results[f"export_{name}_mb_s"], results[f"export_{name}_rss_mb"]
            checks.append((f"download {name} >= 40 MB/s ({rate:.1f})", rate >= 40))
            checks.append((f"download {name} in flat memory (peak RSS +{grew:.0f} MB < 50)", grew < 50))
    staff = [p for p in results.get("pages", []) if p["role"] != "anonymous" and "p95_ms" in p]
    if staff:
        slow = [f"{p['url']} {p['p95_ms']:.0f} ms" for p in staff if p["p95_ms"] >= 200]
        checks.append((f"every staff page p95 < 200 ms (over: {', '.join(slow) or 'none'})", not slow))
    pairs = (("prisoner page (no page cache)", 0.25), ("prisoner page", 0.7))
    for label, need in pairs:
        trivial = results.get("rps_trivial (no page cache)" if "no page" in label else "rps_trivial")
        if trivial and results.get(f"rps_{label}"):
            share = results[f"rps_{label}"] / trivial
            checks.append((f"{label} >= {need:.0%} of trivial rps ({share:.0%})", share >= need))
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
    parser.add_argument("--no-pages", action="store_true", help="skip the downloads and the page table")
    parser.add_argument("--page-requests", type=int, default=20, help="requests per route in the page table")
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
        args.batch, args.reports, args.http_seconds, args.page_requests = 1000, 50, 5, 5
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
        pages=not args.no_pages,
        page_requests=args.page_requests,
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
