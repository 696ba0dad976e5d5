"""Admins editing the parcel rules (a facility's practice, a newer edition of the law), and
the rules in the order the admin page lists them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.errors import InvalidEntry
from ledger.books.posting import Recorder
from ledger.funds.kinds import FACILITY_KINDS, REGIMES
from ledger.platform.database import utcnow
from ledger.platform.text import TextError, clean_text
from ledger.spending.kinds import EXEMPTIONS, RULE_CONDITIONS
from ledger.spending.models import ParcelRule
from ledger.spending.parcel_law import LIMIT_FIELDS, RULE_COLUMNS


class ParcelRuleError(InvalidEntry):
    """A rule's field is not acceptable; ``params["reason"]`` names why."""


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


def save_parcel_rule(
    session: Session, rule: ParcelRule | None, values: dict[str, Any], *, actor: Recorder | None = None
) -> ParcelRule:
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
