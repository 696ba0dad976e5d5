"""Commands start fast because they import only what they need (issue #30; the figures are
bench/startup.py's).  These tests guard the structure, not the timing: a fresh
``flask --app wsgi …`` must not import the pages, the API, its contract or the heavy libraries
behind them, and the help ``--help`` lists for a command loaded on first use is the command's own."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from flask import url_for

from ledger import create_app
from ledger.cli import LAZY_COMMANDS, LazyCommand

ROOT = Path(__file__).resolve().parents[2]

# Loaded by the first request, url_for or template, never by a command that needs none of them.
HEAVY = (
    "stripe",
    "segno",
    "pypdf",
    "PIL",
    "alembic",
    "flask_migrate",
    "ledger.api.accounts",
    "ledger.api.contract",
    "ledger.api.openapi",
    "ledger.web.reports",
    "ledger.web.donate",
    "ledger.web.access_control",
    "ledger.web.boundary",
)


def _imported_by(tmp_path: Path, *arguments: str) -> tuple[set[str], str]:
    env = {key: value for key, value in os.environ.items() if key not in ("MAIL_SERVER", "FLASK_APP")}
    env.update(
        LEDGER_ENV="development",
        LEDGER_INSTANCE_PATH=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/fast.sqlite3",
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flask", "--app", "wsgi", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = {
        line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")
    }
    return modules - {"package"}, done.stdout


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fast-start")
    _imported_by(folder, "db", "upgrade")
    return folder


def test_help_lists_every_command_and_imports_no_page_api_or_heavy_library(migrated):
    modules, out = _imported_by(migrated, "--help")
    assert "flask" in modules
    assert "ledger.models" in modules
    assert not [name for name in HEAVY if name in modules]
    listed = {line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}
    assert {name for name, _target, _help in LAZY_COMMANDS} <= listed
    assert {"db", "demo", "users", "tokens", "ledger", "routes"} <= listed
    # a lazy command's module is imported when it runs, not when the help lists it
    assert "ledger.mail.cli" not in modules
    assert "ledger.cli_accounts" not in modules


@pytest.mark.parametrize("command", [("mail", "send"), ("worker", "--once")])
def test_mail_send_and_the_worker_import_only_their_own_command(migrated, command):
    modules, out = _imported_by(migrated, *command)
    assert out.strip()  # it ran: "Sent 0, …" / "Ran … job(s)"
    assert not [name for name in HEAVY if name in modules]
    assert "ledger.cli_accounts" not in modules
    assert "ledger.cli_commissary" not in modules


@pytest.mark.parametrize(("name", "target", "short_help"), LAZY_COMMANDS)
def test_the_help_kept_for_a_lazy_command_is_the_commands_own(app, name, target, short_help):
    module, _colon, attribute = target.partition(":")
    real = getattr(importlib.import_module(module), attribute)
    lazy = app.cli.commands[name]
    assert isinstance(lazy, LazyCommand)
    assert real.name == name
    for limit in (45, 500):  # the listing's width and the whole first sentence
        assert lazy.get_short_help_str(limit) == real.get_short_help_str(limit)
    assert isinstance(real, click.Group) == bool(lazy.list_commands(click.Context(lazy)))


def test_a_lazy_group_runs_its_subcommands_and_shows_their_help(runner):
    result = runner.invoke(args=["mail", "--help"])
    assert result.exit_code == 0
    assert "send" in result.output
    result = runner.invoke(args=["setup", "--help"])
    assert result.exit_code == 0
    assert "--admin-email" in result.output
    result = runner.invoke(args=["mail", "no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def _fresh(tmp_path: Path, **overrides):
    overrides.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/fresh.sqlite3")
    return create_app("testing", overrides, instance_path=str(tmp_path))


def test_the_routes_load_on_the_first_request_and_then_are_all_there(tmp_path):
    app = _fresh(tmp_path)
    assert app._routes_state == "pending"
    with app.test_request_context("/"):
        assert app._routes_state == "loaded"
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"web.home", "auth.login", "api.openapi_document"} <= endpoints


def test_a_mail_link_built_in_an_app_context_loads_them(tmp_path):
    """``mail send`` builds its links with url_for in an app context, no request: that loads the
    routes, and the adapter the context bound before them builds with them."""
    app = _fresh(tmp_path, SERVER_NAME="ledger.example")
    with app.app_context():
        assert app._routes_state == "pending"
        assert url_for("web.home", _external=True) == "http://ledger.example/"


def test_a_template_loads_them_for_their_filters_which_mails_use_too(tmp_path):
    """``mail send`` renders with the pages' filters; the extensions made the Jinja environment
    in create_app, before the routes were deferred, so compiling a template loads them."""
    app = _fresh(tmp_path)
    with app.app_context():
        assert app._routes_state == "pending"
        app.jinja_env.get_template("mail/digest.txt")  # its rows use pledge_status
        assert app._routes_state == "loaded"
        assert "money" in app.jinja_env.filters
        assert app.jinja_env.from_string("{{ 'x' | display_name }}")


def test_a_request_arriving_while_another_loads_the_routes_waits_for_all_of_them(tmp_path, monkeypatch):
    """Two first requests at once (gunicorn's threads): the second must not route against a
    half-registered map."""
    import threading

    import ledger

    app = _fresh(tmp_path)
    registering, seen = threading.Event(), []
    real_register = ledger._register_routes

    def slow_register(app_):
        registering.set()
        real_register(app_)
        time.sleep(0.2)  # the other thread is at the lock by now

    monkeypatch.setattr(ledger, "_register_routes", slow_register)
    first = threading.Thread(target=app.load_routes)
    first.start()
    registering.wait(5)
    app.load_routes()  # the second caller
    seen.append(app._routes_state)
    first.join()
    assert seen == ["loaded"]
