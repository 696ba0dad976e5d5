"""The parcel law's table: how many parcels a prisoner may get a year, and how heavy.

The defaults come from the Penal Enforcement Code of the Russian Federation (УИК РФ,
Федеральный закон от 08.01.1997 № 1-ФЗ) and, for pre-trial detention, from the Federal
Law «О содержании под стражей подозреваемых и обвиняемых» (15.07.1995 № 103-ФЗ).  Each
number below names its article, part and point; migration 0012 seeds them, admins edit
them afterwards (a facility's practice, a newer edition of the law).

The table below is what migration 0012 seeded; ``rule_for`` finds the rule that applies to a
prisoner.  Counting against it is ledger/spending/parcel_quota.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.funds.models import Facility
from ledger.spending.models import ParcelRule

# Weight limits of УИК ст. 90 ч. 1 (last paragraph, in force since January 2021): one parcel
# or hand delivery at most 20 kg, one small parcel (бандероль) at most 5 kg.
PARCEL_GRAMS = 20_000  # УИК ст. 90 ч. 1
SMALL_PARCEL_GRAMS = 5_000  # УИК ст. 90 ч. 1
# Women and those held in educational colonies get parcels without limit of number
# (ст. 90 ч. 1 п. «а»); medical parcels sent on a medical conclusion are not counted
# (ст. 90 ч. 3).  Sick prisoners and those with a first or second group disability may get
# additional parcels on a medical conclusion (ст. 90 ч. 2): the coordinator records that as
# the reason for allowing a parcel beyond the quota.
CODE_EXEMPTIONS = "women,juveniles,medical"  # УИК ст. 90 ч. 1 п. «а», ч. 3

# (kind, regime, conditions, parcels a year, small parcels a year, grams per parcel,
#  grams per small parcel, grams per month, exemptions, legal basis)
# fmt: off
DEFAULT_RULES: tuple[tuple[Any, ...], ...] = (
    # Correctional colonies of general regime (исправительные колонии общего режима).
    ("colony", "general", "ordinary", 6, 6, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 121 ч. 1 п. «в»; вес — ст. 90 ч. 1"),  # 6 parcels and 6 small parcels a year
    ("colony", "general", "lightened", 12, 12, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 121 ч. 2 п. «в»; вес — ст. 90 ч. 1"),  # 12 and 12
    ("colony", "general", "strict", 3, 3, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 121 ч. 3 п. «в»; вес — ст. 90 ч. 1"),  # 3 and 3
    # Colonies of strict regime (исправительные колонии строгого режима).
    ("colony", "strict", "ordinary", 4, 4, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 123 ч. 1 п. «в»; вес — ст. 90 ч. 1"),  # 4 and 4
    ("colony", "strict", "lightened", 6, 6, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 123 ч. 2 п. «в»; вес — ст. 90 ч. 1"),  # 6 and 6
    ("colony", "strict", "strict", 2, 2, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 123 ч. 3 п. «в»; вес — ст. 90 ч. 1"),  # 2 and 2
    # Colonies of special regime (исправительные колонии особого режима).
    ("colony", "special", "ordinary", 3, 3, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 125 ч. 1 п. «в»; вес — ст. 90 ч. 1"),  # 3 and 3
    ("colony", "special", "lightened", 4, 4, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 125 ч. 2 п. «в»; вес — ст. 90 ч. 1"),  # 4 and 4
    ("colony", "special", "strict", 1, 1, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 125 ч. 3 п. «в»; вес — ст. 90 ч. 1"),  # 1 and 1
    # Educational colonies (воспитательные колонии, for juveniles): no limit of number.
    ("colony", "educational", "any", None, None, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 90 ч. 1 п. «а»; вес — ст. 90 ч. 1"),
    # Prisons (тюрьмы): general regime 2 and 2, strict regime 1 and 1.
    ("prison", "general", "any", 2, 2, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 131 ч. 4 п. «в»; вес — ст. 90 ч. 1"),
    ("prison", "strict", "any", 1, 1, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 131 ч. 5 п. «в»; вес — ст. 90 ч. 1"),
    # Colony-settlements: ст. 90 ч. 1 п. «б» limits the number only by arts. 121, 123, 125
    # and 131; the weight limits of ст. 90 ч. 1 apply.
    ("settlement", "none", "any", None, None, PARCEL_GRAMS, SMALL_PARCEL_GRAMS, None, CODE_EXEMPTIONS,
     "УИК РФ ст. 90 ч. 1 п. «б» (число не ограничено); вес — ст. 90 ч. 1"),
    # Pre-trial detention (СИЗО): parcels and deliveries without limit of number, at most
    # 30 kg in all a month; the monthly weight does not apply to juveniles (103-ФЗ ст. 25).
    ("pre_trial", "none", "any", None, None, None, None, 30_000, "juveniles,medical",
     "Федеральный закон № 103-ФЗ ст. 25 (30 кг в месяц)"),
    # Anything else: no limit the law states; admins set what the facility applies.
    ("other", "none", "any", None, None, None, None, None, "", None),
)
# fmt: on
RULE_COLUMNS = (
    "facility_kind",
    "regime",
    "conditions",
    "parcels_per_year",
    "small_parcels_per_year",
    "max_parcel_grams",
    "max_small_parcel_grams",
    "max_grams_per_month",
    "exemptions",
    "legal_basis",
)
LIMIT_FIELDS = RULE_COLUMNS[3:8]


def rule_for(session: Session, facility: Facility | None, conditions: str | None) -> ParcelRule | None:
    """The rule for the facility's kind and regime and the prisoner's conditions.

    Unknown conditions count as ordinary: arrivals at a colony are placed in ordinary
    conditions (УИК ст. 120 ч. 1, ст. 122 ч. 1, ст. 124 ч. 1).  A rule for "any" conditions
    applies when there is none for the prisoner's own.
    """
    if facility is None:
        return None
    rules = session.scalars(
        select(ParcelRule).where(
            ParcelRule.facility_kind == facility.kind, ParcelRule.regime == facility.regime
        )
    )
    return pick_rule({rule.conditions: rule for rule in rules}, conditions)


def pick_rule(rules: dict[str, ParcelRule], conditions: str | None) -> ParcelRule | None:
    """Of one kind and regime's rules by conditions, the one for ``conditions``."""
    return rules.get(conditions or "ordinary") or rules.get("any")
