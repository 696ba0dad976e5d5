"""Parcel rules: how many parcels a prisoner may get this year, how heavy, and when the next.

The defaults come from the Penal Enforcement Code of the Russian Federation (УИК РФ,
Федеральный закон от 08.01.1997 № 1-ФЗ) and, for pre-trial detention, from the Federal
Law «О содержании под стражей подозреваемых и обвиняемых» (15.07.1995 № 103-ФЗ).  Each
number below names its article, part and point; migration 0012 seeds them, admins edit
them afterwards (a facility's practice, a newer edition of the law).

Counting follows the Code's words «в течение года»: parcels sent this calendar year, at
facilities of the same kind and regime (parcels at the pre-trial centre do not use up a
colony's quota); returned parcels never reached the prisoner and do not count; medical
parcels do not count (ст. 90 ч. 3).  A parcel waiting for a second person's sign-off counts
as sent: it holds its place in the quota as its money is held back, so two pending parcels
cannot both pass a quota that has room for one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry, LedgerError
from ledger.books.holds import Approval
from ledger.books.kinds import ApprovalKind, ApprovalStatus
from ledger.books.reversals import has_reversal
from ledger.funds.kinds import FACILITY_KINDS, REGIMES
from ledger.funds.models import Facility, Prisoner
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text
from ledger.spending.kinds import EXEMPTIONS, RULE_CONDITIONS, ParcelOutcomeKind
from ledger.spending.models import Parcel, ParcelOutcome, ParcelRule

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
    rules = session.scalars(
        select(ParcelRule).where(
            ParcelRule.facility_kind == facility.kind, ParcelRule.regime == facility.regime
        )
    )
    return _pick({rule.conditions: rule for rule in rules}, conditions)


def _pick(rules: dict[str, ParcelRule], conditions: str | None) -> ParcelRule | None:
    """Of one kind and regime's rules by conditions, the one for ``conditions``."""
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
    pending: int = 0  # of ``used``, the parcels waiting for sign-off

    @property
    def left(self) -> int | None:
        return None if self.allowed is None else max(self.allowed - self.used, 0)


@dataclass
class ParcelAllowance:
    prisoner: Prisoner | _Profile
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


def _exemptions(rule: ParcelRule | None, prisoner: Prisoner | _Profile) -> list[str]:
    if rule is None:
        return []
    found = []
    if "women" in rule.exempt and prisoner.gender == "female":
        found.append("women")
    if "juveniles" in rule.exempt and prisoner.juvenile:
        found.append("juveniles")
    return found


def _next_year(day: date) -> date:
    return date(day.year + 1, 1, 1)


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


@dataclass
class _Counted:
    """What uses up a prisoner's quota: parcels per kind this year, grams this month, and
    parcels this month at the current facility."""

    used: dict[str, int] = field(default_factory=lambda: {"parcel": 0, "small_parcel": 0})
    pending: dict[str, int] = field(default_factory=lambda: {"parcel": 0, "small_parcel": 0})
    grams_month: int = 0
    facility_month: int = 0


class PendingParcel(NamedTuple):
    """A parcel in an item waiting for sign-off, as its payload describes it."""

    kind: str
    medical: bool
    sent_on: date
    grams: int


def _pending_parcels(
    session: Session, on: date, prisoner_ids: list[int] | None
) -> dict[int, list[PendingParcel]]:
    """Parcels of ``on``'s year in spending waiting for sign-off, by prisoner (one query)."""
    query = select(Approval.prisoner_id, Approval.payload).where(
        Approval.status == ApprovalStatus.PENDING, Approval.kind == ApprovalKind.DISBURSEMENT
    )
    if prisoner_ids is not None:
        query = query.where(Approval.prisoner_id.in_(prisoner_ids))
    found: dict[int, list[PendingParcel]] = {}
    for prisoner_id, payload in session.execute(query):
        parcel = json.loads(payload).get("parcel")
        if not parcel or prisoner_id is None:
            continue
        sent_on = date.fromisoformat(parcel["sent_on"])
        if sent_on.year != on.year:
            continue
        # The weight as the parcel was checked: its total, or its items' (disbursements.py).
        grams = parcel.get("total_grams") or sum(
            item["grams"] * item["quantity"] for item in parcel.get("items", [])
        )
        found.setdefault(prisoner_id, []).append(
            PendingParcel(parcel.get("kind", "parcel"), bool(parcel.get("medical")), sent_on, int(grams))
        )
    return found


