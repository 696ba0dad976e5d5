"""The JSON API under /api/v1 (contract: shared/API.md)."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def load_views() -> Blueprint:
    """Import the views (their routes register on ``bp`` on import) and return the blueprint.
    Not at package import: ``ledger.models`` imports ``ledger.api.models``, and a CLI command
    needs no view (issue #30).  The contract's route walk (contract/_routes.py) calls it too."""
    from ledger.api import (  # noqa: F401
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

    return bp


def register_api(app: Flask) -> None:
    """Register the API's views on ``app``."""
    app.register_blueprint(load_views())
