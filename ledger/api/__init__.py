"""The JSON API under /api/v1 (contract: shared/API.md)."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register_api(app: Flask) -> None:
    """Import the views (their routes register on ``bp`` on import) and register them.  Not at
    package import: ``ledger.models`` imports ``ledger.api.models``, and a CLI command needs no
    view (issue #30)."""
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

    app.register_blueprint(bp)
