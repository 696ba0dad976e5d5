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
        from ledger.platform.file_modes import private_dir

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
    # Public figures that gifts move are made of cells of at least this many gifts, whose
    # two largest make less than this share (docs/privacy.md); only tighter than the defaults.
    DISCLOSURE_MIN_GIFTS = int(os.environ.get("DISCLOSURE_MIN_GIFTS", "5"))
    DISCLOSURE_DOMINANCE_PERCENT = int(os.environ.get("DISCLOSURE_DOMINANCE_PERCENT", "85"))
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
    # The address donors use: every link in a mail starts with it.  Required in production.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    # The Ed25519 key that signs checkpoints (PEM or base64 seed); otherwise
    # instance/ledger_signing_key, created on first use (docs/privacy.md).
    LEDGER_SIGNING_KEY = os.environ.get("LEDGER_SIGNING_KEY")
    # Security (ledger/access, ledger/security): roles that must use TOTP two-factor,
    # login throttling, and HSTS (production only: it needs HTTPS).
    # Auditors too: they read every donor record that staff read.
    REQUIRE_2FA_ROLES: tuple[str, ...] = ("admin", "coordinator", "auditor")
    TWO_FACTOR_ISSUER = "Solidarity ledger"
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_CLIENT = 20
    LOGIN_PENDING_SECONDS = 5 * 60
    LOGIN_SESSION_HOURS = 12  # a sign-in lasts at most this long, then sign in again
    HSTS_SECONDS: int | None = None
    TRUSTED_PROXY_HOPS = int(os.environ.get("LEDGER_TRUSTED_PROXY_HOPS", "0"))
    # Mail (docs/mail.md): SMTP for receipts, reminders and the coordinators' digest.
    # Without MAIL_SERVER, development writes each mail to instance/mail-outbox/ (MAIL_FILE_DIR)
    # for the admins' outbox page; production refuses to start unless MAIL_DISABLED=1.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_DISABLED = os.environ.get("MAIL_DISABLED", "").lower() in ("1", "true", "yes")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "ledger@localhost")
    MAIL_TIMEOUT = 20
    # The worker's backup job (flask --app wsgi worker): a backup file in this folder once a day,
    # the last BACKUP_KEEP kept; off when unset (docs/deploy.md).
    BACKUP_DIR = os.environ.get("LEDGER_BACKUP_DIR")
    BACKUP_KEEP = int(os.environ.get("LEDGER_BACKUP_KEEP", "14"))
    # Read-only mode, for a server on a PostgreSQL streaming replica: public pages and the API
    # are served, every write is refused with a 503 that links staff to LEDGER_PRIMARY_URL.
    READ_ONLY = os.environ.get("LEDGER_READ_ONLY", "").lower() in ("1", "true", "yes")
    PRIMARY_URL = os.environ.get("LEDGER_PRIMARY_URL")
    # Signed links in donors' mails (pause, resume, cancel, delete my email) expire after this.
    DONOR_LINK_DAYS = 60
    # Commissary transfers in transit for longer are flagged on the dashboard and in the digest.
    COMMISSARY_WATCH_DAYS = int(os.environ.get("LEDGER_COMMISSARY_WATCH_DAYS", "7"))
    # Public bank-transfer pledges: at most this many per client in the window.
    PUBLIC_PLEDGE_MAX = 5
    PUBLIC_PLEDGE_WINDOW_SECONDS = 3600
    # ... and at most this many public pledges an hour from all clients together, and at most
    # this many confirmation mails an hour to addresses nobody has confirmed yet (docs/mail.md).
    PUBLIC_PLEDGE_MAX_PER_HOUR = int(os.environ.get("LEDGER_PUBLIC_PLEDGE_MAX_PER_HOUR", "30"))
    UNCONFIRMED_MAIL_MAX_PER_HOUR = int(os.environ.get("LEDGER_UNCONFIRMED_MAIL_MAX_PER_HOUR", "10"))
    # A donor's address not confirmed within this many hours is deleted by `pledges update`.
    UNCONFIRMED_EMAIL_HOURS = 24
    # An uploaded bank statement is kept (encrypted) this long for its preview, then deleted.
    IMPORT_PREVIEW_MINUTES = int(os.environ.get("LEDGER_IMPORT_PREVIEW_MINUTES", "60"))

    @staticmethod
    def database_url(instance_path: str) -> str:
        return os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'ledger.sqlite3'}"


class DevelopmentConfig(Config):
    DEBUG = False
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    SESSION_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    SECRET_KEY = "testing-only-not-secret"
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    TWO_FACTOR_KEY = "testing-only-two-factor-key"
    IMPORT_KEY = "testing-only-import-key"
    DONOR_EMAIL_KEY = "testing-only-donor-email-key"
    # Off so that existing tests sign in with a password alone; tests/security turns it on.
    REQUIRE_2FA_ROLES: tuple[str, ...] = ()
    STRIPE_SECRET_KEY = "sk_test_fake"
    STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    # Every gift publishable on its own, so that tests of other features see their figures;
    # the disclosure tests (tests/checkpoints/test_releases.py) set the real rules.
    DISCLOSURE_MIN_GIFTS = 1
    DISCLOSURE_DOMINANCE_PERCENT = 100


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 2 * 365 * 24 * 3600


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


class ConfigurationError(SystemExit):
    """The production settings are incomplete: one line per missing setting.  A SystemExit, so
    ``flask`` and gunicorn print the lines and stop, without a traceback."""


def production_problems(app, overrides: dict | None) -> list[str]:
    """What production needs and lacks, each as one line saying what to set."""
    config, problems = app.config, []
    if not config.get("PUBLIC_BASE_URL"):
        problems.append(
            "PUBLIC_BASE_URL is not set: set it to the address donors use, e.g. "
            "PUBLIC_BASE_URL=https://ledger.example.org (every link in a mail starts with it)."
        )
    key_file = Path(app.instance_path) / "secret_key"
    if not (os.environ.get("SECRET_KEY") or (overrides or {}).get("SECRET_KEY") or key_file.exists()):
        problems.append(
            f"SECRET_KEY is not set and {key_file} does not exist: set SECRET_KEY, or create the file "
            "once (docs/deploy.md) so that sign-ins survive a restart."
        )
    if not (config.get("MAIL_SERVER") or config.get("MAIL_DISABLED")):
        problems.append(
            "MAIL_SERVER is not set: set it (with MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS), "
            "or MAIL_DISABLED=1 to run without sending receipts and reminders."
        )
    return problems


def load_config(app, name: str | None = None, overrides: dict | None = None) -> None:
    """Fill ``app.config`` for the named environment (``LEDGER_ENV`` by default).

    Production refuses to start (``ConfigurationError``) without the settings a real
    organisation cannot do without."""
    name = name or os.environ.get("LEDGER_ENV", "development")
    app.config.from_object(CONFIGS[name])
    app.config["LEDGER_ENV"] = name
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", Config.database_url(app.instance_path))
    if name == "production":
        if overrides:
            app.config.update(overrides)
        problems = production_problems(app, overrides)
        if problems:
            raise ConfigurationError("\n".join(f"Refusing to start: {line}" for line in problems))
    app.config.setdefault("MAIL_FILE_DIR", str(Path(app.instance_path) / "mail-outbox"))
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
        # Encrypts donors' emails at rest (ledger/platform/crypto.py); apart from the other keys.
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
