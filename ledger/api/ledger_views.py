"""Public facts about the chain: entry count and head hash."""

from flask import jsonify

from ledger.api import bp
from ledger.books.hashchain import GENESIS_HASH
from ledger.books.models import LedgerHead
from ledger.extensions import db


@bp.get("/ledger/head")
def ledger_head():
    head = db.session.get(LedgerHead, 1)
    return jsonify(
        {
            "entries": head.entry_count if head else 0,
            "head_hash": head.head_hash if head else GENESIS_HASH,
        }
    )
