"""The jobs the ledger schedules itself (``registry.JOBS``): thin, like the CLI commands that
do the same by hand (``mail send``, ``pledges update``, ``ledger checkpoint --if-due``,
``ledger backup``).  Each runs in the app context and returns its run's summary."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from ledger.extensions import db
from ledger.platform.transaction import unit_of_work


class JobFailed(Exception):
    """The job ran but did not do what it is for (e.g. the mail server could not be reached)."""


def send_mail() -> str:
    if current_app.config.get("MAIL_DISABLED"):
        return "mail is disabled (MAIL_DISABLED)"
    from ledger.edge.mail_texts import render_message
    from ledger.mail.sender import SmtpSettings, send_outbox

    report = send_outbox(db.session, SmtpSettings.from_config(current_app.config), render_message)
    summary = (
        f"sent {report.sent}, to retry {report.retried}, failed {report.failed}, dropped {report.dropped}"
    )
    if report.server_error:
        raise JobFailed(f"{summary}; the mail server could not be reached: {report.server_error}")
    return summary


def update_pledges() -> str:
    from datetime import timedelta

    from ledger.funds.pledge_job import update_pledges as update
    from ledger.funds.statement_previews import remove_statement_files

    config = current_app.config
    with unit_of_work(db.session):
        report = update(
            db.session,
            unconfirmed_for=timedelta(hours=int(config.get("UNCONFIRMED_EMAIL_HOURS") or 24)),
            transit_days=int(config.get("COMMISSARY_WATCH_DAYS", 7)),
        )
    remove_statement_files(current_app.instance_path)
    return (
        f"pledges {report.pledges}: {report.changed} changed status; queued {report.reminders} reminders, "
        f"{report.lapse_notices} lapse notices, {report.digests} digests; "
        f"{report.emails_deleted} emails deleted after the retention period"
    )


def checkpoint_if_due() -> str:
    from ledger.checkpoints.disclosure import rules_from_config
    from ledger.checkpoints.schedule import checkpoint_due, current_schedule
    from ledger.checkpoints.seal import create_checkpoint
    from ledger.checkpoints.signing import load_signing_key

    with unit_of_work(db.session):
        if not checkpoint_due(db.session):
            return f"not due (schedule: {current_schedule(db.session)})"
        key = load_signing_key(current_app.instance_path, current_app.config.get("LEDGER_SIGNING_KEY"))
        checkpoint = create_checkpoint(db.session, key, rules=rules_from_config(current_app.config))
    return f"checkpoint #{checkpoint.sequence}: {checkpoint.entry_count} entries"


def backup() -> str:
    """With ``LEDGER_BACKUP_DIR`` set: a backup file there, keeping the last ``LEDGER_BACKUP_KEEP``."""
    folder = current_app.config.get("BACKUP_DIR")
    if not folder:
        return "not configured (LEDGER_BACKUP_DIR)"
    from ledger.operations.backup import write_backup
    from ledger.platform.file_modes import private_dir

    root = Path(folder)
    private_dir(root)
    path = root / f"ledger-{datetime.now(UTC):%Y%m%d-%H%M%S}.backup"
    counts = write_backup(db.engine, path, Path(current_app.instance_path) / "receipts")
    keep = int(current_app.config.get("BACKUP_KEEP") or 14)
    for old in sorted(root.glob("ledger-*.backup"))[:-keep]:
        old.unlink()
    return f"{path.name}: {counts.get('journal_entries', 0)} entries"
