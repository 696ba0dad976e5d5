"""Parcel rules: how many parcels a prisoner may get this year, how heavy, and when the next.

The defaults come from the Penal Enforcement Code of the Russian Federation (УИК РФ,
Федеральный закон от 08.01.1997 № 1-ФЗ) and, for pre-trial detention, from the Federal
Law «О содержании под стражей подозреваемых и обвиняемых» (15.07.1995 № 103-ФЗ).  Each
number below names its article, part and point; migration 0012 seeds them, admins edit
them afterwards (a facility's practice, a newer edition of the law).

Counting follows the Code's words «в течение года»: parcels sent this calendar year, at
facilities of the same kind and regime (parcels at the pre-trial centre do not use up a
colony's quota); returned parcels never reached the prisoner and do not count; medical
parcels do not count (ст. 90 ч. 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry, LedgerError
from ledger.books.models import JournalEntry
from ledger.database import utcnow
from ledger.funds.models import FACILITY_KINDS, REGIMES, Facility, Prisoner
from ledger.spending.models import EXEMPTIONS, RULE_CONDITIONS, Parcel, ParcelOutcome, ParcelRule
from ledger.text import TextError, clean_text

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
DEFAULT_RULES: tuple[tuple, ...] = (
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


class ParcelQuotaExceeded(LedgerError):
    """The prisoner has had every parcel the rules allow this year (or month)."""

    code = "parcel_quota"


class ParcelTooHeavy(LedgerError):
    """The parcel weighs more than the rules allow for one parcel of its kind."""

    code = "parcel_weight"


class ParcelRuleError(InvalidEntry):
    """A rule's field is not acceptable; ``params["reason"]`` names why."""


def rule_for(session: Session, facility: Facility | None, conditions: str | None) -> ParcelRule | None:
    """The rule for the facility's kind and regime and the prisoner's conditions.

    Unknown conditions count as ordinary: arrivals at a colony are placed in ordinary
    conditions (УИК ст. 120 ч. 1, ст. 122 ч. 1, ст. 124 ч. 1).  A rule for "any" conditions
    applies when there is none for the prisoner's own.
    """
    if facility is None:
        return None
    rules = {
        rule.conditions: rule
        for rule in session.scalars(
            select(ParcelRule).where(
                ParcelRule.facility_kind == facility.kind, ParcelRule.regime == facility.regime
            )
        )
    }
    return rules.get(conditions or "ordinary") or rules.get("any")


@dataclass
class KindAllowance:
    """One kind of parcel this year: how many were counted, how many are allowed (None: no
    limit), the heaviest allowed (grams), and the first day the next one may go."""

    kind: str
    used: int
    allowed: int | None
    max_grams: int | None
    next_on: date | None  # None: none may go (whereabouts unknown, died)

    @property
    def left(self) -> int | None:
        return None if self.allowed is None else max(self.allowed - self.used, 0)


@dataclass
class ParcelAllowance:
    prisoner: Prisoner
    rule: ParcelRule | None
    exempt: list[str]  # the exemptions that lift this prisoner's numbers
    parcel: KindAllowance
    small_parcel: KindAllowance
    grams_this_month: int
    max_grams_per_month: int | None
    facility_parcels_this_month: int
    reachable: bool

    def of(self, kind: str) -> KindAllowance:
        return self.parcel if kind == "parcel" else self.small_parcel


def _exemptions(rule: ParcelRule | None, prisoner: Prisoner) -> list[str]:
    if rule is None:
        return []
    found = []
    if "women" in rule.exempt and prisoner.gender == "female":
        found.append("women")
    if "juveniles" in rule.exempt and prisoner.juvenile:
        found.append("juveniles")
    return found


def _counted_parcels(session: Session, prisoner: Prisoner, facility: Facility):
    """Parcels that use up the quota: not reversed, not returned, not medical (when the
    rule exempts medical ones), sent to a facility of the same kind and regime."""
    reversed_entries = select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.is_not(None))
    returned = select(ParcelOutcome.parcel_id).where(ParcelOutcome.outcome == "returned")
    return (
        select(Parcel)
        .join(Facility, Facility.id == Parcel.facility_id)
        .where(
            Parcel.prisoner_id == prisoner.id,
            Facility.kind == facility.kind,
            Facility.regime == facility.regime,
            ~Parcel.entry_id.in_(reversed_entries),
            ~Parcel.id.in_(returned),
        )
    )


