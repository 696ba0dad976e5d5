"""A donor's own bank-transfer pledge, made on the public page or ``POST /api/v1/public-pledges``.

The answer is an opaque reference code (random, ten characters: it names no prisoner and can't
be guessed) and the organisation's bank details for the currency.  Pledges made are counted
per client to throttle (``pledge_attempts``: an HMAC of the client's address under the
app's secret, never the address, as ``ledger/access/throttle.py`` does for sign-ins), and
capped per hour for everyone together, as are the mails to addresses nobody confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ledger.access.throttle import keyed_hash
from ledger.books.errors import LedgerError
from ledger.funds.bank_details import bank_details_for
from ledger.funds.donor_mail import queue_pledge_confirmation, unconfirmed_mails_since
from ledger.funds.models import BankDetails, Pledge, PledgeAttempt, Prisoner
from ledger.funds.pledges import PUBLIC_REFERENCE_LENGTH, PledgeError, create_pledge, make_donor
from ledger.funds.schedules import lock_pledge_job
from ledger.money import Money
from ledger.platform.database import utcnow

KEEP_ATTEMPTS_FOR = timedelta(days=1)


class PledgeThrottled(LedgerError):
    """Too many pledges from this client lately; nothing was written."""

    code = "pledge_throttled"


class PledgesBusy(PledgeThrottled):
    """The hour's cap on public pledges from all clients together is reached."""

    code = "pledges_busy"


class ConfirmationMailsBusy(PledgeThrottled):
    """The hour's cap on mails to addresses nobody confirmed is reached (a pledge without an
    email is still taken)."""

    code = "confirmation_mails_busy"


HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class PledgeThrottle:
    """Per client: ``max_pledges`` in ``window_seconds``.  For everyone together, per hour:
    ``max_pledges_per_hour`` pledges and ``max_unconfirmed_mails_per_hour`` confirmation mails
    (so 20 addresses cannot make the ledger mail a hundred strangers)."""

    max_pledges: int = 5
    window_seconds: int = 3600
    max_pledges_per_hour: int = 30
    max_unconfirmed_mails_per_hour: int = 10


def public_pledges_since(session: Session, since: datetime) -> int:
    """Public pledges made since ``since``, from all clients (kept for a day)."""
    return int(session.scalar(select(func.count(PledgeAttempt.id)).where(PledgeAttempt.at >= since)) or 0)


def pledge_client_key(secret: str, address: str | None) -> str:
    return keyed_hash(secret, "pledge-client", address or "unknown")


def _check_throttle(session: Session, client_key: str, throttle: PledgeThrottle, now: datetime) -> None:
    session.execute(delete(PledgeAttempt).where(PledgeAttempt.at < now - KEEP_ATTEMPTS_FOR))
    since = now - timedelta(seconds=throttle.window_seconds)
    count = session.scalar(
        select(func.count(PledgeAttempt.id)).where(
            PledgeAttempt.client_key == client_key, PledgeAttempt.at >= since
        )
    )
    if (count or 0) >= throttle.max_pledges:
        raise PledgeThrottled("too many pledges", minutes=max(1, throttle.window_seconds // 60))
    if public_pledges_since(session, now - HOUR) >= throttle.max_pledges_per_hour:
        raise PledgesBusy("too many pledges from everyone", minutes=60)


def _check_mail_cap(session: Session, throttle: PledgeThrottle, now: datetime) -> None:
    if unconfirmed_mails_since(session, now - HOUR) >= throttle.max_unconfirmed_mails_per_hour:
        raise ConfirmationMailsBusy("too many mails to unconfirmed addresses", minutes=60)


def make_public_pledge(
    session: Session,
    *,
    prisoner: Prisoner | None,
    money: Money,
    frequency: str,
    email: object = None,
    locale: str = "en",
    may_name_prisoner: bool = False,
    client_key: str,
    throttle: PledgeThrottle = PledgeThrottle(),
    now: datetime | None = None,
) -> tuple[Pledge, BankDetails]:
    """Create the pledge (and its donor, with the email if given, unconfirmed), count it for
    the client, and queue the request to confirm the address (the pledge's own mail follows
    the confirmation); the caller commits.  Refused, with nothing written, for a hidden
    prisoner, a currency without bank details, bad input, a throttled client, or the hour's
    cap on pledges (or, with an email, on mails to unconfirmed addresses) reached."""
    now = now or utcnow()
    if prisoner is not None and not prisoner.public:
        raise PledgeError("unknown prisoner", field="prisoner", reason="unknown_prisoner")
    details = bank_details_for(session, money.currency)
    if details is None:
        raise PledgeError(
            "no bank details", field="currency", reason="no_bank_details", currency=money.currency
        )
    # One public pledge at a time (the settings row's lock, as the pledge job takes it), so
    # concurrent requests cannot all read a count just under a cap and pass it together.
    lock_pledge_job(session)
    _check_throttle(session, client_key, throttle, now)
    if email:
        _check_mail_cap(session, throttle, now)
    donor = make_donor(
        session, email=email, locale=locale, may_name_prisoner=may_name_prisoner, confirmed=False
    )
    pledge = create_pledge(
        session,
        prisoner=prisoner,
        money=money,
        frequency=frequency,
        starts_on=now.date(),
        donor=donor,
        created_by="public",
        reference_length=PUBLIC_REFERENCE_LENGTH,
    )
    session.add(PledgeAttempt(at=now, client_key=client_key))
    queue_pledge_confirmation(session, pledge)
    session.flush()
    return pledge, details
