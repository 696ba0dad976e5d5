"""The JSON API under /api/v1 (contract: shared/API.md)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from ledger.api import (  # noqa: E402,F401  (routes register on import)
    accounts,
    approvals,
    checkpoints,
    commissary,
    donor_settings,
    errors,
    fundraising,
    ledger_views,
    letters,
    lifecycle,
    openapi,
    public_pledges,
    reports,
    spending,
)