def _next_year(day: date) -> date:
    return date(day.year + 1, 1, 1)


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def parcel_allowance(
    session: Session,
    prisoner: Prisoner,
    *,
    on: date | None = None,
    reachable: bool = True,
) -> ParcelAllowance:
    """The quota used in ``on``'s year, what is left and the next date each kind may go."""
    on = on or utcnow().date()
    facility = prisoner.facility
    rule = rule_for(session, facility, prisoner.conditions)
    exempt = _exemptions(rule, prisoner)
    used = {"parcel": 0, "small_parcel": 0}
    grams_month = 0
    facility_month = 0
    if facility is not None:
        year_start = date(on.year, 1, 1)
        month_start = on.replace(day=1)
        counted = _counted_parcels(session, prisoner, facility).subquery()
        not_medical = [counted.c.medical.is_(False)] if rule is not None and "medical" in rule.exempt else []
        rows = session.execute(
            select(counted.c.kind, func.count())
            .where(counted.c.sent_on >= year_start, counted.c.sent_on < _next_year(on), *not_medical)
            .group_by(counted.c.kind)
        )
        for kind, count in rows:
            used[kind] = int(count)
        grams_month = session.scalar(
            select(func.coalesce(func.sum(counted.c.total_grams), 0)).where(
                counted.c.sent_on >= month_start, counted.c.sent_on < _next_month(on), *not_medical
            )
        )
        facility_month = session.scalar(
            select(func.count()).where(
                counted.c.sent_on >= month_start,
                counted.c.sent_on < _next_month(on),
                counted.c.facility_id == facility.id,
            )
        )
    unlimited = bool(exempt)
    max_month = None if (rule is None or unlimited) else rule.max_grams_per_month

    def kind_allowance(kind: str) -> KindAllowance:
        allowed = None
        max_grams = None
        if rule is not None:
            allowed = rule.parcels_per_year if kind == "parcel" else rule.small_parcels_per_year
            max_grams = rule.max_parcel_grams if kind == "parcel" else rule.max_small_parcel_grams
        if unlimited:
            allowed = None
        if facility is not None and facility.max_parcel_grams:
            max_grams = min(max_grams or facility.max_parcel_grams, facility.max_parcel_grams)
        next_on: date | None = on
        if not reachable or prisoner.died_on is not None:
            next_on = None
        elif allowed is not None and used[kind] >= allowed:
            next_on = _next_year(on)
        elif (max_month is not None and grams_month >= max_month) or (
            facility is not None
            and facility.max_parcels_per_month
            and facility_month >= facility.max_parcels_per_month
        ):
            next_on = _next_month(on)
        return KindAllowance(kind, used[kind], allowed, max_grams, next_on)

    return ParcelAllowance(
        prisoner=prisoner,
        rule=rule,
        exempt=exempt,
        parcel=kind_allowance("parcel"),
        small_parcel=kind_allowance("small_parcel"),
        grams_this_month=int(grams_month),
        max_grams_per_month=max_month,
        facility_parcels_this_month=int(facility_month),
        reachable=reachable,
    )


def check_parcel(
    session: Session, prisoner: Prisoner, *, kind: str, medical: bool, sent_on: date, grams: int
) -> None:
    """Refuse a parcel beyond the quota (ParcelQuotaExceeded) or the weight (ParcelTooHeavy)."""
    allowance = parcel_allowance(session, prisoner, on=sent_on)
    rule = allowance.rule
    facility = prisoner.facility
    this = allowance.of(kind)
    if this.max_grams is not None and grams > this.max_grams:
        raise ParcelTooHeavy("parcel too heavy", field="parcel", grams=grams, max=this.max_grams, kind=kind)
    if medical and (rule is None or "medical" in rule.exempt):
        return
    if this.allowed is not None and this.used >= this.allowed:
        raise ParcelQuotaExceeded(
            "quota used",
            field="parcel",
            used=this.used,
            allowed=this.allowed,
            next_on=this.next_on,
            kind=kind,
        )
    if allowance.max_grams_per_month is not None and (
        allowance.grams_this_month + grams > allowance.max_grams_per_month
    ):
        raise ParcelQuotaExceeded(
            "monthly weight used",
            field="parcel",
            used=allowance.grams_this_month,
            allowed=allowance.max_grams_per_month,
            next_on=_next_month(sent_on),
            kind=kind,
        )
    if (
        facility is not None
        and facility.max_parcels_per_month
        and allowance.facility_parcels_this_month >= facility.max_parcels_per_month
    ):
        raise ParcelQuotaExceeded(
            "facility's monthly number used",
            field="parcel",
            used=allowance.facility_parcels_this_month,
            allowed=facility.max_parcels_per_month,
            next_on=_next_month(sent_on),
            kind=kind,
        )


# --- editing the rules ---------------------------------------------------------------------


