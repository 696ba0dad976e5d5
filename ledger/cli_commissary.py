"""CLI: the monthly commissary top-up run and the transfers list (thin; ledger/commissary/)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ledger.cli import _fail, _user, writes
from ledger.commissary.kinds import TRANSFER_STATUSES
from ledger.commissary.models import CommissaryRun
from ledger.commissary.runs import approve_run, prepare_run, summary
from ledger.commissary.transfers import transfer_rows
from ledger.extensions import db

commissary_cli = AppGroup("commissary", help="Commissary support: the monthly top-up run, transfers.")
AS_USER = click.option("--as", "email", required=True, help="The coordinator or admin doing it (email).")


def _print_run(run: CommissaryRun) -> None:
    counts = summary(run)
    click.echo(
        f"Run {run.id} for {run.month}: {run.status}; {counts.to_send} to send, "
        f"{counts.skipped} skipped, {counts.sent} sent"
    )
    for line in run.lines:
        outcome = (
            f"skipped: {line.skip_reason}"
            if line.skip_reason
            else (f"sent as transfer {line.transfer_id}" if line.transfer_id else "to send")
        )
        click.echo(f"  {line.prisoner.slug}\t{line.money}\t{line.channel}\t{outcome}")


@commissary_cli.command("run")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@AS_USER
@writes
def run_command(month: str, email: str) -> None:
    """Prepare the month's top-up run (a dry run: nothing is sent until a second person approves)."""
    run = prepare_run(db.session, month, prepared_by=_user(email))
    _print_run(run)


@commissary_cli.command("approve")
@click.argument("run_id", type=int)
@AS_USER
@writes
def approve_command(run_id: int, email: str) -> None:
    """Approve a prepared run: every line is sent once as a transfer in transit."""
    user = _user(email)
    if user.role not in ("coordinator", "admin"):
        _fail("only coordinators and admins approve runs")
    run = approve_run(db.session, run_id, approver=user)
    _print_run(run)


@commissary_cli.command("transfers")
@click.option("--status", type=click.Choice([status.value for status in TRANSFER_STATUSES]), default=None)
def transfers_command(status: str | None) -> None:
    """Transfers to personal accounts with their days in transit; overdue ones are marked."""
    days = int(current_app.config.get("COMMISSARY_WATCH_DAYS", 7))
    for row in transfer_rows(db.session, status=status, watch_days=days):
        transfer = row.transfer
        flags = []
        if row.overdue:
            flags.append(f"OVERDUE (> {days} days)")
        if row.moved_on:
            flags.append(f"moved on {row.moved_on.isoformat()}")
        click.echo(
            f"{transfer.id}\t{transfer.prisoner.slug}\t{transfer.money}\t{transfer.channel}\t"
            f"{transfer.status}\tsent {transfer.sent_on.isoformat()}\t{row.days_in_transit} days"
            + (f"\t{'; '.join(flags)}" if flags else "")
        )
