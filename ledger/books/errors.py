"""Domain errors of the ledger.  Each carries a stable code and parameters;
the web, API and CLI layers translate them once each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.books.models import JournalEntry


class LedgerError(Exception):
    """Base of every refusal by the ledger; nothing was written when it is raised."""

    code = "ledger_error"
    field: str | None = None

    def __init__(self, message: str = "", *, field: str | None = None, **params: object) -> None:
        super().__init__(message or self.code)
        self.params = params
        if field is not None:
            self.field = field


class UnbalancedEntry(LedgerError):
    code = "unbalanced_entry"


class InvalidEntry(LedgerError):
    code = "invalid_entry"


class InsufficientFunds(LedgerError):
    """The entry would take a guarded account (a fund, a cash box) below zero."""

    code = "insufficient_funds"


class DuplicateEntry(LedgerError):
    """The idempotency key was used before; ``entry`` is the first result."""

    code = "duplicate_entry"

    def __init__(self, entry: JournalEntry, **params: Any) -> None:
        super().__init__(f"already recorded as entry {entry.id}", **params)
        self.entry = entry


class AlreadyReversed(LedgerError):
    code = "already_reversed"


class CurrencyMismatch(LedgerError):
    """Money in another currency than the one a bank or cash account holds."""

    code = "currency_mismatch"


class AccountClosed(LedgerError):
    """A posting to an account that was closed."""

    code = "account_closed"


class NotPermitted(LedgerError):
    code = "not_permitted"


class OwnApproval(NotPermitted):
    """Two-person sign-off: nobody signs off (or refuses) an item they recorded themselves."""

    code = "own_approval"
