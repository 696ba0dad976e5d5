"""Sending the outbox over SMTP (Python's ``smtplib`` and ``email``), each message once.

A run claims due messages (``queued`` whose ``next_attempt_at`` has come) by writing its own
``claim_token`` on them and committing, so two runs at once never hold the same message:
on PostgreSQL the candidates are selected ``FOR UPDATE SKIP LOCKED``; on SQLite the claim
is one conditional ``UPDATE … WHERE status = 'queued'``, and SQLite runs one writer at a time.
Each message is marked ``sent`` (and committed) right after the server accepted it.

When the server cannot be reached, every claimed message goes back to ``queued`` with its
attempt counted and a later ``next_attempt_at`` (back-off); after ``MAX_ATTEMPTS`` a message
is ``failed`` and waits on the admins' mail page.  A run that died after claiming leaves
``sending`` rows: they are claimed again after ``CLAIM_TIMEOUT`` (the one case in which a
message could go out twice is a crash between the server's acceptance and our commit; the
message keeps its Message-ID, so mail clients show it once).

This module is the job's transaction boundary: it commits after the claim and after each
message, and nowhere else.
"""

from __future__ import annotations

import os
import secrets
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from ledger.mail.kinds import MailStatus
from ledger.mail.models import MailMessage
from ledger.platform.database import utcnow

# Seconds to wait after the n-th failed attempt (the last value repeats).
BACKOFF_SECONDS = (60, 5 * 60, 15 * 60, 60 * 60, 4 * 3600, 12 * 3600, 24 * 3600)
MAX_ATTEMPTS = 10
CLAIM_TIMEOUT = timedelta(minutes=30)
BATCH_SIZE = 200


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # STARTTLS after connecting
    use_ssl: bool = False  # TLS from the first byte (port 465)
    timeout: float = 20.0
    # Development without MAIL_SERVER: each message is written to this folder as a .eml file.
    directory: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        return cls(
            directory=None if config.get("MAIL_SERVER") else config.get("MAIL_FILE_DIR"),
            server=config.get("MAIL_SERVER") or "localhost",
            port=int(config.get("MAIL_PORT") or 25),
            sender=config.get("MAIL_DEFAULT_SENDER") or "ledger@localhost",
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            timeout=float(config.get("MAIL_TIMEOUT") or 20),
        )


@dataclass(frozen=True)
class Outgoing:
    """A message ready to send: ``to`` is used for the envelope and the To header only."""

    to: str
    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    server_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.server_error is None and not self.retried and not self.failed


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1])


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        (MailMessage.status == MailStatus.QUEUED) & (MailMessage.next_attempt_at <= now),
        (MailMessage.status == MailStatus.SENDING) & (MailMessage.claimed_at < now - CLAIM_TIMEOUT),
    )


def claim(session: Session, *, now: datetime | None = None, limit: int = BATCH_SIZE) -> tuple[str, list[int]]:
    """Take up to ``limit`` due messages for this run and commit; returns (token, ids)."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    values = {"status": MailStatus.SENDING, "claim_token": token, "claimed_at": now}
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(
            select(MailMessage.id)
            .where(_due(now))
            .order_by(MailMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if ids:
            session.execute(update(MailMessage).where(MailMessage.id.in_(ids)).values(**values))
    else:
        candidates = select(MailMessage.id).where(_due(now)).order_by(MailMessage.id).limit(limit)
        session.execute(
            update(MailMessage)
            .where(MailMessage.id.in_(candidates.scalar_subquery()), _due(now))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    claimed = session.scalars(
        select(MailMessage.id).where(MailMessage.claim_token == token).order_by(MailMessage.id)
    ).all()
    return token, list(claimed)


def _mine(session: Session, message_id: int, token: str) -> MailMessage | None:
    message = session.get(MailMessage, message_id, populate_existing=True)
    if message is None or message.claim_token != token or message.status != MailStatus.SENDING:
        return None
    return message


def _give_back(message: MailMessage, error: str, now: datetime) -> str:
    message.attempts += 1
    message.last_error = error[:200]
    message.claim_token = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MailStatus.FAILED
        return "failed"
    message.status = MailStatus.QUEUED
    message.next_attempt_at = now + backoff(message.attempts)
    return "retried"


def build_message(settings: SmtpSettings, message: MailMessage, outgoing: Outgoing) -> EmailMessage:
    # Headers of ``outgoing`` are written as they are (set_raw, never refolded into RFC 2047
    # encoded words): List-Unsubscribe must stay a plain <URL> for mail clients to offer it.
    mail = EmailMessage(policy=policy.default.clone(refold_source="none"))
    mail["From"] = settings.sender
    mail["To"] = outgoing.to
    mail["Subject"] = outgoing.subject
    mail["Date"] = format_datetime(message.created_at.replace(tzinfo=UTC), usegmt=True)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"
    mail["Message-ID"] = f"<outbox-{message.id}-{int(message.created_at.timestamp())}@{domain}>"
    mail["Auto-Submitted"] = "auto-generated"
    for name, value in outgoing.headers.items():
        if not value.isascii() or "\r" in value or "\n" in value or len(value) > 900:
            raise ValueError(f"header {name} must be one line of ASCII")
        mail.set_raw(name, value)
    mail.set_content(outgoing.body)
    return mail


class SmtpConnection:
    """One connection for the run, opened when the first message is ready."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            if s.use_tls:
                smtp.starttls(context=context)
        self.smtp = smtp
        if s.username:
            smtp.login(s.username, s.password or "")
        return smtp

    def send(self, mail: EmailMessage, to: str) -> None:
        smtp = self.smtp if self.smtp is not None else self.open()
        smtp.send_message(mail, from_addr=parseaddr(self.settings.sender)[1], to_addrs=[to])

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None


