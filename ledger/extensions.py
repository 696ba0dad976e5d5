"""Flask extensions, created once and initialised in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from ledger.platform.database import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class LedgerSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy, with ``db.session`` typed as what views and commands use it as.

    At run time ``db.session`` is a ``scoped_session``: a proxy that hands every call to the
    current request's (or command's) ``Session``.  The domain's functions take a ``Session``;
    typing the proxy as one lets views pass ``db.session`` to them without a cast at each of
    the ~70 call sites.
    """

    if TYPE_CHECKING:
        session: Session  # type: ignore[assignment]


class LazyMigrate:
    """Flask-Migrate, imported when a migration command or ``flask_migrate.upgrade()`` first needs
    it: it imports Alembic (with Mako and Pygments), a quarter of every command's start-up
    (issue #30, bench/startup.py).  ``flask --app wsgi db …`` is a group that loads the real one."""

    def __init__(self) -> None:
        self.options: dict = {}

    def init_app(self, app, db, **options) -> None:
        import click

        self.options = options
        app.extensions["migrate"] = _PendingMigrateConfig(app, db, options)

        class LazyDbGroup(click.Group):
            def _real(self) -> click.Group:
                pending = app.extensions["migrate"]
                if isinstance(pending, _PendingMigrateConfig):
                    pending.load()
                from flask_migrate.cli import db as real

                return real

            def list_commands(self, ctx):
                return self._real().list_commands(ctx)

            def get_command(self, ctx, name):
                return self._real().get_command(ctx, name)

            def parse_args(self, ctx, args):
                return self._real().parse_args(ctx, args)

            def invoke(self, ctx):
                return self._real().invoke(ctx)

            def get_help(self, ctx):
                return self._real().get_help(ctx)

        app.cli.add_command(LazyDbGroup("db", help="Perform database migrations."))


class _PendingMigrateConfig:
    """Stands in ``app.extensions["migrate"]`` until first used, then becomes Flask-Migrate's."""

    def __init__(self, app, db, options: dict) -> None:
        self._app, self._db, self._options = app, db, options

    def load(self):
        if self._app.extensions.get("migrate") is self:
            from flask_migrate import Migrate

            Migrate().init_app(self._app, self._db, **self._options)  # replaces this stand-in
        return self._app.extensions["migrate"]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)


db = LedgerSQLAlchemy(model_class=Base)
migrate = LazyMigrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
