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
    """active: nothing missed; overdue: an instalment unpaid N days after its due date; lapsed:
    M instalments missed; fulfilled: every instalment of a pledge with an end paid; paused: the
    donor stopped it for a while (no instalments fall due); cancelled: ended for good."""

    ACTIVE = "active"
    OVERDUE = "overdue"
    LAPSED = "lapsed"
    FULFILLED = "fulfilled"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class PledgeChannel(StrEnum):
    """How a donor pays a pledge: bank transfers with the reference (reminders when late) or a
    card (a Stripe subscription, which Stripe collects and retries itself)."""

    BANK = "bank"
    CARD = "card"


class Locale(StrEnum):
    """The languages a donor's mails can be in."""

    EN = "en"
    RU = "ru"


PRISONER_STATUSES: tuple[PrisonerStatus, ...] = tuple(PrisonerStatus)
DONATION_METHODS: tuple[DonationMethod, ...] = tuple(DonationMethod)
PLEDGE_FREQUENCIES: tuple[PledgeFrequency, ...] = tuple(PledgeFrequency)
PLEDGE_STATUSES: tuple[PledgeStatus, ...] = tuple(PledgeStatus)
LOCALES: tuple[Locale, ...] = tuple(Locale)
