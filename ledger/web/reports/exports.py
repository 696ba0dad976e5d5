"""The reports' index and the whole journal exported (hledger, Beancount, the chain as JSON lines)."""

from __future__ import annotations

from flask import Response, abort, render_template, stream_with_context

from ledger.access.models import READERS
from ledger.books.models import LedgerHead
from ledger.extensions import db
from ledger.platform.database import utc_today
from ledger.web.access_control import role_required
from ledger.web.reports.blueprint import bp

EXPORTS = {
    "hledger": ("journal", "text/plain"),
    "beancount": ("beancount", "text/plain"),
    "jsonl": ("jsonl", "application/x-ndjson"),
}


@bp.route("/")
@role_required(*READERS)
def index():
    head = db.session.get(LedgerHead, 1)
    return render_template("reports/index.html", head=head)


@bp.route("/exports")
@role_required(*READERS)
def exports():
    head = db.session.get(LedgerHead, 1)
    return render_template("reports/exports.html", head=head)


def journal_export_lines(fmt: str):
    if fmt == "hledger":
        from ledger.reports.hledger_export import export_hledger

        return export_hledger(db.session)
    if fmt == "beancount":
        from ledger.reports.beancount_export import export_beancount

        return export_beancount(db.session)
    from ledger.reports.chain_export import export_chain_jsonl

    return export_chain_jsonl(db.session)


@bp.route("/exports/<fmt>")
@role_required(*READERS)
def export_download(fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    extension, mimetype = EXPORTS[fmt]
    head = db.session.get(LedgerHead, 1)
    response = Response(stream_with_context(journal_export_lines(fmt)), mimetype=mimetype + "; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ledger-{utc_today().isoformat()}-{head.entry_count if head else 0}.{extension}"'
    )
    return response
