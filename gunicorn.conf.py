"""gunicorn's settings, read when ``gunicorn wsgi:app`` starts in this folder.

- Production settings unless told otherwise: ``LEDGER_ENV`` defaults to ``production``
  here (Secure cookies, HSTS), so the documented command never serves the development
  settings by accident. ``LEDGER_ENV=development gunicorn wsgi:app`` for plain HTTP locally.
- No client addresses in gunicorn's error log (``ledger/security/gunicorn_log.py``); the
  access log, when switched on, is scrubbed by ``ledger/security/logs.py``.
"""

import os

os.environ.setdefault("LEDGER_ENV", "production")

logger_class = "ledger.security.gunicorn_log.PrivateLogger"
