"""The closed vocabularies of the journal: account types, asset kinds, posting categories,
entry sources, and the kinds and statuses of items waiting for sign-off.

The tables' CHECK constraints are built from these (``ledger.platform.database.one_of``); the
migrations keep their own literal lists, so an old migration never changes with the code.
Categories and sources are rows instead (``categories``, ``source_types``): a new member is
an INSERT in a migration (docs/architecture.md, "Adding a spending category").
"""

from __future__ import annotations

from enum import StrEnum


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class Category(StrEnum):
    DONATION = "donation"
    FEE = "fee"
    FOOD = "food"
    CLOTHING = "clothing"
    PARCELS = "parcels"
    COMMISSARY = "commissary"
    LETTERS = "letters"
    TRANSFER = "transfer"
    CONVERSION = "conversion"
    REFUND = "refund"
    OTHER = "other"


class SourceType(StrEnum):
    MANUAL = "manual"
    STRIPE = "stripe"
    IMPORT = "import"
    REVERSAL = "reversal"
    DEMO = "demo"
    SYSTEM = "system"


class AssetKind(StrEnum):
    """What an asset account is: a bank account, someone's cash, the Stripe balance, or an
    intermediary (a person or service holding money in transit).  Other accounts have none."""

    BANK = "bank"
    CASH = "cash"
    STRIPE = "stripe"
    INTERMEDIARY = "intermediary"


class ApprovalKind(StrEnum):
    """What an item waiting for a second person's sign-off records once approved."""

    DISBURSEMENT = "disbursement"
    CASH = "cash"
    TRANSFER = "transfer"
    COMMISSARY = "commissary"  # money to a personal account (ledger/commissary/transfers.py)


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


ACCOUNT_TYPES: tuple[AccountType, ...] = tuple(AccountType)
ASSET_KINDS: tuple[AssetKind, ...] = tuple(AssetKind)
CATEGORIES: tuple[Category, ...] = tuple(Category)
SOURCE_TYPES: tuple[SourceType, ...] = tuple(SourceType)
APPROVAL_KINDS: tuple[ApprovalKind, ...] = tuple(ApprovalKind)
APPROVAL_STATUSES: tuple[ApprovalStatus, ...] = tuple(ApprovalStatus)
# What money can be spent on, in the order reports list it.
SPENDING_CATEGORIES: tuple[Category, ...] = (
    Category.FOOD,
    Category.CLOTHING,
    Category.PARCELS,
    Category.COMMISSARY,
    Category.LETTERS,
    Category.OTHER,
)