def _counted_rows(session: Session, on: date, prisoner_ids: list[int] | None):
    """Counted parcels of ``on``'s year (not reversed, not returned), grouped by prisoner,
    the facility's kind, regime and id, the parcel's kind, medical, and whether in ``on``'s
    month: one query for one prisoner or for all."""
    returned = select(ParcelOutcome.parcel_id).where(ParcelOutcome.outcome == ParcelOutcomeKind.RETURNED)
    in_month = case(
        (and_(Parcel.sent_on >= on.replace(day=1), Parcel.sent_on < _next_month(on)), True), else_=False
    ).label("in_month")
    query = (
        select(
            Parcel.prisoner_id,
            Facility.kind,
            Facility.regime,
            Parcel.facility_id,
            Parcel.kind,
            Parcel.medical,
            in_month,
            func.count(),
            func.coalesce(func.sum(Parcel.total_grams), 0),
        )
        .join(Facility, Facility.id == Parcel.facility_id)
        .where(
            Parcel.sent_on >= date(on.year, 1, 1),
            Parcel.sent_on < _next_year(on),
            ~has_reversal(Parcel.entry_id),
            ~Parcel.id.in_(returned),
        )
        .group_by(
            Parcel.prisoner_id,
            Facility.kind,
            Facility.regime,
            Parcel.facility_id,
            Parcel.kind,
            Parcel.medical,
            in_month,
        )
    )
    if prisoner_ids is not None:
        query = query.where(Parcel.prisoner_id.in_(prisoner_ids))
    return session.execute(query)


def _count(
    rows, prisoner: Prisoner | _Profile, rule: ParcelRule | None, pending: list[PendingParcel], on: date
) -> _Counted:
    """Parcels sent to a facility of the prisoner's current kind and regime count (those at
    the pre-trial centre do not use up a colony's quota); medical ones do not when the rule
    exempts them (ст. 90 ч. 3), except in the facility's own monthly number.  A pending
    parcel counts as sent to the current facility, where it will be posted."""
    counted = _Counted()
    facility = prisoner.facility
    if facility is None:
        return counted
    medical_exempt = rule is not None and "medical" in rule.exempt
    for _pid, kind, regime, facility_id, parcel_kind, medical, in_month, count, grams in rows:
        if (kind, regime) != (facility.kind, facility.regime):
            continue
        if not (medical_exempt and medical):
            counted.used[parcel_kind] = counted.used.get(parcel_kind, 0) + int(count)
            if in_month:
                counted.grams_month += int(grams or 0)
        if in_month and facility_id == facility.id:
            counted.facility_month += int(count)
    for parcel in pending:
        in_month = (parcel.sent_on.year, parcel.sent_on.month) == (on.year, on.month)
        if not (medical_exempt and parcel.medical):
            counted.used[parcel.kind] = counted.used.get(parcel.kind, 0) + 1
            counted.pending[parcel.kind] = counted.pending.get(parcel.kind, 0) + 1
            if in_month:
                counted.grams_month += parcel.grams
        if in_month:
            counted.facility_month += 1
    return counted


def parcel_allowance(
    session: Session,
    prisoner: Prisoner,
    *,
    on: date | None = None,
    reachable: bool = True,
) -> ParcelAllowance:
    """The quota used in ``on``'s year, what is left and the next date each kind may go."""
    on = on or utcnow().date()
    rule = rule_for(session, prisoner.facility, prisoner.conditions)
    rows, pending = [], []
    if prisoner.facility is not None:
        rows = list(_counted_rows(session, on, [prisoner.id]))
        pending = _pending_parcels(session, on, [prisoner.id]).get(prisoner.id, [])
    return _allowance(prisoner, rule, _count(rows, prisoner, rule, pending, on), on=on, reachable=reachable)


