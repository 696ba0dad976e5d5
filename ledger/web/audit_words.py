"""The audit log in words: what each action code means, who or what it touched (a name with a
link, where the reader may follow it), and its details as a list of labelled values.

Nothing here reads donors: a donor target stays "donor #5", as stored; the pages linked to are
role-checked as ever, so a link never shows a reader more than that page already would.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ledger.access.models import ApiToken, AuditEvent, User
from ledger.books.accounts import PRISONER_FUND_PREFIX
from ledger.books.models import Account
from ledger.extensions import db
from ledger.funds.models import Facility, Prisoner
from ledger.money import CURRENCIES, Money
from ledger.web.formatting import money
from ledger.web.labels import (
    ACCOUNT_KIND_LABELS,
    CATEGORY_LABELS,
    FREQUENCY_LABELS,
    FUND_POLICY_LABELS,
    METHOD_LABELS,
    OUTCOME_LABELS,
    PLEDGE_STATUS_LABELS,
    ROLE_LABELS,
)

# Every action the code records (tests/web/test_audit_log_readable.py checks that none is missing).
ACTION_LABELS = {
    "2fa.enrolled": _l("Two-factor sign-in set up"),
    "2fa.recovery_code_used": _l("Signed in with a recovery code"),
    "2fa.recovery_codes_replaced": _l("New recovery codes made"),
    "2fa.reset": _l("Two-factor sign-in reset"),
    "account.closed": _l("Account closed"),
    "account.opened": _l("Account opened"),
    "account.relabelled": _l("Account renamed"),
    "approval.approved": _l("Spending approved"),
    "approval.rejected": _l("Spending refused"),
    "approval.requested": _l("Sign-off requested"),
    "approval.withdrawn": _l("Sign-off request withdrawn"),
    "auth.2fa_failed": _l("Wrong two-factor code"),
    "auth.failed": _l("Failed sign-in"),
    "auth.locked": _l("Sign-in locked after failures"),
    "auth.signed_in": _l("Signed in"),
    "auth.signed_out": _l("Signed out"),
    "bank_details.deleted": _l("Bank details removed"),
    "bank_details.saved": _l("Bank details saved"),
    "cash.advance": _l("Cash handed to a coordinator"),
    "cash.returned": _l("Cash returned to the bank"),
    "checkout.started": _l("Card payment started"),
    "commissary.credited": _l("Commissary transfer credited to the personal account"),
    "commissary.returned": _l("Commissary transfer came back"),
    "commissary.sent": _l("Money sent to a personal account"),
    "commissary_limit.created": _l("Commissary limit added"),
    "commissary_limit.updated": _l("Commissary limit changed"),
    "commissary_run.approved": _l("Monthly top-up run approved"),
    "commissary_run.prepared": _l("Monthly top-up run prepared"),
    "commissary_topup.set": _l("Monthly top-up set"),
    "commissary_topup.stopped": _l("Monthly top-up stopped"),
    "conversion.recorded": _l("Currency converted within a fund"),
    "disbursement.recorded": _l("Spending recorded"),
    "donation.recorded": _l("Gift recorded"),
    "donor.email_deleted": _l("Donor's email deleted"),
    "donor.email_confirmed": _l("Donor confirmed their email"),
    "donor.links_revoked": _l("Donor's links revoked"),
    "donor_settings.saved": _l("Pledge and email rules saved"),
    "entry.reversed": _l("Entry reversed"),
    "exchange.recorded": _l("Currency exchanged between accounts"),
    "facility.created": _l("Facility added"),
    "facility.updated": _l("Facility changed"),
    "import.posted": _l("Bank statement imported"),
    "letter.recorded": _l("Letter recorded"),
    "letter.replied": _l("Reply to a letter recorded"),
    "letter_service.created": _l("Letter service added"),
    "letter_service.updated": _l("Letter service changed"),
    "mail.retry": _l("Message sent again"),
    "parcel.assigned": _l("Parcels assigned to a coordinator"),
    "parcel.outcome": _l("Parcel outcome recorded"),
    "parcel.refunded": _l("Parcel refund recorded"),
    "parcel_rule.created": _l("Parcel rule added"),
    "parcel_rule.updated": _l("Parcel rule changed"),
    "pledge.cancelled": _l("Pledge cancelled"),
    "pledge.created": _l("Pledge created"),
    "pledge.paused": _l("Pledge paused"),
    "pledge.resumed": _l("Pledge resumed"),
    "prisoner.created": _l("Prisoner added"),
    "prisoner.updated": _l("Prisoner's profile changed"),
    # prisoner.<event type> (ledger/funds/lifecycle.py)
    "prisoner.transferred": _l("Transfer to another facility recorded"),
    "prisoner.whereabouts_unknown": _l("Whereabouts unknown recorded"),
    "prisoner.found": _l("Found recorded (whereabouts known again)"),
    "prisoner.released": _l("Release recorded"),
    "prisoner.died": _l("Death recorded"),
    "receipt.attached": _l("Receipt attached"),
    "settings.approval_thresholds": _l("Sign-off thresholds changed"),
    "stripe.event_replayed": _l("Stripe event processed again"),
    "stripe.inflow_recorded": _l("Stripe money in recorded"),
    "stripe.needs_attention": _l("Stripe event needs attention"),
    "stripe.outflow_recorded": _l("Stripe refund or dispute recorded"),
    "stripe.payout_recorded": _l("Stripe payout recorded"),
    "stripe.payout_returned": _l("Stripe payout returned"),
    "stripe.unattributed": _l("Card money without a fund (general fund)"),
    "token.created": _l("API token created"),
    "token.revoked": _l("API token revoked"),
    "transfer.recorded": _l("Money moved between funds"),
    "user.activated": _l("User reactivated"),
    "user.created": _l("User created"),
    "user.deactivated": _l("User deactivated"),
    "user.password_changed": _l("Password changed"),
    "user.role_changed": _l("Role changed"),
}

DETAIL_LABELS = {
    "account": _l("Account"),
    "account_hash": _l("Sign-in name (hashed)"),
    "advance": _l("Advance"),
    "after": _l("After"),
    "amount": _l("Amount"),
    "asset": _l("Account"),
    "author": _l("Recorded by"),
    "before": _l("Before"),
    "by": _l("By"),
    "category": _l("Category"),
    "channel": _l("Sent through"),
    "fee": _l("Service fee"),
    "month": _l("Month"),
    "on": _l("Date"),
    "over_limit_reason": _l("Allowed over the monthly limit because"),
    "run_month": _l("Monthly run"),
    "content_type": _l("File type"),
    "currency": _l("Currency"),
    "description": _l("Description"),
    "duplicates": _l("Already recorded"),
    "email_retention_days": _l("Emails kept (days)"),
    "entry": _l("Entry"),
    "assignee": _l("Assigned to"),
    "event": _l("Event"),
    "fund_policy": _l("Fund"),
    "outcome": _l("Outcome"),
    "failed": _l("Refused"),
    "fields": _l("Fields changed"),
    "frequency": _l("Frequency"),
    "from_fund": _l("From fund"),
    "fund": _l("Fund"),
    "holds": _l("Holds"),
    "kind": _l("Kind"),
    "lapse_missed": _l("Lapsed after missed instalments"),
    "method": _l("Method"),
    "mode": _l("Mode"),
    "name": _l("Name"),
    "over_limit": _l("Over the facility's limit"),
    "overdue_days": _l("Overdue after (days)"),
    "pledge": _l("Pledge"),
    "posted": _l("Recorded"),
    "previous": _l("Previous role"),
    "prisoner": _l("Prisoner"),
    "public": _l("Public"),
    "rate": _l("Rate"),
    "reason": _l("Reason"),
    "received": _l("Received"),
    "reversal": _l("Reversal"),
    "role": _l("Role"),
    "settled": _l("Settled"),
    "sha256": _l("SHA-256"),
    "size": _l("Size in bytes"),
    "skipped": _l("Skipped"),
    "source": _l("Paid"),
    "status": _l("Status"),
    "to_fund": _l("To fund"),
    "type": _l("Type"),
}

SIGN_IN_METHOD_LABELS = {
    "password": _l("password"),
    "totp": _l("password and authenticator code"),
    "recovery": _l("password and recovery code"),
}
_CODE_LABELS: dict[str, Mapping[Any, Any]] = {
    "category": CATEGORY_LABELS,
    "frequency": FREQUENCY_LABELS,
    "method": {**METHOD_LABELS, **SIGN_IN_METHOD_LABELS},
    "role": ROLE_LABELS,
    "previous": ROLE_LABELS,
    "kind": ACCOUNT_KIND_LABELS,
    "status": PLEDGE_STATUS_LABELS,
    "fund_policy": FUND_POLICY_LABELS,
    "outcome": OUTCOME_LABELS,
}
_ENTRY_KEYS = {"reversal", "entry"}
_FUND_KEYS = {"fund", "from_fund", "to_fund"}
_ACCOUNT_KEYS = {"asset", "account"}


@dataclass
class Link:
    text: str
    url: str | None = None
    code: bool = False  # shown as code (hashes, references)


@dataclass
class Detail:
    label: str
    parts: list[Link] = field(default_factory=list)


@dataclass
class ReadableEvent:
    event: AuditEvent
    action: str
    target: Link | None
    details: list[Detail]


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


class _Names:
    """The names behind one page of targets, read in a few queries."""

    def __init__(self, events: Iterable[AuditEvent]) -> None:
        wanted: dict[str, set[str]] = {}
        for event in events:
            kind, _sep, value = (event.target or "").partition(":")
            wanted.setdefault(kind, set()).add(value)
            for key, raw in _details(event).items():
                if key in _FUND_KEYS and isinstance(raw, str) and raw.startswith(PRISONER_FUND_PREFIX):
                    wanted.setdefault("prisoner", set()).add(raw[len(PRISONER_FUND_PREFIX) :])
                elif key == "prisoner" and isinstance(raw, str):
                    wanted.setdefault("prisoner", set()).add(raw)
                elif key in _ACCOUNT_KEYS and isinstance(raw, str):
                    wanted.setdefault("account", set()).add(raw)
                elif key == "assignee" and isinstance(raw, int):
                    wanted.setdefault("user", set()).add(str(raw))
        self.users = self._by_id(User, wanted.get("user"))
        self.tokens = self._by_id(ApiToken, wanted.get("token"))
        self.facilities = self._by_id(Facility, wanted.get("facility"))
        slugs = wanted.get("prisoner") or set()
        self.prisoners = (
            {p.slug: p for p in db.session.scalars(select(Prisoner).where(Prisoner.slug.in_(slugs)))}
            if slugs
            else {}
        )
        names = wanted.get("account") or set()
        self.accounts = (
            {a.name: a for a in db.session.scalars(select(Account).where(Account.name.in_(names)))}
            if names
            else {}
        )

    @staticmethod
    def _by_id(model, values: set[str] | None) -> dict:
        ids = {int(value) for value in values or () if value.isdigit()}
        if not ids:
            return {}
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _details(event: AuditEvent) -> dict:
    if not event.details:
        return {}
    try:
        parsed = json.loads(event.details)
    except ValueError:
        return {"description": event.details}
    return parsed if isinstance(parsed, dict) else {"description": str(parsed)}


def _is_admin() -> bool:
    return bool(getattr(current_user, "is_authenticated", False) and current_user.role == "admin")


def _user_link(user: User | None, raw: str) -> Link:
    if user is None:
        return Link(_("user #%(id)s", id=raw))
    name = user.display_name or user.email
    # The users page is for admins; auditors see the name only.
    url = url_for("admin.users", _anchor=f"user-{user.id}") if _is_admin() else None
    return Link(name, url)


def _prisoner_name(prisoner: Prisoner) -> str:
    if str(get_locale()) != "ru" and prisoner.name_latin:
        return prisoner.name_latin
    return prisoner.name


def _prisoner_link(names: _Names, slug: str) -> Link:
    prisoner = names.prisoners.get(slug)
    if prisoner is None:
        return Link(slug, code=True)
    return Link(_prisoner_name(prisoner), url_for("prisoners.prisoner_page", slug=slug))


def _entry_link(value: object) -> Link:
    text = str(value)
    if not text.isdigit():
        return Link(text)
    return Link(f"#{text}", url_for("spending.entry", entry_id=int(text)))


def _fund_link(names: _Names, value: str) -> Link:
    if value in ("general", "liabilities:funds:general"):
        return Link(_("General fund"))
    if value.startswith(PRISONER_FUND_PREFIX):
        return _prisoner_link(names, value[len(PRISONER_FUND_PREFIX) :])
    if value in names.prisoners:
        return _prisoner_link(names, value)
    return Link(value, code=True)


def _account_link(names: _Names, value: str) -> Link:
    account = names.accounts.get(value)
    label = account.label_for(str(get_locale())) if account is not None else None
    url = url_for("reports.account_ledger_page", account=value) if account is not None else None
    return Link(f"{label} ({value})" if label else value, url)


def _target(names: _Names, target: str | None) -> Link | None:
    if not target:
        return None
    kind, _sep, value = target.partition(":")
    if kind == "user":
        return _user_link(names.users.get(int(value)) if value.isdigit() else None, value)
    if kind == "prisoner":
        return _prisoner_link(names, value)
    if kind == "entry":
        return _entry_link(value)
    if kind == "pledge":
        return Link(
            _("pledge %(reference)s", reference=value), url_for("fundraising.pledge", reference=value)
        )
    if kind == "account":
        return _account_link(names, value)
    if kind == "approval" and value.isdigit():
        return Link(_("sign-off #%(id)s", id=value), url_for("approvals.show", approval_id=int(value)))
    if kind == "parcel" and value.isdigit():
        return Link(_("parcel #%(id)s", id=value), url_for("lifecycle.parcel", parcel_id=int(value)))
    if kind == "commissary_transfer" and value.isdigit():
        return Link(_("commissary transfer #%(id)s", id=value))
    if kind == "commissary_run" and value.isdigit():
        return Link(_("top-up run #%(id)s", id=value), url_for("commissary.run", run_id=int(value)))
    if kind == "parcel_rule":
        return Link(_("parcel rule #%(id)s", id=value))
    if kind == "facility" and value.isdigit() and int(value) in names.facilities:
        return Link(names.facilities[int(value)].name)
    if kind == "token" and value.isdigit() and int(value) in names.tokens:
        token = names.tokens[int(value)]
        return Link(_("API token “%(name)s”", name=token.name))
    if kind == "donor":
        return Link(_("donor #%(id)s", id=value))  # never a name or an email
    if kind == "currency":
        return Link(_("bank details in %(currency)s", currency=value))
    if kind == "mail":
        return Link(_("message #%(id)s", id=value))
    if kind == "stripe_event":
        return Link(_("Stripe event #%(id)s", id=value))
    if kind == "statement":
        return Link(_("statement %(hash)s", hash=value), code=True)
    return Link(target, code=True)


def _money(amount: object, currency: object) -> str | None:
    if not isinstance(currency, str) or currency not in CURRENCIES:
        return None
    try:
        return money(Money(Decimal(str(amount)), currency))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _value(names: _Names, key: str, value: object) -> list[Link]:
    if isinstance(value, bool):
        return [Link(_("yes") if value else _("no"))]
    if value is None or value == "":
        return [Link("—")]
    if isinstance(value, list):
        links: list[Link] = []
        for item in value:
            links.extend(_value(names, key, item))
        return links
    if isinstance(value, dict):
        return [Link(f"{k}: {v}") for k, v in value.items()]
    text = str(value)
    if key == "assignee" and text.isdigit():
        return [_user_link(names.users.get(int(text)), text)]
    if key in _ENTRY_KEYS:
        return [_entry_link(text)]
    if key in _FUND_KEYS:
        return [_fund_link(names, text)]
    if key == "prisoner":
        return [_prisoner_link(names, text)]
    if key in _ACCOUNT_KEYS:
        return [_account_link(names, text)]
    if key == "pledge":
        return [Link(text, url_for("fundraising.pledge", reference=text), code=True)]
    if key in ("sha256", "account_hash", "event"):
        return [Link(text, code=True)]
    labels = _CODE_LABELS.get(key)
    if labels is not None and text in labels:
        return [Link(str(labels[text]))]
    return [Link(text)]


def _readable_details(names: _Names, details: dict) -> list[Detail]:
    details = dict(details)
    lines = []
    shown = _money(details.get("amount"), details.get("currency"))
    if shown is not None:
        details.pop("amount")
        details.pop("currency")
        lines.append(Detail(str(DETAIL_LABELS["amount"]), [Link(shown)]))
    for key in sorted(details, key=lambda k: str(DETAIL_LABELS.get(k, k))):
        label = DETAIL_LABELS.get(key)
        lines.append(
            Detail(
                str(label) if label is not None else key.replace("_", " "), _value(names, key, details[key])
            )
        )
    return lines


def readable(events: list[AuditEvent]) -> list[ReadableEvent]:
    names = _Names(events)
    return [
        ReadableEvent(
            event=event,
            action=action_label(event.action),
            target=_target(names, event.target),
            details=_readable_details(names, _details(event)),
        )
        for event in events
    ]
