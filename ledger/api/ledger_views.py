"""Public facts about the chain: entry count and head hash.

The public answer is the latest signed checkpoint's (the live head would move with each
gift and give its time away); signed-in staff get the live head.
"""

from flask import jsonify

from ledger.api import bp
from ledger.books.hashchain import GENESIS_HASH
from ledger.books.models import LedgerHead
from ledger.edge.visibility import as_of_json, request_as_of
from ledger.extensions import db


@bp.get("/ledger/head")
def ledger_head():
    as_of = request_as_of()
    if as_of.live:
        head = db.session.get(LedgerHead, 1)
        entries, head_hash = (head.entry_count, head.head_hash) if head else (0, GENESIS_HASH)
    elif as_of.checkpoint is not None:
        entries, head_hash = as_of.checkpoint.entry_count, as_of.checkpoint.head_hash
    else:
        entries, head_hash = 0, GENESIS_HASH
    return jsonify({"entries": entries, "head_hash": head_hash, "as_of": as_of_json(as_of)})
