"""The closed vocabularies of fundraising, and the key of the general fund.

The tables' CHECK constraints are built from these; the migrations keep their own lists.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# How forms, the API and exports name the general fund beside prisoners' slugs (a prisoner
# can never have this slug).
GENERAL: Final = "general"


class PrisonerStatus(StrEnum):
    AWAITING_TRIAL = "awaiting_trial"
    SENTENCED = "sentenced"
    RELEASED = "released"


class DonationMethod(StrEnum):
    BANK = "bank"
    CASH = "cash"
    CARD = "card"
    OTHER = "other"


class PledgeFrequency(StrEnum):
    MONTHLY = "monthly"
    ONE_OFF = "one_off"


class PledgeStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


PRISONER_STATUSES: tuple[PrisonerStatus, ...] = tuple(PrisonerStatus)
DONATION_METHODS: tuple[DonationMethod, ...] = tuple(DonationMethod)
PLEDGE_FREQUENCIES: tuple[PledgeFrequency, ...] = tuple(PledgeFrequency)
PLEDGE_STATUSES: tuple[PledgeStatus, ...] = tuple(PledgeStatus)
