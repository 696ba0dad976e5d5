"""The staff menu: a few named groups of links, by role.

One row at desktop widths (each group a drop-down ``<details>``), one "Menu" button on phones
(the same groups as lists inside one ``<details>``): no script either way.  To add a page, add
an ``Item`` to its group here (or a new group); the templates render whatever is listed."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ledger.access.roles import Role

STAFF = (Role.ADMIN, Role.COORDINATOR, Role.AUDITOR)
WRITERS = (Role.ADMIN, Role.COORDINATOR)
ADMINS = (Role.ADMIN,)


@dataclass(frozen=True)
class Item:
    endpoint: str
    label: object  # a lazy string
    roles: tuple[str, ...] = STAFF

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


@dataclass(frozen=True)
class Group:
    key: str
    title: object
    items: tuple[Item, ...] = field(default_factory=tuple)


MENU: tuple[Group, ...] = (
    Group(
        "prisoners",
        _l("Prisoners"),
        (
            Item("fundraising.prisoners", _l("Prisoners")),
            Item("spending.funds", _l("Funds")),
            Item("fundraising.pledges", _l("Pledges")),
            Item("lifecycle.rules", _l("Parcel rules")),
            Item("letters.letters", _l("Letters")),
            Item("commissary.transfers", _l("Commissary")),
        ),
    ),
    Group(
        "record",
        _l("Record"),
        (
            Item("fundraising.new_donation", _l("Donation received"), WRITERS),
            Item("fundraising.bank_import", _l("Bank statement"), WRITERS),
            Item("fundraising.new_transfer", _l("Move between funds"), WRITERS),
            Item("spending.new_disbursement", _l("Spending"), WRITERS),
            Item("spending.new_conversion", _l("Currency conversion"), WRITERS),
            Item("spending.cash", _l("My cash"), WRITERS),
            Item("stripe.held_events", _l("Card payments on hold"), WRITERS),
        ),
    ),
    Group(
        "books",
        _l("The books"),
        (
            Item("reports.index", _l("Reports")),
            Item("approvals.queue", _l("Sign-off")),
            Item("audit.index", _l("Audit log"), (Role.ADMIN, Role.AUDITOR)),
            Item("transparency.open_books", _l("Open books")),
        ),
    ),
    Group(
        "donors",
        _l("Donors"),
        (
            Item("donor_admin.settings", _l("Bank details and pledge rules"), ADMINS),
            Item("donor_admin.outbox", _l("Mail outbox"), ADMINS),
            Item("donor_admin.donors", _l("Donors' emails"), ADMINS),
            Item("donor_admin.jobs", _l("Scheduled jobs"), ADMINS),
        ),
    ),
    Group(
        "public",
        _l("Public site"),
        (
            Item("web.home", _l("Home page")),
            Item("donate.donate", _l("Donate")),
            Item("pledge_transfer.form", _l("Bank transfer")),
        ),
    ),
)
# In the account's own menu: the person's settings, then the admins' pages.
ACCOUNT_ITEMS: tuple[Item, ...] = (
    Item("settings.index", _l("Settings")),
    Item("admin.users", _l("Users"), ADMINS),
    Item("approvals.thresholds", _l("Sign-off thresholds"), ADMINS),
    Item("admin.accounts", _l("Accounts"), ADMINS),
    Item("transparency.schedule", _l("Checkpoints"), ADMINS),
)


def staff_menu() -> list[tuple[Group, list[Item]]]:
    """The groups the signed-in person may use, each with the items their role may open."""
    if not current_user.is_authenticated:
        return []
    from ledger.web.donate import cards_enabled

    role = current_user.role
    # The card form only when card gifts are on (without Stripe keys /donate leads to /pledge).
    hidden = set() if cards_enabled() else {"donate.donate"}
    menu = [
        (group, [item for item in group.items if role in item.roles and item.endpoint not in hidden])
        for group in MENU
    ]
    return [(group, items) for group, items in menu if items]


def account_items() -> list[Item]:
    if not current_user.is_authenticated:
        return []
    return [item for item in ACCOUNT_ITEMS if current_user.role in item.roles]


def register_navigation(app) -> None:
    app.jinja_env.globals.update(staff_menu=staff_menu, account_items=account_items)