def _limit(name: str, value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1_000_000:
        raise ParcelRuleError("bad limit", field=name, reason="bad_limit")
    if value == 0 and name.startswith("max_"):
        raise ParcelRuleError("bad limit", field=name, reason="bad_limit")
    return value


def _exemption_list(value: object) -> str:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple, set)) or not all(isinstance(v, str) for v in value):
        raise ParcelRuleError("bad exemptions", field="exemptions", reason="unknown_exemption")
    unknown = set(value) - set(EXEMPTIONS)
    if unknown:
        raise ParcelRuleError("bad exemptions", field="exemptions", reason="unknown_exemption")
    return ",".join(name for name in EXEMPTIONS if name in value)


def save_parcel_rule(session: Session, rule: ParcelRule | None, values: dict, *, actor=None) -> ParcelRule:
    """Create (``rule`` None: needs facility_kind, regime, conditions) or change a rule."""
    allowed = set(RULE_COLUMNS) if rule is None else set(RULE_COLUMNS[3:])
    unknown = set(values) - allowed
    if unknown:
        raise ParcelRuleError("unknown field", field=sorted(unknown)[0], reason="unknown_field")
    created = rule is None
    if rule is None:
        kind, regime = values.get("facility_kind"), values.get("regime")
        conditions = values.get("conditions", "any")
        if kind not in FACILITY_KINDS:
            raise ParcelRuleError("unknown kind", field="facility_kind", reason="unknown_facility_kind")
        if regime not in REGIMES:
            raise ParcelRuleError("unknown regime", field="regime", reason="unknown_regime")
        if conditions not in RULE_CONDITIONS:
            raise ParcelRuleError("unknown conditions", field="conditions", reason="unknown_conditions")
        exists = session.scalar(
            select(ParcelRule.id).where(
                ParcelRule.facility_kind == kind,
                ParcelRule.regime == regime,
                ParcelRule.conditions == conditions,
            )
        )
        if exists is not None:
            raise ParcelRuleError("rule exists", field="conditions", reason="parcel_rule_exists")
        rule = ParcelRule(facility_kind=kind, regime=regime, conditions=conditions, exemptions="")
    changed = []
    for name in LIMIT_FIELDS:
        if name in values:
            new = _limit(name, values[name])
            if getattr(rule, name) != new or created:
                changed.append(name)
                setattr(rule, name, new)
    if "exemptions" in values:
        rule.exemptions = _exemption_list(values["exemptions"])
        changed.append("exemptions")
    if "legal_basis" in values:
        try:
            rule.legal_basis = clean_text(values["legal_basis"], max_length=500) or None
        except TextError as error:
            raise ParcelRuleError(
                error.code, field="legal_basis", reason=error.code, **error.params
            ) from None
        changed.append("legal_basis")
    rule.updated_by_id = getattr(actor, "id", None)
    rule.updated_at = utcnow()
    session.add(rule)
    session.flush()
    record_audit(
        session,
        "parcel_rule.created" if created else "parcel_rule.updated",
        user=actor,
        target=f"parcel_rule:{rule.id}",
        fields=sorted(set(changed)),
    )
    return rule


def all_rules(session: Session) -> list[ParcelRule]:
    order = {kind: i for i, kind in enumerate(FACILITY_KINDS)}
    regimes = {regime: i for i, regime in enumerate(REGIMES)}
    conditions = {c: i for i, c in enumerate(RULE_CONDITIONS)}
    rules = list(session.scalars(select(ParcelRule)))
    return sorted(
        rules,
        key=lambda r: (order.get(r.facility_kind, 99), regimes.get(r.regime, 99), conditions[r.conditions]),
    )


@dataclass
class PlanRow:
    """One line of the coordinators' parcel plan."""

    prisoner: Prisoner
    allowance: ParcelAllowance
    assignee: object | None  # the User sending the next parcel


def parcel_plan(session: Session, *, on: date | None = None) -> list[PlanRow]:
    """Every prisoner: first those with nobody assigned to their next parcel, the one whose
    parcel may go soonest first; then those someone already sends for; those who can get
    none (whereabouts unknown, released, died) last."""
    from ledger.funds.lifecycle import unreachable_ids
    from ledger.spending.parcel_outcomes import assignments

    on = on or utcnow().date()
    prisoners = list(session.scalars(select(Prisoner).order_by(Prisoner.name)))
    lost = unreachable_ids(session)
    assigned = assignments(session)
    rows = []
    for prisoner in prisoners:
        reachable = prisoner.id not in lost and prisoner.status != "released"
        allowance = parcel_allowance(session, prisoner, on=on, reachable=reachable)
        assignment = assigned.get(prisoner.id)
        rows.append(PlanRow(prisoner, allowance, assignment.user if assignment else None))
    far = date.max
    rows.sort(
        key=lambda row: (
            row.allowance.parcel.next_on is None,
            row.assignee is not None,
            row.allowance.parcel.next_on or far,
            row.prisoner.name,
        )
    )
    return rows
