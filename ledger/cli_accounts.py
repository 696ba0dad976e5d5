"""CLI for day one: ``setup`` (the first admin and the organisation's accounts),
``accounts`` (open, list, relabel, close asset accounts) and ``bank-details`` (where donors
who pledge a transfer pay to).  Thin: the domain does the work, ``@writes`` is the
transaction boundary."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import func, select

from ledger.access.models import User
from ledger.access.users import create_user
from ledger.books.accounts import ensure_standard_accounts
from ledger.books.asset_accounts import (
    asset_account_by_name,
    asset_accounts,
    close_account,
    open_account,
    relabel_account,
)
from ledger.cli import _fail, writes
from ledger.extensions import db
from ledger.funds.bank_details import all_bank_details, delete_bank_details, save_bank_details
from ledger.web.labels import ACCOUNT_KIND_LABELS

accounts_cli = AppGroup("accounts", help="Manage asset accounts: bank, cash, Stripe, intermediaries.")
bank_details_cli = AppGroup(
    "bank-details",
    help="The bank details donors pay to, per currency: a currency without them takes no transfer pledges.",
)


def _read_password() -> str:
    """Asked twice on a terminal; otherwise one line from standard input."""
    if sys.stdin.isatty():
        return click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


def _kind(kind: str | None) -> str:
    return str(ACCOUNT_KIND_LABELS.get(kind or "", kind or ""))


@accounts_cli.command("create")
@click.argument("name")
@click.option("--currency", help="The one currency of a bank or cash account (ISO code, e.g. EUR).")
@click.option("--label", required=True, help="The label in English.")
@click.option("--label-ru", help="The label in Russian.")
@writes
def accounts_create(name: str, currency: str | None, label: str, label_ru: str | None) -> None:
    """Open the asset account NAME (assets:bank:…, assets:cash:…, assets:stripe, assets:intermediary:…)."""
    account = open_account(
        db.session, name, currency=currency.upper() if currency else None, label=label, label_ru=label_ru
    )
    click.echo(
        _(
            "Opened %(kind)s account %(name)s (%(currency)s).",
            kind=_kind(account.kind),
            name=account.name,
            currency=account.currency or _("any currency"),
        )
    )


@accounts_cli.command("list")
@click.option("--all", "include_closed", is_flag=True, help="Show closed accounts too.")
def accounts_list(include_closed: bool) -> None:
    """Asset accounts: name, kind, currency, balance, label."""
    lines = asset_accounts(db.session, include_closed=include_closed)
    if not lines:
        click.echo(_("No asset accounts yet: open one with `flask --app wsgi accounts create`."))
        return
    for line in lines:
        account = line.account
        held = ", ".join(f"{money.amount} {money.currency}" for _c, money in sorted(line.balances.items()))
        state = "" if account.is_open else " " + _("(closed)")
        label = account.label_for(str(_locale())) or ""
        click.echo(
            f"{account.name:<40} {_kind(account.kind):<14} {account.currency or '*':<4} "
            f"{held or '0':<24} {label}{state}"
        )


def _locale():
    from flask_babel import get_locale

    return get_locale()


@accounts_cli.command("relabel")
@click.argument("name")
@click.option("--label", help="The new label in English.")
@click.option("--label-ru", help="The new label in Russian.")
@writes
def accounts_relabel(name: str, label: str | None, label_ru: str | None) -> None:
    """Change NAME's labels (its name, kind and currency never change)."""
    account = asset_account_by_name(db.session, name)
    if account is None:
        _fail(_("No such account."))
    changed = relabel_account(
        db.session,
        account,
        label=label if label is not None else ...,
        label_ru=label_ru if label_ru is not None else ...,
    )
    click.echo(_("Saved: %(fields)s.", fields=", ".join(changed) or "—"))


@accounts_cli.command("close")
@click.argument("name")
@writes
def accounts_close(name: str) -> None:
    """Close NAME; only an account that holds nothing is closed, and it is never reopened."""
    account = asset_account_by_name(db.session, name)
    if account is None:
        _fail(_("No such account."))
    close_account(db.session, account)
    click.echo(_("Closed %(name)s.", name=account.name))


