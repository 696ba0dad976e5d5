"""``flask --app wsgi worker`` (run the scheduled jobs, for ever or ``--once``) and
``flask --app wsgi worker status`` (each job's schedule and last runs)."""

from __future__ import annotations

import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext


@click.group("worker", cls=AppGroup, invoke_without_command=True)
@click.option("--once", is_flag=True, help="Run the jobs that are due once, then exit.")
@click.option("--tick", default=5.0, show_default=True, help="Seconds between passes over the jobs.")
@click.pass_context
@with_appcontext
def worker_cli(context: click.Context, once: bool, tick: float) -> None:
    """Run every scheduled job when it is due (mail, pledges, checkpoints, backups), each once at
    a time across all workers; SIGTERM stops it between jobs."""
    if context.invoked_subcommand is not None:
        return
    if current_app.config.get("READ_ONLY"):
        click.echo("Error: read-only mode (LEDGER_READ_ONLY): run the worker beside the primary.", err=True)
        sys.exit(1)
    from ledger.jobs.worker import Worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    worker = Worker(current_app._get_current_object(), tick=tick)  # type: ignore[attr-defined]
    if once:
        ran = worker.run_due()
        click.echo(f"Ran {len(ran)} job(s): {', '.join(ran) or 'none was due'}.")
        return
    worker.run_forever()


@worker_cli.command("status")
def worker_status() -> None:
    """Each job: how often it runs, when it is next due, who holds it, and its last run."""
    from ledger.extensions import db
    from ledger.jobs.leases import last_runs, leases
    from ledger.jobs.registry import JOBS

    held, runs = leases(db.session), last_runs(db.session, limit=1)
    for job in JOBS:
        lease, recent = held.get(job.name), runs.get(job.name)
        last = recent[0] if recent else None
        every = f"every {int(job.every.total_seconds() // 60)} min"
        due = f"next {lease.next_run_at:%Y-%m-%d %H:%M} UTC" if lease else "never run"
        line = f"{job.name:<16} {every:<16} {due}"
        if lease and lease.holder:
            line += f", running on {lease.holder}"
        if last is not None:
            outcome = "ok" if last.ok else "FAILED"
            line += f"; last {last.finished_at:%Y-%m-%d %H:%M} {outcome}: {last.summary}"
        click.echo(line)
