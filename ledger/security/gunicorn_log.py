"""gunicorn's error log without client addresses.

gunicorn writes "Invalid request from ip=203.0.113.7: …" and similar lines to its error
log for every malformed request; people who give to political prisoners must not be
traceable through our logs (docs/security.md), so every IP address in an error-log line
becomes ``[ip]`` and every email ``[email]``. Only the server's own "Listening at" line
keeps its address. Selected in gunicorn.conf.py as ``logger_class``.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

from ledger.security.logs import scrub_emails

_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
_IPV6 = r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?:%\w+)?(?![\w:])"
_ADDRESS = re.compile(f"{_IPV4}|{_IPV6}")


def scrub_addresses(text: str) -> str:
    return _ADDRESS.sub("[ip]", text)


class ErrorLogScrubber(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.startswith("Listening at:"):
            message = scrub_addresses(message)
        if record.exc_info:  # a traceback may quote a request or an address: scrubbed as well
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
            message = scrub_addresses(message)
        record.msg, record.args = scrub_emails(message), ()
        return True


class PrivateLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type information
    """gunicorn's own logger, with the error log scrubbed of addresses and emails."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        if not any(isinstance(f, ErrorLogScrubber) for f in self.error_log.filters):
            self.error_log.addFilter(ErrorLogScrubber())
