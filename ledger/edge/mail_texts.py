"""The text of each queued message, made when it is sent, in the recipient's language.

A kind is a subject here and a template ``templates/mail/<kind>.txt``; its context comes
from a builder that reads the ids in ``params``.  Another area adds a kind with
``register_kind(kind, subject, builder)`` (docs/mail.md).

Donors' mails name no prisoner unless the donor ticked "you may name the prisoner in
mails" and confirmed the address, and carry a signed link to manage the gift and one to delete
the email (also as ``List-Unsubscribe`` with RFC 8058's one-click POST).  An address nobody
confirmed gets only the request to confirm it, with no other link.  The only
address in a message is the recipient's own, in the envelope and the To header.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_currency
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ledger.access.models import User
from ledger.edge.dates import format_day
from ledger.funds.donor_links import confirm_token, donor_token
from ledger.funds.models import Donation, Donor, Pledge
from ledger.funds.schedules import pledge_states
from ledger.mail.models import MailMessage
from ledger.mail.outbox import CONFIRM_KIND
from ledger.mail.sender import Outgoing
from ledger.money import Money
from ledger.platform.database import utc_today

# A message's params as stored (JSON: ids and figures), and a template's context: both hold
# values of many types, read by the builder or the template that knows them.
MailParams = dict[str, Any]
MailContext = dict[str, Any]
Builder = Callable[[Session, MailMessage, MailParams], MailContext | None]
KINDS: dict[str, tuple[object, Builder]] = {}


def register_kind(kind: str, subject: object, builder: Builder) -> None:
    """``subject``: a lazy string; ``builder(session, message, params)`` returns the template's
    context, or None when there is nothing to say any more (the message is then dropped)."""
    KINDS[kind] = (subject, builder)


def _money(minor: int, currency: str) -> str:
    value = Money.from_minor(minor, currency)
    text: str = format_currency(value.amount, value.currency)  # flask_babel's result is untyped
    return text


def _base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")


def donor_links(donor: Donor) -> dict[str, str]:
    token = donor_token(current_app.config["SECRET_KEY"], donor.id, donor.link_generation or 0)
    base = _base_url()
    return {"manage_url": f"{base}/my-gift/{token}", "forget_url": f"{base}/my-gift/{token}/forget"}


def _confirm(session: Session, message: MailMessage, params: MailParams) -> MailContext | None:
    """The request to confirm an address: a link and nothing else (no prisoner, no amount, no
    reference, no link that opens the pledge)."""
    donor = session.get(Donor, message.donor_id)
    if donor is None or donor.email_confirmed:
        return None
    token = confirm_token(current_app.config["SECRET_KEY"], donor.id, donor.link_generation or 0)
    return {"confirm_url": f"{_base_url()}/my-gift/confirm/{token}"}


def _fund_words(donor: Donor, pledge_or_donation: Pledge | Donation) -> str | None:
    """The prisoner's name only when the donor allowed it; otherwise None (the template says
    "the fund you chose")."""
    prisoner = pledge_or_donation.prisoner
    if prisoner is None or not donor.may_name_prisoner or not donor.email_confirmed:
        return None
    return prisoner.name


def _bank_text(session: Session, currency: str, locale: str) -> str:
    from ledger.funds.models import BankDetails

    details = session.get(BankDetails, currency)
    return details.text_for(locale) if details is not None else ""


def _receipt(session: Session, message: MailMessage, params: MailParams) -> MailContext | None:
    donation = session.get(Donation, params.get("donation"))
    if donation is None or donation.donor is None:
        return None
    pledge = donation.pledge
    return {
        "amount": _money(donation.amount_minor, donation.currency),
        "received_on": format_day(donation.received_on, "long"),
        "reference": pledge.reference if pledge is not None else f"R-{donation.id:06d}",
        "method": donation.method,
        "prisoner_name": _fund_words(donation.donor, donation),
        "general": donation.prisoner is None,
        "monthly": pledge is not None and pledge.frequency == "monthly" and pledge.status != "cancelled",
    }


def _pledge_context(session: Session, message: MailMessage, params: MailParams) -> MailContext | None:
    pledge = session.get(Pledge, params.get("pledge"))
    if pledge is None:
        return None
    return {
        "pledge": pledge,
        "reference": pledge.reference,
        "amount": _money(pledge.amount_minor, pledge.currency),
        "monthly": pledge.frequency == "monthly",
        "prisoner_name": _fund_words(pledge.donor, pledge),
        "general": pledge.prisoner is None,
        "bank_details": _bank_text(session, pledge.currency, message.locale),
    }


def _reminder(session: Session, message: MailMessage, params: MailParams) -> MailContext | None:
    context = _pledge_context(session, message, params)
    if context is None or context["pledge"].status in ("cancelled", "paused", "fulfilled"):
        return None
    state = pledge_states(session, [context["pledge"]])[context["pledge"].id]
    open_minor = sum(i.open_minor for i in state.instalments if i.due_on <= utc_today())
    if open_minor <= 0:
        return None  # paid in the meantime: no reminder
    due_on = date.fromisoformat(params["due_on"]) if params.get("due_on") else None
    context.update(
        due_on=format_day(due_on, "long") if due_on else "",
        open_amount=_money(open_minor, context["pledge"].currency),
    )
    return context


def _lapsed(session: Session, message: MailMessage, params: MailParams) -> MailContext | None:
    context = _pledge_context(session, message, params)
    if context is None or context["pledge"].status != "lapsed":
        return None
    context["missed"] = int(params.get("missed") or 0)
    return context


def _digest(session: Session, message: MailMessage, params: MailParams) -> MailContext | None:
    ids = [i for i in params.get("pledges") or [] if isinstance(i, int)]
    pledges = [p for p in (session.get(Pledge, i) for i in ids) if p is not None]
    states = pledge_states(session, pledges)
    rows = []
    today = utc_today()
    for pledge in pledges:
        state = states[pledge.id]
        if state.status not in ("overdue", "lapsed"):
            continue
        missed = [i for i in state.instalments if i.due_on <= today and not i.is_paid]
        rows.append(
            {
                "reference": pledge.reference,
                "fund": pledge.prisoner.slug if pledge.prisoner else "general",
                "status": state.status,
                "missed": len(missed),
                "open": _money(sum(i.open_minor for i in missed), pledge.currency),
                "oldest": format_day(missed[0].due_on, "medium") if missed else "",
            }
        )
    transit = _late_transfers(session, params)
    if not rows and not transit:
        return None
    return {
        "rows": rows,
        "list_url": f"{_base_url()}/manage/pledges?status=overdue",
        "transit": transit,
        "transit_days": int(params.get("days") or 7),
        "transit_url": f"{_base_url()}/manage/commissary?status=in_transit",
    }


def _late_transfers(session: Session, params: MailParams) -> list[dict[str, object]]:
    """Commissary transfers still in transit past the watch's days (the fund's slug, never a name)."""
    from ledger.commissary.models import CommissaryTransfer

    ids = [i for i in params.get("transfers") or [] if isinstance(i, int)]
    today = utc_today()
    found = []
    for transfer in (session.get(CommissaryTransfer, i) for i in ids):
        if transfer is None or transfer.status != "in_transit":
            continue
        found.append(
            {
                "id": transfer.id,
                "fund": transfer.prisoner.slug,
                "amount": _money(transfer.amount_minor, transfer.currency),
                "sent_on": format_day(transfer.sent_on, "medium"),
                "days": (today - transfer.sent_on).days,
            }
        )
    return found


register_kind(CONFIRM_KIND, _l("Please confirm your email address"), _confirm)
register_kind("receipt", _l("Thank you: your gift is recorded"), _receipt)
register_kind("pledge_created", _l("Your pledge: the reference code and where to send it"), _pledge_context)
register_kind("reminder", _l("A reminder about your pledge"), _reminder)
register_kind("lapsed", _l("Your pledge has lapsed"), _lapsed)
register_kind("digest", _l("Overdue pledges today"), _digest)


def render_message(session: Session, message: MailMessage) -> Outgoing | None:
    """The message to send, or None when there is no address any more or nothing to say."""
    if message.kind not in KINDS:
        return None
    params = json.loads(message.params or "{}")
    subject, builder = KINDS[message.kind]
    headers: dict[str, str] = {}
    with force_locale(message.locale):
        if message.donor_id is not None:
            donor = session.get(Donor, message.donor_id)
            if donor is None or not donor.email:
                return None
            address = donor.email
            confirming = message.kind == CONFIRM_KIND
            if not confirming and not donor.email_confirmed:
                return None  # nothing but the confirmation request before the address is confirmed
            context = builder(session, message, params)
            if context is None:
                return None
            if not confirming:
                context.update(donor_links(donor))
                # RFC 2369 and RFC 8058: a plain <URL> (never an encoded word) that a mail client
                # may POST "List-Unsubscribe=One-Click" to; that deletes the address.
                headers["List-Unsubscribe"] = f"<{context['forget_url']}>"
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        else:
            user = session.get(User, message.user_id)
            if user is None or not user.active:
                return None
            address = user.email
            context = builder(session, message, params)
            if context is None:
                return None
        context["organisation"] = current_app.config.get("ORGANISATION_NAME") or ""
        body = render_template(f"mail/{message.kind}.txt", **context)
        return Outgoing(to=address, subject=str(subject), body=body, headers=headers)
