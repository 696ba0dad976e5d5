"""The reports blueprint, and who reads the books in full."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ledger.access.models import READERS

bp = Blueprint("reports", __name__, url_prefix="/reports")


def is_reader() -> bool:
    return current_user.is_authenticated and current_user.role in READERS