class FileConnection:
    """Development's mail server: each message becomes ``<directory>/<id>-<kind>.eml``, for the
    admins' outbox page to show (``ledger/web/donor_admin.py``)."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def send(self, mail: EmailMessage, to: str) -> None:
        from ledger.platform.file_modes import private_dir

        private_dir(self.directory)
        number = str(mail["Message-ID"]).removeprefix("<outbox-").split("-", 1)[0]
        path = self.directory / f"{int(number):06d}.eml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(mail.as_bytes())

    def close(self) -> None:
        pass


def mail_files(directory: str | None) -> list[Path]:
    """The messages development wrote to files, newest first."""
    if not directory or not Path(directory).is_dir():
        return []
    return sorted(Path(directory).glob("*.eml"), reverse=True)


Renderer = Callable[[Session, MailMessage], Outgoing | None]
SERVER_ERRORS = (
    OSError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPAuthenticationError,
)
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)


def send_outbox(
    session: Session,
    settings: SmtpSettings,
    render: Renderer,
    *,
    now: datetime | None = None,
    limit: int = BATCH_SIZE,
) -> SendReport:
    """Send what is due, once each; see the module's notes on claims and failures."""
    now = now or utcnow()
    report = SendReport()
    token, ids = claim(session, now=now, limit=limit)
    connection: SmtpConnection | FileConnection = (
        FileConnection(settings.directory) if settings.directory else SmtpConnection(settings)
    )
    try:
        for position, message_id in enumerate(ids):
            message = _mine(session, message_id, token)
            if message is None:
                continue
            outgoing = render(session, message)
            if outgoing is None:  # the address was deleted: nothing to send, ever
                message.status, message.claim_token = MailStatus.DROPPED, None
                report.dropped += 1
                session.commit()
                continue
            try:
                connection.send(build_message(settings, message, outgoing), outgoing.to)
            except MESSAGE_ERRORS as error:
                outcome = _give_back(message, f"refused: {type(error).__name__} {_smtp_code(error)}", now)
                setattr(report, outcome, getattr(report, outcome) + 1)
                session.commit()
                continue
            except (smtplib.SMTPException, *SERVER_ERRORS) as error:
                report.server_error = f"{type(error).__name__}: {error}"[:200]
                connection.close()
                for waiting in ids[position:]:
                    held = _mine(session, waiting, token)
                    if held is not None:
                        outcome = _give_back(held, f"server unreachable: {type(error).__name__}", now)
                        setattr(report, outcome, getattr(report, outcome) + 1)
                session.commit()
                break
            message.status = MailStatus.SENT
            message.sent_at = utcnow()
            message.attempts += 1
            message.claim_token = None
            message.last_error = None
            session.commit()
            report.sent += 1
    finally:
        connection.close()
    return report


def _smtp_code(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    if code is None and isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [value[0] for value in error.recipients.values()]  # never the addresses themselves
        code = codes[0] if codes else None
    return str(code or "")


def retry_now(session: Session, message: MailMessage) -> None:
    """An admin's "send again": a failed or waiting message is due at the next run."""
    if message.status in (MailStatus.FAILED, MailStatus.QUEUED):
        message.status = MailStatus.QUEUED
        message.next_attempt_at = utcnow()
        if message.attempts >= MAX_ATTEMPTS:
            message.attempts = MAX_ATTEMPTS - 1
        session.flush()
