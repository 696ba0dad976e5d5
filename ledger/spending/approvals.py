"""Moved to ledger/signoff/ (issue #31); these names stay importable from here for older callers."""

from ledger.signoff.requests import request_approval
from ledger.signoff.thresholds import approval_thresholds, needs_approval, set_approval_thresholds

__all__ = ["approval_thresholds", "needs_approval", "request_approval", "set_approval_thresholds"]
