"""``GET /api/v1/openapi.json``: the published contract (assembled in ledger/api/contract/)."""

from flask import jsonify

from ledger.api import bp
from ledger.api.contract import build_document


@bp.get("/openapi.json")
def openapi_document():
    response = jsonify(build_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
