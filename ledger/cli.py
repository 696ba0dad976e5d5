"""Command-line interface (``flask --app wsgi …``): thin wrappers over the domain."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from functools import wraps
from typing import NoReturn, ParamSpec, TypeVar

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from ledger.access.models import User
from ledger.access.roles import ROLES
from ledger.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")
ledger_cli = AppGroup("ledger", help="Check and export the journal.")


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def writes(command: Callable[P, R]) -> Callable[P, R]:
    """The commands' transaction boundary: what the command wrote commits when it returns and
    rolls back when it fails; a domain refusal is printed in the user's language, exit code 1."""

    @wraps(command)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        from ledger.edge.messages import message_for
        from ledger.edge.refusals import DOMAIN_ERRORS, error_parts
        from ledger.platform.transaction import unit_of_work

        try:
            with unit_of_work(db.session):
                return command(*args, **kwargs)
        except DOMAIN_ERRORS as error:
            code, _field, params = error_parts(error)
            _fail(message_for(code, params))

    return wrapped


@users_cli.command("create")
@click.argument("email")
# The values: click.Choice would match an Enum by its member name (ADMIN), not its value.
@click.option("--role", type=click.Choice([role.value for role in ROLES]), required=True)
@writes
def users_create(email: str, role: str) -> None:
    """Create a user.  Asks for the password twice, or reads one line from standard input."""
    from ledger.access.users import create_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    user = create_user(db.session, email, password, role)
    click.echo(f"Created {role} {user.email} (id {user.id}).")


def _user(email: str):
    from ledger.access.users import find_user

    user = find_user(db.session, email)
    if user is None:
        _fail(f"no user {email}")
    return user