@bank_details_cli.command("set")
@click.argument("currency")
@click.option(
    "--en",
    "english",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="A text file: the details in English.",
)
@click.option(
    "--ru",
    "russian",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="A text file: the details in Russian.",
)
@writes
def bank_details_set(currency: str, english, russian) -> None:
    """Set (or replace) CURRENCY's bank details from two text files (``-`` reads standard input)."""
    row = save_bank_details(
        db.session, currency, details_en=english.read(), details_ru=russian.read(), actor=None
    )
    click.echo(_("Bank details for %(currency)s saved.", currency=row.currency))


@bank_details_cli.command("list")
def bank_details_list() -> None:
    """Every currency's bank details, in English and Russian."""
    rows = all_bank_details(db.session)
    if not rows:
        click.echo(
            _(
                "No bank details yet: donors cannot pledge a bank transfer. Add them with `flask --app wsgi bank-details set`."
            )
        )
        return
    for row in rows:
        click.echo(f"{row.currency}")
        for text in (row.details_en, row.details_ru):
            click.echo("\n".join(f"    {line}" for line in text.splitlines()))
            click.echo("")


@bank_details_cli.command("remove")
@click.argument("currency")
@writes
def bank_details_remove(currency: str) -> None:
    """Take no more transfer pledges in CURRENCY (pledges made keep their reference)."""
    delete_bank_details(db.session, currency, actor=None)
    click.echo(_("Donors can no longer pledge transfers in %(currency)s.", currency=currency))


DEFAULT_LABELS = {
    "bank": ("Bank account %(currency)s", "Банковский счёт %(currency)s"),
    "cash": ("Cash %(currency)s", "Наличные %(currency)s"),
    "stripe": ("Stripe balance", "Баланс Stripe"),
    "intermediary": ("Intermediary %(currency)s", "Посредник %(currency)s"),
}


def _parse_account_option(value: str) -> tuple[str, str | None]:
    name, _sep, currency = value.partition("=")
    return name.strip(), (currency.strip().upper() or None)


@click.command("setup")
@click.option("--admin-email", required=True, help="The first admin's email (signs in with it).")
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="NAME=CURRENCY",
    help="An asset account to open, e.g. assets:bank:eur-main=EUR (repeat the option).",
)
@writes
def setup(admin_email: str, accounts: tuple[str, ...]) -> None:
    """First run of a real organisation on an empty database: the first admin (password from a
    prompt, or one line on standard input), the standard accounts and the asset accounts given."""
    if (db.session.scalar(select(func.count()).select_from(User)) or 0) > 0:
        _fail(_("This organisation is already set up: it has users. Add more with `users create`."))
    ensure_standard_accounts(db.session)
    admin = create_user(db.session, admin_email, _read_password(), "admin")
    opened = []
    for value in accounts:
        name, currency = _parse_account_option(value)
        if name == "assets:stripe":
            continue  # opened with the standard accounts
        from ledger.books.asset_accounts import kind_of_new_account

        english, russian = DEFAULT_LABELS[kind_of_new_account(name)]
        values = {"currency": currency or ""}
        opened.append(
            open_account(
                db.session,
                name,
                currency=currency,
                label=english % values,
                label_ru=russian % values,
                actor=admin,
            )
        )
    click.echo(_("Created admin %(email)s.", email=admin.email))
    for account in opened:
        click.echo(_("Opened %(name)s (%(currency)s).", name=account.name, currency=account.currency or "*"))
    click.echo("")
    click.echo(_("Next steps:"))
    for number, step in enumerate(
        [
            _("Add people: flask --app wsgi users create EMAIL --role coordinator (or auditor)."),
            _("Give scripts a token: flask --app wsgi tokens create EMAIL."),
            _("Open more accounts: flask --app wsgi accounts create NAME --currency CUR --label TEXT."),
            _("Let donors pledge bank transfers: flask --app wsgi bank-details set EUR --en FILE --ru FILE."),
            _(
                "Add facilities and prisoners: sign in at /login, or POST /api/v1/facilities and /api/v1/prisoners."
            ),
            _(
                "Record gifts and spending: POST /api/v1/donations, /conversions, /disbursements (see /api/v1/openapi.json)."
            ),
            _("Check the books: flask --app wsgi ledger verify; export with ledger export --format hledger."),
        ],
        start=1,
    ):
        click.echo(f"{number}. {step}")
