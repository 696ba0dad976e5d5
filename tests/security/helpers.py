"""The route walk's parts: roles, write methods, every walkable rule and the values to build its URL."""

from __future__ import annotations

from sqlalchemy import select

from ledger.access.models import ApiToken, User
from ledger.books.models import JournalEntry

ROLES = ("admin", "coordinator", "auditor")


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


WALK_TARGET_EMAIL = "walk-target@example.org"


def url_values(session) -> dict:
    """A value for every URL parameter name used by the app's routes.

    A new route with a new parameter name fails the walk until a value is added here.
    """
    entry_id = session.scalar(select(JournalEntry.id).order_by(JournalEntry.id))
    target = session.scalar(select(User).where(User.email == WALK_TARGET_EMAIL))
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == target.id))
    values = {
        "filename": "style.css",
        "code": "en",
        "entry_id": entry_id,
        "user_id": target.id,
        "token_id": token_id,
    }
    from ledger.funds.models import Facility, Prisoner

    prisoner = session.scalar(select(Prisoner).where(Prisoner.public.is_(True)).order_by(Prisoner.id))
    if prisoner is not None:
        values.update(slug=prisoner.slug, prisoner_id=prisoner.id, prisoner_slug=prisoner.slug)
    from ledger.funds.models import Pledge
    from ledger.spending.models import Receipt

    values["reference"] = session.scalar(select(Pledge.reference).order_by(Pledge.id)) or "SL-NOSUCHPLEDGE"
    values["receipt_id"] = session.scalar(select(Receipt.id).order_by(Receipt.id)) or 1
    from ledger.books.holds import Approval

    values["approval_id"] = session.scalar(select(Approval.id).order_by(Approval.id)) or 1
    from ledger.spending.models import Parcel, ParcelRule

    values["parcel_id"] = session.scalar(select(Parcel.id).order_by(Parcel.id)) or 1
    values["rule_id"] = session.scalar(select(ParcelRule.id).order_by(ParcelRule.id)) or 1
    values["event_id"] = "evt_not_held"
    from ledger.letters.models import Letter

    values["letter_id"] = session.scalar(select(Letter.id).order_by(Letter.id)) or 1
    values["key"] = "fsin_pismo"  # a letter service (seeded)
    values["month_text"] = "2026-11"
    values["name"] = "assets:stripe"  # an asset account (admin accounts page, API)
    values["fmt"] = "hledger"
    facility_id = session.scalar(select(Facility.id).order_by(Facility.id))
    if facility_id is not None:
        values["facility_id"] = facility_id
    from flask import current_app

    from ledger.funds.donor_links import donor_token
    from ledger.funds.models import Donor

    donor_id = session.scalar(select(Donor.id).order_by(Donor.id)) or 1
    values["token"] = donor_token(current_app.config["SECRET_KEY"], donor_id)  # a donor's signed link
    values["action"] = "pause"
    values["donor_id"] = donor_id
    values["message_id"] = 1
    values["currency"] = "EUR"
    from ledger.commissary.models import CommissaryRun, CommissaryTransfer

    values["transfer_id"] = session.scalar(select(CommissaryTransfer.id).order_by(CommissaryTransfer.id)) or 1
    from ledger.commissary.models import CommissaryLimit

    values["limit_id"] = session.scalar(select(CommissaryLimit.id).order_by(CommissaryLimit.id)) or 1
    values["run_id"] = session.scalar(select(CommissaryRun.id).order_by(CommissaryRun.id)) or 1
    return values


def walkable_rules(app):
    """(rule, method) for every rule and method, HEAD and OPTIONS aside; signing out last,
    since it ends the session on the server."""
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule, r.endpoint))
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def build_url(app, rule, values: dict) -> str:
    missing = set(rule.arguments) - set(values)
    assert not missing, (
        f"{rule.endpoint}: add a value for {sorted(missing)} to url_values() in tests/security/helpers.py"
    )
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
