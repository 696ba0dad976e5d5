"""Settings, read from the environment and the instance folder.

Secrets never live in git: SECRET_KEY comes from the environment or from
``instance/secret_key`` (created on first run with a random value).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: str, name: str) -> str:
    """Return a secret stored in the instance folder, creating it once."""
    path = Path(instance_path) / name
    if not path.exists():
        from ledger.file_modes import private_dir

        private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Config:
    """Defaults shared by every environment."""

    # Test each pooled connection before use, so the app recovers after a database restart.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    RECEIPT_MAX_BYTES = 10 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "ru")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_WEBHOOK_TOLERANCE = 300
    # Currencies offered on the donate form (ISO codes, comma-separated in the environment).
    DONATION_CURRENCIES = tuple(
        code.strip().upper()
        for code in os.environ.get("DONATION_CURRENCIES", "EUR,USD,RUB").split(",")
        if code.strip()
    )
    # Where payouts land, per settlement currency ("EUR=assets:bank:eur-main,USD=…");
    # a currency not listed lands in assets:bank:<currency>-stripe-payouts.
    STRIPE_PAYOUT_ACCOUNTS: dict = {
        code.strip().upper(): account.strip()
        for code, _, account in (
            item.partition("=")
            for item in os.environ.get("STRIPE_PAYOUT_ACCOUNTS", "").split(",")
            if "=" in item
        )
    }
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # The Ed25519 key that signs checkpoints (PEM or base64 seed); otherwise
    # instance/ledger_signing_key, created on first use (docs/privacy.md).
    LEDGER_SIGNING_KEY = os.environ.get("LEDGER_SIGNING_KEY")
    # Security (ledger/access, ledger/security): roles that must use TOTP two-factor,
    # login throttling, and HSTS (production only: it needs HTTPS).
    REQUIRE_2FA_ROLES: tuple[str, ...] = ("admin", "coordinator")
    TWO_FACTOR_ISSUER = "Solidarity ledger"
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_CLIENT = 20
    LOGIN_PENDING_SECONDS = 5 * 60
    LOGIN_SESSION_HOURS = 12  # a sign-in lasts at most this long, then sign in again
    HSTS_SECONDS: int | None = None
    TRUSTED_PROXY_HOPS = int(os.environ.get("LEDGER_TRUSTED_PROXY_HOPS", "0"))
    # Mail (docs/mail.md): SMTP for receipts, reminders and the coordinators' digest.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "ledger@localhost")
    MAIL_TIMEOUT = 20
    # Signed links in donors' mails (pause, resume, cancel, delete my email) expire after this.
    DONOR_LINK_DAYS = 60
    # Commissary transfers in transit for longer are flagged on the dashboard and in the digest.
    COMMISSARY_WATCH_DAYS = int(os.environ.get("LEDGER_COMMISSARY_WATCH_DAYS", "7"))
    # Public bank-transfer pledges: at most this many per client in the window.
    PUBLIC_PLEDGE_MAX = 5
    PUBLIC_PLEDGE_WINDOW_SECONDS = 3600

    @staticmethod
    def database_url(instance_path: str) -> str:
        return os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'ledger.sqlite3'}"


class DevelopmentConfig(Config):
    DEBUG = False
    SESSION_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    SECRET_KEY = "testing-only-not-secret"
    TWO_FACTOR_KEY = "testing-only-two-factor-key"
    IMPORT_KEY = "testing-only-import-key"
    DONOR_EMAIL_KEY = "testing-only-donor-email-key"
    # Off so that existing tests sign in with a password alone; tests/security turns it on.
    REQUIRE_2FA_ROLES: tuple[str, ...] = ()
    STRIPE_SECRET_KEY = "sk_test_fake"
    STRIPE_WEBHOOK_SECRET = "whsec_test_secret"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 2 * 365 * 24 * 3600


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(app, name: str | None = None, overrides: dict | None = None) -> None:
    """Fill ``app.config`` for the named environment (``LEDGER_ENV`` by default)."""
    name = name or os.environ.get("LEDGER_ENV", "development")
    app.config.from_object(CONFIGS[name])
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", Config.database_url(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(
            app.instance_path, "secret_key"
        )
    if not app.config.get("TWO_FACTOR_KEY"):
        # Encrypts TOTP secrets at rest; kept apart from SECRET_KEY so a leaked session
        # key does not also open the second factor.
        app.config["TWO_FACTOR_KEY"] = os.environ.get("LEDGER_TWO_FACTOR_KEY") or _instance_secret(
            app.instance_path, "two_factor_key"
        )
    if not app.config.get("DONOR_EMAIL_KEY"):
        # Encrypts donors' emails at rest (ledger/crypto.py); apart from the other keys.
        app.config["DONOR_EMAIL_KEY"] = os.environ.get("LEDGER_DONOR_EMAIL_KEY") or _instance_secret(
            app.instance_path, "donor_email_key"
        )
    if not app.config.get("IMPORT_KEY"):
        # Keys the bank-import rows' idempotency keys (an HMAC), so the journal's copy of
        # them cannot be used to confirm a guessed payer name.  Back it up with the others:
        # without it, a statement imported again is no longer recognised as a duplicate.
        app.config["IMPORT_KEY"] = os.environ.get("LEDGER_IMPORT_KEY") or _instance_secret(
            app.instance_path, "import_key"
        )
    if overrides:
        app.config.update(overrides)
