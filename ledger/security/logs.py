"""Log hygiene: request logs keep no client addresses and no email addresses.

Werkzeug's development server and gunicorn's access log (when switched on) both
start each line with the client's address.  People who give to political
prisoners must not be traceable through our logs, so the address becomes "-"
and anything shaped like an email in the logged request becomes "[email]".
"""

from __future__ import annotations

import logging
import re

_LEADING_ADDRESS = re.compile(r"^\S+ - - \[")
_EMAIL = re.compile(r"[^\s@/?&=\"'<>]+(@|%40)[^\s@/?&=\"'<>]+\.[^\s@/?&=\"'<>]+", re.IGNORECASE)
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


def scrub_emails(text: str) -> str:
    return _EMAIL.sub("[email]", text)


def _scrub(value: object) -> object:
    return scrub_emails(value) if isinstance(value, str) else value


class RequestLogScrubber(logging.Filter):
    """Removes client addresses and email addresses from request log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):  # gunicorn's access log: a format of atoms
            args = {key: _scrub(value) for key, value in record.args.items()}
            for atom in ("h", "{x-forwarded-for}i", "{x-real-ip}i"):
                if atom in args:
                    args[atom] = "-"
            record.args = args
            return True
        # Werkzeug puts the address into the format string itself: scrub the finished line.
        message = _LEADING_ADDRESS.sub("- - - [", record.getMessage(), count=1)
        record.msg, record.args = _scrub(message), ()
        return True


def init_log_hygiene() -> None:
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RequestLogScrubber) for existing in logger.filters):
            logger.addFilter(RequestLogScrubber())
