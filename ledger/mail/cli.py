"""``flask --app wsgi mail send`` and ``flask --app wsgi pledges update`` (cron-safe, thin), and
``donors forget`` (a donor's request to delete their email, without the admin pages)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ledger.cli import writes
from ledger.extensions import db

mail_cli = AppGroup("mail", help="Send the outbox.")
pledges_cli = AppGroup("pledges", help="Pledge schedules and statuses.")
donors_cli = AppGroup("donors", help="Donors' personal data: delete an email on request.")


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

    report = update_pledges(db.session, transit_days=int(current_app.config.get("COMMISSARY_WATCH_DAYS", 7)))
    click.echo(
        f"Pledges {report.pledges}: {report.changed} changed status; queued {report.reminders} reminders, "
        f"{report.lapse_notices} lapse notices, {report.digests} digests; "
        f"{report.emails_deleted} emails deleted after the retention period."
    )


@donors_cli.command("forget")
@click.option("--email", help="The address the donor wrote from.")
@click.option("--pledge", "reference", help="A pledge reference the donor gave (SL-…).")
@writes
def donors_forget(email: str | None, reference: str | None) -> None:
    """Delete a donor's email and the mails waiting for it (their request); their gifts stay in
    the books, and they can still give."""
    from ledger.cli import _fail
    from ledger.funds.donor_mail import donors_with, forget_email

    if not email and not reference:
        _fail("give --email or --pledge")
    donors = donors_with(db.session, email=email, reference=reference)
    if not donors:
        _fail("no donor with that email or pledge reference")
    deleted = sum(forget_email(db.session, donor, reason="admin", actor=None) for donor in donors)
    click.echo(f"Deleted {deleted} email(s) of {len(donors)} donor(s); their gifts stay in the books.")
