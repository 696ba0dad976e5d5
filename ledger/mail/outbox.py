"""Queue a mail in the caller's transaction — the one function other areas call.

    from ledger.mail.outbox import queue_mail
    queue_mail(session, "receipt", donor=donation.donor, params={"donation": donation.id})

The row is added and flushed, never committed: it is kept if and only if the caller's
transaction (the event the mail reports) is.  ``flask --app wsgi mail send`` later makes the
text from ``kind`` (a template ``templates/mail/<kind>.txt`` and a subject registered in
``ledger/edge/mail_texts.py``), ``params`` and ``locale``, looks up the address and sends it.
See docs/mail.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ledger.mail.kinds import MailStatus
from ledger.mail.models import MailMessage
from ledger.platform.database import utcnow

if TYPE_CHECKING:  # funds imports mail: the recipients' types are needed only for checking
    from ledger.access.models import User
    from ledger.funds.models import Donor

CONFIRM_KIND = "confirm_email"
_KIND = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def queue_mail(
    session: Session,
    kind: str,
    *,
    donor: Donor | None = None,
    user: User | None = None,
    params: Mapping[str, object] | None = None,
    locale: str | None = None,
) -> MailMessage | None:
    """Add one message for a donor or a user (exactly one of them).

    A donor without an email (none given, or deleted) gets nothing: returns None; nor does one
    whose address is not confirmed yet, except the request to confirm it (``confirm_email``).
    ``params`` hold ids and figures, never an address or a name (a value with "@" is refused).
    The language is the donor's (the one they gave in), the user's setting, or ``locale``.
    """
    if (donor is None) == (user is None):
        raise ValueError("a mail goes to a donor or to a user")
    if not _KIND.match(kind):
        raise ValueError(f"bad mail kind {kind!r}")
    params = dict(params or {})
    for value in params.values():
        if isinstance(value, str) and "@" in value:
            raise ValueError("mail params must not hold an address")
    if donor is not None and not donor.email:
        return None
    if donor is not None and donor.email_confirmed_at is None and kind != CONFIRM_KIND:
        return None  # an address nobody confirmed gets the confirmation request and nothing else
    language = locale or (donor.locale if donor is not None else getattr(user, "locale", None)) or "en"
    message = MailMessage(
        kind=kind,
        locale=language if language in ("en", "ru") else "en",
        donor_id=donor.id if donor is not None else None,
        user_id=user.id if user is not None else None,
        params=json.dumps(params, sort_keys=True, default=str),
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message
