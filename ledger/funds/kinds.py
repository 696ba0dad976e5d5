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


# What the parcel rules depend on (ledger/spending/parcel_law.py cites the law for each).
class FacilityKind(StrEnum):
    PRE_TRIAL = "pre_trial"
    COLONY = "colony"
    SETTLEMENT = "settlement"
    PRISON = "prison"
    OTHER = "other"


class Regime(StrEnum):
    NONE = "none"
    GENERAL = "general"
    STRICT = "strict"
    SPECIAL = "special"
    EDUCATIONAL = "educational"


class Conditions(StrEnum):
    """Условия отбывания наказания, УИК ст. 120-127."""

    ORDINARY = "ordinary"
    LIGHTENED = "lightened"
    STRICT = "strict"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class LifecyclePublication(StrEnum):
    """What the public page shows of a prisoner's lifecycle, chosen by admins per prisoner."""

    NOTHING = "nothing"
    STATUS = "status"
    HISTORY = "history"


class EventType(StrEnum):
    TRANSFERRED = "transferred"
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown"
    FOUND = "found"  # whereabouts known again (at the last facility, or at one named with it)
    RELEASED = "released"
    DIED = "died"


class LifeState(StrEnum):
    """Where a prisoner's timeline leaves them (ledger/funds/lifecycle.py derives it)."""

    IN_DETENTION = "in_detention"
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown"
    RELEASED = "released"
    DIED = "died"


class FundPolicy(StrEnum):
    """On release or death: keep the fund, or move its balance to the general fund."""

    KEEP = "keep"
    GENERAL = "general"


PRISONER_STATUSES: tuple[PrisonerStatus, ...] = tuple(PrisonerStatus)
FACILITY_KINDS: tuple[FacilityKind, ...] = tuple(FacilityKind)
REGIMES: tuple[Regime, ...] = tuple(Regime)
CONDITIONS: tuple[Conditions, ...] = tuple(Conditions)
GENDERS: tuple[Gender, ...] = tuple(Gender)
LIFECYCLE_PUBLICATION: tuple[LifecyclePublication, ...] = tuple(LifecyclePublication)
EVENT_TYPES: tuple[EventType, ...] = tuple(EventType)
FUND_POLICIES: tuple[FundPolicy, ...] = tuple(FundPolicy)
DONATION_METHODS: tuple[DonationMethod, ...] = tuple(DonationMethod)
PLEDGE_FREQUENCIES: tuple[PledgeFrequency, ...] = tuple(PledgeFrequency)
PLEDGE_STATUSES: tuple[PledgeStatus, ...] = tuple(PledgeStatus)
LOCALES: tuple[Locale, ...] = tuple(Locale)