def _allowance(
    prisoner: Prisoner | _Profile, rule: ParcelRule | None, counted: _Counted, *, on: date, reachable: bool
) -> ParcelAllowance:
    facility = prisoner.facility
    exempt = _exemptions(rule, prisoner)
    used = counted.used
    grams_month = counted.grams_month
    facility_month = counted.facility_month
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
        return KindAllowance(kind, used[kind], allowed, max_grams, next_on, counted.pending.get(kind, 0))

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
            limit="year",
        )
    if allowance.max_grams_per_month is not None and (
        allowance.grams_this_month + grams > allowance.max_grams_per_month
    ):
        # "used up" when nothing more may go this month, "would pass" when this parcel is too
        # heavy for what is left.
        raise ParcelQuotaExceeded(
            "monthly weight used",
            field="parcel",
            used=allowance.grams_this_month,
            allowed=allowance.max_grams_per_month,
            grams=grams,
            next_on=_next_month(sent_on),
            kind=kind,
            limit=(
                "month_weight_used"
                if allowance.grams_this_month >= allowance.max_grams_per_month
                else "month_weight"
            ),
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
            limit="facility_month",
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
    order: dict[str, int] = {kind: i for i, kind in enumerate(FACILITY_KINDS)}
    regimes: dict[str, int] = {regime: i for i, regime in enumerate(REGIMES)}
    conditions: dict[str, int] = {c: i for i, c in enumerate(RULE_CONDITIONS)}
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


@dataclass(frozen=True)
class _Profile:
    """What the allowance of one prisoner reads, without loading the whole row (a list of
    a thousand prisoners is ordered by these)."""

    id: int
    name: str
    status: str
    gender: str | None
    juvenile: bool
    conditions: str | None
    died_on: date | None
    facility: Facility | None


@dataclass
class PlanPage:
    rows: list[PlanRow]
    total: int


def parcel_plan(
    session: Session, *, on: date | None = None, offset: int = 0, limit: int | None = None
) -> PlanPage:
    """Every prisoner: first those with nobody assigned to their next parcel, the one whose
    parcel may go soonest first; then those someone already sends for; those who can get
    none (whereabouts unknown, released, died) last.  ``offset`` and ``limit`` choose a page
    of that order; only its prisoners are loaded whole.  A handful of queries whatever the
    number of prisoners."""
    from ledger.funds.lifecycle import states_of
    from ledger.spending.parcel_outcomes import assignments

    on = on or utcnow().date()
    facilities = {facility.id: facility for facility in session.scalars(select(Facility))}
    profiles = [
        _Profile(
            pid,
            name,
            status,
            gender,
            bool(juvenile),
            conditions,
            died_on,
            facilities.get(facility_id) if facility_id is not None else None,
        )
        for pid, name, status, gender, juvenile, conditions, died_on, facility_id in session.execute(
            select(
                Prisoner.id,
                Prisoner.name,
                Prisoner.status,
                Prisoner.gender,
                Prisoner.juvenile,
                Prisoner.conditions,
                Prisoner.died_on,
                Prisoner.facility_id,
            )
        )
    ]
    states = states_of(session, {profile.id: profile.status for profile in profiles})
    assigned = assignments(session)
    rules: dict[tuple[str, str], dict[str, ParcelRule]] = {}
    for stored in session.scalars(select(ParcelRule)):
        rules.setdefault((stored.facility_kind, stored.regime), {})[stored.conditions] = stored
    counted_rows: dict[int, list] = {}
    for row in _counted_rows(session, on, None):
        counted_rows.setdefault(row[0], []).append(row)
    pending = _pending_parcels(session, on, None)
    rows = []
    for profile in profiles:
        reachable = states[profile.id].parcels_allowed
        facility = profile.facility
        rule: ParcelRule | None = (
            _pick(rules.get((facility.kind, facility.regime), {}), profile.conditions) if facility else None
        )
        counted = _count(counted_rows.get(profile.id, []), profile, rule, pending.get(profile.id, []), on)
        allowance = _allowance(profile, rule, counted, on=on, reachable=reachable)
        assignment = assigned.get(profile.id)
        rows.append(PlanRow(profile, allowance, assignment.user if assignment else None))  # type: ignore[arg-type]
    far = date.max
    rows.sort(
        key=lambda row: (
            row.allowance.parcel.next_on is None,
            row.assignee is not None,
            row.allowance.parcel.next_on or far,
            row.prisoner.name,
            row.prisoner.id,
        )
    )
    chosen = rows[offset : None if limit is None else offset + limit]
    loaded = {
        prisoner.id: prisoner
        for prisoner in session.scalars(
            select(Prisoner).where(Prisoner.id.in_([r.prisoner.id for r in chosen]))
        )
    }
    for row in chosen:
        row.prisoner = row.allowance.prisoner = loaded[row.prisoner.id]
    return PlanPage(chosen, len(rows))
