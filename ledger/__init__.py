"""Solidarity ledger: the Flask application factory."""

from __future__ import annotations

import os

from flask import Flask, has_request_context, request, session

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


def create_app(
    config_name: str | None = None,
    overrides: dict | None = None,
    instance_path: str | None = None,
) -> Flask:
    """Build the app for ``config_name`` (development, testing, production)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
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

    from ledger.api import bp as api_bp
    from ledger.cli import register_cli
    from ledger.security.headers import init_security_headers
    from ledger.security.logs import init_log_hygiene
    from ledger.security.proxy import init_proxy
    from ledger.web import register_web
    from ledger.web.access_control import init_login
    from ledger.web.boundary import init_boundary

    init_security_headers(app)
    init_log_hygiene()
    init_proxy(app)
    init_boundary(app)
    from ledger.web.read_only import init_read_only

    init_read_only(app)
    init_login(app)
    app.register_blueprint(api_bp)
    register_web(app)
    register_cli(app)
    return app
