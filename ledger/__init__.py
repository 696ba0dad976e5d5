"""Solidarity ledger: the Flask application factory."""

from __future__ import annotations

import os
import threading
from typing import Any

from flask import Flask, has_request_context, request, session
from flask.templating import Environment

from config import load_config
from ledger.extensions import babel, csrf, db, login_manager, migrate


def select_locale() -> str:
    """The user's setting, then the switch kept in the session, then Accept-Language."""
    from flask_login import current_user

    languages = ("en", "ru")
    if not has_request_context():  # CLI: follow the terminal's language
        language = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
        return language[:2] if language[:2] in languages else "en"
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "en"


class _TemplatesAfterRoutes(Environment):
    """Jinja, loading the app's routes before it compiles a template: the pages register the
    filters and globals templates use (mails too), and the environment itself is made earlier,
    by the extensions in ``create_app``."""

    app: LedgerFlask

    def _load_template(self, name, globals):
        self.app.load_routes()
        return super()._load_template(name, globals)

    def from_string(self, source, globals=None, template_class=None):
        self.app.load_routes()
        return super().from_string(source, globals, template_class)


class LedgerFlask(Flask):
    """Flask that registers its pages and API (blueprints, template filters, error pages) on
    first need rather than in ``create_app``: a CLI command that routes no request, builds no
    URL and renders no template never imports them, which halves its start-up (issue #30,
    bench/startup.py).  A request, ``url_for``, a template or ``url_map`` loads them,
    once, under a lock (the first of concurrent requests waits for the others)."""

    jinja_environment = _TemplatesAfterRoutes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._routes_lock = threading.RLock()
        self._routes_state = "none"  # "pending" once create_app defers them, then "loading", "loaded"
        super().__init__(*args, **kwargs)

    def defer_routes(self) -> None:
        self._routes_state = "pending"

    def load_routes(self) -> None:
        if self._routes_state in ("none", "loaded"):
            return
        with self._routes_lock:  # another thread waits here while one loads; the loader re-enters
            if self._routes_state == "pending":
                self._routes_state = "loading"  # the registration below reads url_map itself
                _register_routes(self)
                self._routes_state = "loaded"

    @property
    def url_map(self):
        self.load_routes()
        return self._url_map

    @url_map.setter
    def url_map(self, value) -> None:
        self._url_map = value

    def request_context(self, environ):
        self.load_routes()
        return super().request_context(environ)

    def url_for(self, *args: Any, **kwargs: Any) -> str:
        self.load_routes()
        return super().url_for(*args, **kwargs)

    def create_url_adapter(self, request):
        if request is None and self.config["SERVER_NAME"] is not None:
            # An app context (every CLI command) binds the map without loading the routes:
            # url_for loads them before building, and the adapter sees rules added later.
            return self._url_map.bind(
                self.config["SERVER_NAME"],
                script_name=self.config["APPLICATION_ROOT"],
                url_scheme=self.config["PREFERRED_URL_SCHEME"],
            )
        return super().create_url_adapter(request)


def create_app(
    config_name: str | None = None,
    overrides: dict | None = None,
    instance_path: str | None = None,
) -> LedgerFlask:
    """Build the app for ``config_name`` (development, testing, production)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = LedgerFlask(
        __name__,
        instance_path=instance_path
        or os.environ.get("LEDGER_INSTANCE_PATH")
        or os.path.join(root, "instance"),
        instance_relative_config=True,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    from ledger.security.uploads import InMemoryUploadsRequest

    app.request_class = InMemoryUploadsRequest  # no upload in a temporary file
    from ledger.edge.routing import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter
    from ledger.platform.file_modes import ensure_private_database, private_dir

    private_dir(app.instance_path)  # secrets, receipts and the SQLite file live here: owner-only
    load_config(app, config_name, overrides)
    from ledger.platform.crypto import register_donor_email_key

    register_donor_email_key(app.config["DONOR_EMAIL_KEY"])
    ensure_private_database(app.config["SQLALCHEMY_DATABASE_URI"])

    import ledger.models  # noqa: F401  (every table on the metadata, for Alembic)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(root, "migrations"), render_as_batch=True, compare_type=True
    )
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)

    from ledger.cli import register_cli
    from ledger.security.headers import init_security_headers
    from ledger.security.logs import init_log_hygiene
    from ledger.security.proxy import init_proxy

    init_security_headers(app)
    init_log_hygiene()
    init_proxy(app)  # wraps wsgi_app: before the first request, not in it
    if app.config.get("READ_ONLY"):  # a command on a replica is read-only too
        from ledger.web.read_only import init_read_only

        init_read_only(app)
    register_cli(app)
    app.defer_routes()
    return app


def _register_routes(app: Flask) -> None:
    """The request boundary, sign-in, the API and the pages: registered after every hook of
    ``create_app``, in the order they always had (the read-only guard puts itself first)."""
    from ledger.api import register_api
    from ledger.web import register_web
    from ledger.web.access_control import init_login
    from ledger.web.boundary import init_boundary

    init_boundary(app)
    init_login(app)
    register_api(app)
    register_web(app)
