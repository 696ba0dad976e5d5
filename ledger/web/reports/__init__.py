"""The organisation's books for auditors (and coordinators): pages, CSV and exports.

One blueprint (blueprint.py), its pages by family: statements.py (trial balance, balance
sheet), journal.py (the general journal and the account ledgers), pledges.py, receipts.py
and exports.py (the index and the whole-journal exports); query.py reads their filters.
The CSV rows are built in the reports domain (ledger/reports/csv_rows.py).
"""

from ledger.web.reports import exports, journal, pledges, receipts, statements
from ledger.web.reports.blueprint import bp, is_reader

__all__ = ["bp", "exports", "is_reader", "journal", "pledges", "receipts", "statements"]
