"""Before and after the profiling fixes, on the same machine, interleaved.

``python -m bench.before_after [--rev 21c336e]`` loads ``ledger/books/posting.py``
as it was at ``--rev`` next to the current one and posts the same generated drafts
with each, round after round, so load from other processes hits both alike:

- one entry per transaction (post_entry then and now), SQLite synchronous FULL and NORMAL;
- many entries per transaction (post_entry then, post_entries now).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from bench.db import dispose, fresh_url, migrated_app
from bench.generate import Sizes, drafts, setup_world
from bench.throughput import post_in_bulk
from ledger.books import posting
from ledger.extensions import db


def _old_posting(rev: str, directory: Path):
    source = subprocess.run(
        ["git", "show", f"{rev}:ledger/books/posting.py"], capture_output=True, text=True, check=True
    ).stdout
    path = directory / "posting_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("posting_before", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["posting_before"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _run(post, sample, sync: str, per_transaction: int, workdir: Path, sizes: Sizes) -> float:
    """Entries per second posting ``sample`` with ``post`` on a fresh SQLite database."""
    app = migrated_app(fresh_url(None, "compare", workdir), workdir / "instance", sqlite_synchronous=sync)
    with app.app_context():
        setup_world(db.session, sizes)
        db.session.commit()
        started = time.perf_counter()
        if post == "bulk":
            post_in_bulk(db.session, sample, per_transaction)
        else:
            for number, draft in enumerate(sample, start=1):
                post(db.session, draft)
                if number % per_transaction == 0:
                    db.session.commit()
            db.session.commit()
        seconds = time.perf_counter() - started
    dispose(app)
    return len(sample) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rev", default="21c336e", help="the revision before the fixes")
    parser.add_argument("--single", type=int, default=1000)
    parser.add_argument("--bulk", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ledger-before-after-"))
    old = _old_posting(args.rev, workdir)
    sizes = Sizes(prisoners=1000, postings=1_000_000)
    with migrated_app(fresh_url(None, "world", workdir), workdir / "instance-world").app_context():
        world = setup_world(db.session, sizes)
        db.session.rollback()
    sample = list(islice(drafts(world, sizes), max(args.single, args.bulk)))
    cases = [
        ("post_entry, 1 entry/transaction, FULL", "FULL", 1, args.single, old.post_entry, posting.post_entry),
        (
            "post_entry, 1 entry/transaction, NORMAL",
            "NORMAL",
            1,
            args.single,
            old.post_entry,
            posting.post_entry,
        ),
        (
            "5,000 entries/transaction (post_entry then, post_entries now)",
            "FULL",
            5000,
            args.bulk,
            old.post_entry,
            "bulk",
        ),
    ]
    for label, sync, per_transaction, count, before, after in cases:
        rates: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.rounds):
            for name, post in (("before", before), ("after", after)):
                rates[name].append(_run(post, sample[:count], sync, per_transaction, workdir, sizes))
        b, a = statistics.median(rates["before"]), statistics.median(rates["after"])
        print(
            f"{label}: before {b:,.0f} entries/s, after {a:,.0f} entries/s ({a / b:.1f}x); "
            f"rounds before {[round(r) for r in rates['before']]}, after {[round(r) for r in rates['after']]}",
            flush=True,
        )


if __name__ == "__main__":
    main()
