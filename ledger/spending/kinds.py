"""The closed vocabularies of parcels; the tables' CHECK constraints are built from them.

The migrations keep their own lists.
"""

from __future__ import annotations

from enum import StrEnum


class ParcelKind(StrEnum):
    PARCEL = "parcel"  # посылка или передача
    SMALL_PARCEL = "small_parcel"  # бандероль


class ParcelOutcomeKind(StrEnum):
    DELIVERED = "delivered"
    RETURNED = "returned"
    CONFISCATED = "confiscated"


class RuleConditions(StrEnum):
    """Rules for a kind of facility may differ by the prisoner's conditions; ANY when they don't."""

    ANY = "any"
    ORDINARY = "ordinary"
    LIGHTENED = "lightened"
    STRICT = "strict"


class Exemption(StrEnum):
    """Categories of prisoners (and parcels) a rule exempts from its numbers (УИК ст. 90)."""

    WOMEN = "women"
    JUVENILES = "juveniles"
    MEDICAL = "medical"


PARCEL_KINDS: tuple[ParcelKind, ...] = tuple(ParcelKind)
PARCEL_OUTCOMES: tuple[ParcelOutcomeKind, ...] = tuple(ParcelOutcomeKind)
RULE_CONDITIONS: tuple[RuleConditions, ...] = tuple(RuleConditions)
EXEMPTIONS: tuple[Exemption, ...] = tuple(Exemption)
