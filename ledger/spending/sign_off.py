"""Moved to ledger/signoff/decisions.py (issue #31); these names stay importable from here for older callers."""

from ledger.signoff.decisions import (
    SIGNERS,
    ApprovalNotPending,
    NotAuthor,
    UnknownApproval,
    approval_receipts,
    approve,
    list_approvals,
    reject,
    withdraw,
)

__all__ = [
    "SIGNERS",
    "ApprovalNotPending",
    "NotAuthor",
    "UnknownApproval",
    "approval_receipts",
    "approve",
    "list_approvals",
    "reject",
    "withdraw",
]
