"""``flask --app wsgi mail send`` and ``flask --app wsgi pledges update`` (cron-safe, thin)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ledger.cli import writes
from ledger.extensions import db

mail_cli = AppGroup("mail", help="Send the outbox.")
pledges_cli = AppGroup("pledges", help="Pledge schedules and statuses.")


@mail_cli.command("send")
@click.option("--limit", default=200, show_default=True, help="At most this many messages in this run.")
def mail_send(limit: int) -> None:
    """Send every queued message that is due, each once; safe to run from cron every minute,
    and two runs at once never send one message twice.  Exit code 1 when the mail server
    could not be reached or a message was refused (they wait for a later run)."""
    from ledger.mail.render import render_message
    from ledger.mail.sender import SmtpSettings, send_outbox

    report = send_outbox(
        db.session, SmtpSettings.from_config(current_app.config), render_message, limit=limit
    )
    click.echo(
        f"Sent {report.sent}, to retry {report.retried}, failed {report.failed}, dropped {report.dropped}."
    )
    if report.server_error:
        click.echo(
            f"Error: the mail server could not be reached ({report.server_error}); "
            "nothing is lost, the messages wait for the next run.",
            err=True,
        )
    if not report.ok:
        sys.exit(1)


@pledges_cli.command("update")
@writes
def pledges_update() -> None:
    """Store instalments that fell due and each pledge's status, queue reminders, lapse
    notices and the coordinators' daily digest, delete emails past the retention period."""
    from ledger.funds.pledge_job import update_pledges

    report = update_pledges(db.session)
    click.echo(
        f"Pledges {report.pledges}: {report.changed} changed status; queued {report.reminders} reminders, "
        f"{report.lapse_notices} lapse notices, {report.digests} digests; "
        f"{report.emails_deleted} emails deleted after the retention period."
    )
