"""gunicorn's settings, read when ``gunicorn wsgi:app`` starts in this folder.

- Production settings unless told otherwise: ``LEDGER_ENV`` defaults to ``production``
  here (Secure cookies, HSTS), so the documented command never serves the development
  settings by accident. ``LEDGER_ENV=development gunicorn wsgi:app`` for plain HTTP locally.
- No client addresses in gunicorn's error log (``ledger/security/gunicorn_log.py``); the
  access log, when switched on, is scrubbed by ``ledger/security/logs.py``.
- Each worker, once it has built the app and loaded its pages and API (which ``create_app``
  leaves to first use, for fast commands: issue #30), freezes it out of the garbage collector's sight
  and collects less often (``ledger/platform/gc_tuning.py``): full collections were the slowest
  requests of the staff pages.
"""

import os

os.environ.setdefault("LEDGER_ENV", "production")

logger_class = "ledger.security.gunicorn_log.PrivateLogger"


def post_worker_init(worker):
    from ledger.platform.gc_tuning import tune_for_serving

    worker.wsgi.load_routes()  # the pages and API, which commands leave out: before the first request
    tune_for_serving()
