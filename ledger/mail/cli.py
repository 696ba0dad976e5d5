"""``flask --app wsgi mail send`` and ``flask --app wsgi pledges update`` (cron-safe, thin), and
``donors forget`` (a donor's request to delete their email, without the admin pages),
``donors revoke-links`` and ``imports clean``."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from ledger.cli import writes
from ledger.extensions import db

mail_cli = AppGroup("mail", help="Send the outbox.")
pledges_cli = AppGroup("pledges", help="Pledge schedules and statuses.")
donors_cli = AppGroup("donors", help="Donors' personal data: delete an email on request.")
imports_cli = AppGroup("imports", help="Bank statement imports.")


@mail_cli.command("send")
@click.option("--limit", default=200, show_default=True, help="At most this many messages in this run.")
def mail_send(limit: int) -> None:
    """Send every queued message that is due, each once; safe to run from cron every minute,
    and two runs at once never send one message twice.  Exit code 1 when the mail server
    could not be reached or a message was refused (they wait for a later run)."""
    from ledger.edge.mail_texts import render_message
    from ledger.mail.sender import SmtpSettings, send_outbox

    if current_app.config.get("MAIL_DISABLED"):
        click.echo("Mail is disabled (MAIL_DISABLED): nothing sent; the messages wait in the outbox.")
        return
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
    from ledger.funds.statement_previews import remove_statement_files

    hours = int(current_app.config.get("UNCONFIRMED_EMAIL_HOURS") or 24)
    report = update_pledges(
        db.session,
        unconfirmed_for=timedelta(hours=hours),
        transit_days=int(current_app.config.get("COMMISSARY_WATCH_DAYS", 7)),
    )
    files = remove_statement_files(current_app.instance_path)
    click.echo(
        f"Pledges {report.pledges}: {report.changed} changed status; queued {report.reminders} reminders, "
        f"{report.lapse_notices} lapse notices, {report.digests} digests; "
        f"{report.emails_deleted} emails deleted after the retention period, "
        f"{report.unconfirmed_deleted} unconfirmed; "
        f"{report.previews_expired + files} expired statement previews deleted."
    )


@imports_cli.command("clean")
@writes
def imports_clean() -> None:
    """Delete the bank statements whose preview has expired (and any plain statement file an
    older version left in instance/imports); safe to run from cron."""
    from ledger.funds.statement_previews import expire_statement_previews, remove_statement_files

    expired = expire_statement_previews(db.session)
    files = remove_statement_files(current_app.instance_path)
    click.echo(f"Deleted {expired} expired statement preview(s) and {files} old statement file(s).")


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


@donors_cli.command("revoke-links")
@click.option("--email", help="The address the donor wrote from.")
@click.option("--pledge", "reference", help="A pledge reference the donor gave (SL-…).")
@writes
def donors_revoke_links(email: str | None, reference: str | None) -> None:
    """Make every link already mailed to a donor worthless (a leaked or forwarded mail); their
    next mail carries a new one."""
    from ledger.cli import _fail
    from ledger.funds.donor_mail import donors_with, revoke_links

    if not email and not reference:
        _fail("give --email or --pledge")
    donors = donors_with(db.session, email=email, reference=reference)
    if not donors:
        _fail("no donor with that email or pledge reference")
    for donor in donors:
        revoke_links(db.session, donor, reason="admin", actor=None)
    click.echo(f"Revoked the links of {len(donors)} donor(s).")
