"""What a domain operation may refuse with, and the parts every edge shows of a refusal.

Each of these errors carries a ``code`` (a key of ``ledger/edge/messages.py``), ``params`` and
perhaps the ``field`` it concerns; pages, the API and the CLI translate them at their edge."""

from __future__ import annotations

from ledger.access.users import AccessError
from ledger.books.errors import LedgerError
from ledger.checkpoints.signing import SigningKeyError
from ledger.funds.bank_import import StatementError
from ledger.money import MoneyError
from ledger.platform.text import TextError
from ledger.spending.receipts import ReceiptError

DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    LedgerError,
    MoneyError,
    TextError,
    ReceiptError,
    AccessError,
    StatementError,
    SigningKeyError,
)


def error_parts(error: Exception) -> tuple[str, str | None, dict[str, object]]:
    """(code, field, params) of a domain refusal."""
    params = dict(getattr(error, "params", {}) or {})
    code = getattr(error, "code", "invalid_entry")
    if code == "invalid_entry" and "reason" in params:
        code = params.pop("reason")
    return code, getattr(error, "field", None), params