@users_cli.command("list")
def users_list() -> None:
    """Every user: email, role, and whether they may sign in."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        click.echo(f"{user.email:<40} {user.role:<12} {'active' if user.active else 'deactivated'}")


@users_cli.command("deactivate")
@click.argument("email")
@writes
def users_deactivate(email: str) -> None:
    """Stop EMAIL's sign-in, open sessions and API tokens at once (a lost phone, someone who left
    or was detained); their entries stay in the journal.  The last active admin stays."""
    from ledger.access.users import set_active

    user = _user(email)
    set_active(db.session, user, False, actor=None)
    click.echo(f"Deactivated {user.email}: their sign-in, sessions and API tokens no longer work.")


@users_cli.command("activate")
@click.argument("email")
@writes
def users_activate(email: str) -> None:
    """Let EMAIL sign in again (their old sessions stay ended)."""
    from ledger.access.users import set_active

    user = _user(email)
    set_active(db.session, user, True, actor=None)
    click.echo(f"Activated {user.email}.")


@users_cli.command("set-role")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in ROLES]), required=True)
@writes
def users_set_role(email: str, role: str) -> None:
    """Give EMAIL another role; the last active admin keeps theirs."""
    from ledger.access.users import change_role

    user = _user(email)
    change_role(db.session, user, role, actor=None)
    click.echo(f"{user.email} is now {user.role}.")


@users_cli.command("reset-2fa")
@click.argument("email")
@writes
def users_reset_two_factor(email: str) -> None:
    """Remove EMAIL's two-factor secret and recovery codes (a lost phone); they enrol again."""
    from ledger.access.two_factor import reset_two_factor

    user = _user(email)
    reset_two_factor(db.session, user)
    click.echo(f"Two-factor reset for {user.email}; they enrol again at their next sign-in.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
@writes
def tokens_create(email: str, name: str) -> None:
    """Create an API token for EMAIL and print it once."""
    from ledger.access.users import create_token, normalise_email

    email = normalise_email(email)
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        _fail(f"no user {email}")
    token = create_token(db.session, user, name)
    click.echo(token)


@ledger_cli.command("verify")
def ledger_verify() -> None:
    """Check every invariant, the hash chain, every signed checkpoint, the facts beside the
    journal (donations, receipts, guarded flags, public flags, the audit log's chain, the latest
    checkpoint), the append-only triggers and every stored receipt file; exit 1 on a problem, naming the checkpoint that seals what was
    changed. Warn about files at rest that others than the owner can read."""
    from pathlib import Path

    from flask import current_app

    from ledger.books.verify import verify_guards
    from ledger.checkpoints.beside import verify_beside_journal
    from ledger.checkpoints.verify import verify_everything
    from ledger.platform.file_modes import loose_modes
    from ledger.spending.receipts import verify_receipts

    result = verify_everything(db.session)
    receipts_root = Path(current_app.instance_path) / "receipts"
    problems = [
        *result.problems,
        *verify_beside_journal(db.session),
        *verify_guards(db.session),
        *verify_receipts(db.session, receipts_root),
    ]
    for path, mode in loose_modes(current_app.instance_path, current_app.config["SQLALCHEMY_DATABASE_URI"]):
        wanted = "700" if path.is_dir() else "600"
        click.echo(f"Warning: {path} can be read by others (mode {mode:o}); chmod {wanted} {path}", err=True)
    if problems:
        click.echo("Ledger verification FAILED:", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(f"OK: {result.entries} entries, {result.postings} postings, head {result.head_hash}")


EXPORT_FORMATS = ("hledger", "beancount", "json")


@ledger_cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="hledger",
    help="hledger journal, Beancount, or JSON lines with the hash chain.",
)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def ledger_export(fmt: str, output) -> None:
    """Write the whole journal in FORMAT to OUTPUT (standard output by default)."""
    if fmt == "beancount":
        from ledger.reports.beancount_export import export_beancount as export
    elif fmt == "json":
        from ledger.reports.chain_export import export_chain_jsonl as export
    else:
        from ledger.reports.hledger_export import export_hledger as export

    for line in export(db.session):
        output.write(line)


@ledger_cli.command("verify-export")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--entry", type=int, help="Say which checkpoint seals this entry.")
def ledger_verify_export(path: str, entry: int | None) -> None:
    """Recompute the hash chain of a JSON-lines export, check it against every signed
    checkpoint it covers, and compare it with this ledger's chain up to its last entry."""
    import importlib.util
    import json
    import tempfile
    from pathlib import Path

    from ledger.books.hashchain import GENESIS_HASH
    from ledger.books.models import JournalEntry, LedgerHead
    from ledger.checkpoints.models import Checkpoint
    from ledger.checkpoints.seal import checkpoint_json

    # The same code an auditor runs on their own machine: scripts/verify_export.py.
    script = Path(__file__).resolve().parents[1] / "scripts" / "verify_export.py"
    spec = importlib.util.spec_from_file_location("verify_export", script)
    if spec is None or spec.loader is None:
        _fail(f"cannot load {script}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    checkpoints = [
        checkpoint_json(c) for c in db.session.scalars(select(Checkpoint).order_by(Checkpoint.sequence))
    ]
    if module._is_open_books(path):  # the public open books: releases, not the chain
        with tempfile.TemporaryDirectory() as folder:
            listed = Path(folder) / "checkpoints.json"
            listed.write_text(json.dumps({"checkpoints": checkpoints}), encoding="utf-8")
            sys.exit(module.main([path, "--checkpoints", str(listed)]))
    with open(path, encoding="utf-8") as handle:
        count = sum(1 for line in handle if line.strip())
    head = db.session.get(LedgerHead, 1)
    known = head.entry_count if head else 0
    if count and count <= known:  # a download from earlier: compare with our chain at that point
        expected = db.session.scalar(select(JournalEntry.hash).where(JournalEntry.id == count))
        expected_count = count
    else:
        expected, expected_count = (head.head_hash if head else GENESIS_HASH), known
    with tempfile.TemporaryDirectory() as folder:
        listed = Path(folder) / "checkpoints.json"
        listed.write_text(json.dumps({"checkpoints": checkpoints}), encoding="utf-8")
        arguments = [path, "--entries", str(expected_count), "--head", expected, "--checkpoints", str(listed)]
        if entry is not None:
            arguments += ["--entry", str(entry)]
        status = module.main(arguments)
    sys.exit(status)


def _signing_key():
    from flask import current_app

    from ledger.checkpoints.signing import load_signing_key

    return load_signing_key(current_app.instance_path, current_app.config.get("LEDGER_SIGNING_KEY"))


def _disclosure_rules():
    from flask import current_app

    from ledger.checkpoints.disclosure import rules_from_config

    return rules_from_config(current_app.config)


@ledger_cli.command("checkpoint")
@click.option(
    "--if-due", is_flag=True, help="Only when the schedule says one is due (for cron and make run)."
)
@writes
def ledger_checkpoint(if_due: bool) -> None:
    """Sign the ledger's entry count, head hash and balances: public figures move to it.

    Cron, with the admins' schedule deciding (daily unless changed):
    0 * * * * cd /srv/ledger && .venv/bin/flask --app wsgi ledger checkpoint --if-due
    """
    from ledger.checkpoints.schedule import checkpoint_due, current_schedule
    from ledger.checkpoints.seal import create_checkpoint

    if if_due and not checkpoint_due(db.session):
        click.echo(f"The latest checkpoint is current (schedule: {current_schedule(db.session)}); none made.")
        return
    checkpoint = create_checkpoint(db.session, _signing_key(), rules=_disclosure_rules())
    click.echo(
        f"Checkpoint #{checkpoint.sequence}: {checkpoint.entry_count} entries, head {checkpoint.head_hash}, "
        f"key {checkpoint.key_id}"
    )


@ledger_cli.command("rotate-key")
@writes
def ledger_rotate_key() -> None:
    """Replace the signing key; the old one signs a first checkpoint with the new one, and
    is kept as instance/ledger_signing_key.retired-<key id> until you delete it."""
    from flask import current_app

    from ledger.checkpoints.seal import create_checkpoint
    from ledger.checkpoints.signing import rotate_signing_key

    old, new = rotate_signing_key(current_app.instance_path, current_app.config.get("LEDGER_SIGNING_KEY"))
    checkpoint = create_checkpoint(db.session, new, previous_key=old, rules=_disclosure_rules())
    click.echo(
        f"New signing key {checkpoint.key_id}; checkpoint #{checkpoint.sequence} is signed by both keys."
    )


@ledger_cli.command("checkpoint-schedule")
@click.argument("every", required=False, type=click.Choice(("daily", "weekly", "monthly")))
@writes
def ledger_checkpoint_schedule(every: str | None) -> None:
    """Show or set how often checkpoints are made (daily, weekly or monthly)."""
    from ledger.checkpoints.schedule import current_schedule, set_schedule

    if every is None:
        click.echo(current_schedule(db.session))
        return
    set_schedule(db.session, every)
    click.echo(f"Checkpoints are now made {every}.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@writes
def demo(if_empty: bool) -> None:
    """Load fictional demo data (a year of a small organisation's books)."""
    from ledger.operations.demo import database_is_empty, load_demo

    if not database_is_empty(db.session):
        if if_empty:
            click.echo("The database already has data; demo data not loaded.")
            return
        _fail("the database is not empty; demo data goes into an empty database only")
    summary = load_demo(db.session)
    click.echo(f"Loaded demo data: {summary['prisoners']} prisoners, {summary['entries']} entries.")


@ledger_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def ledger_backup(path: str) -> None:
    """Write a consistent snapshot of the database and stored receipts to PATH."""
    from pathlib import Path

    from flask import current_app

    from ledger.operations.backup import write_backup

    counts = write_backup(db.engine, path, Path(current_app.instance_path) / "receipts")
    click.echo(f"Backup written to {path}: " + ", ".join(f"{t} {n}" for t, n in sorted(counts.items())))


@ledger_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def ledger_restore(path: str) -> None:
    """Restore PATH into this empty, migrated database; verify before committing."""
    from pathlib import Path

    from flask import current_app

    from ledger.books.verify import verify_ledger
    from ledger.edge.messages import message_for
    from ledger.operations.backup import BackupError, restore_backup
    from ledger.platform.transaction import unit_of_work

    try:
        with unit_of_work(db.session):
            counts = restore_backup(db.session, path, Path(current_app.instance_path) / "receipts")
    except BackupError as error:
        _fail(message_for(error.code, error.params))
    result = verify_ledger(db.session)
    click.echo(f"Restored {counts.get('journal_entries', 0)} entries; head {result.head_hash}")


class LazyCommand(click.Group):
    """A command (or group) whose module is imported only when it runs or shows its own help:
    ``flask --app wsgi --help`` lists it by the short help kept here, and a command imports
    only its own module (issue #30).  tests/cli/test_lazy_commands.py checks that the kept help
    is the real command's."""

    def __init__(self, name: str, target: str, short_help: str) -> None:
        super().__init__(name, help=short_help)
        self.target = target

    def real(self) -> click.Command:
        module, _colon, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def list_commands(self, ctx):
        real = self.real()
        return real.list_commands(ctx) if isinstance(real, click.Group) else []

    def get_command(self, ctx, name):
        real = self.real()
        return real.get_command(ctx, name) if isinstance(real, click.Group) else None

    def make_context(self, info_name, args, parent=None, **extra):
        return self.real().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        return self.real().invoke(ctx)

    def get_help(self, ctx):
        return self.real().get_help(ctx)


# name, module:attribute, and the short help ``--help`` lists (the real command's first line).
LAZY_COMMANDS = (
    (
        "setup",
        "ledger.cli_accounts:setup",
        "First run of a real organisation on an empty database: the first admin (password from a "
        "prompt, or one line on standard input), the standard accounts and the asset accounts given.",
    ),
    (
        "accounts",
        "ledger.cli_accounts:accounts_cli",
        "Manage asset accounts: bank, cash, Stripe, intermediaries.",
    ),
    (
        "bank-details",
        "ledger.cli_accounts:bank_details_cli",
        "The bank details donors pay to, per currency: a currency without them takes no transfer pledges.",
    ),
    ("donors", "ledger.mail.cli:donors_cli", "Donors' personal data: delete an email on request."),
    ("imports", "ledger.mail.cli:imports_cli", "Bank statement imports."),
    ("mail", "ledger.mail.cli:mail_cli", "Send the outbox."),
    ("pledges", "ledger.mail.cli:pledges_cli", "Pledge schedules and statuses."),
    (
        "worker",
        "ledger.jobs.cli:worker_cli",
        "Run every scheduled job when it is due (mail, pledges, checkpoints, backups), each once at "
        "a time across all workers; SIGTERM stops it between jobs.",
    ),
    (
        "commissary",
        "ledger.cli_commissary:commissary_cli",
        "Commissary support: the monthly top-up run, transfers.",
    ),
)


def register_cli(app: Flask) -> None:
    for command in (demo, users_cli, tokens_cli, ledger_cli):
        app.cli.add_command(command)
    for name, target, short_help in LAZY_COMMANDS:
        app.cli.add_command(LazyCommand(name, target, short_help))
