"""Parcel rules: seeded from the Penal Enforcement Code, edited by admins; the columns that
choose them are constrained in the database too."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ledger.spending.parcel_law import DEFAULT_RULES


def test_the_migration_seeds_the_codes_numbers_with_their_sources(api):
    status, body = api.get("/parcel-rules")
    assert status == 200
    rules = {(r["facility_kind"], r["regime"], r["conditions"]): r for r in body["rules"]}
    assert len(rules) == len(DEFAULT_RULES)
    general = rules[("colony", "general", "ordinary")]
    assert (general["parcels_per_year"], general["small_parcels_per_year"]) == (6, 6)
    assert (general["max_parcel_grams"], general["max_small_parcel_grams"]) == (20000, 5000)
    assert general["exemptions"] == ["juveniles", "medical", "women"]
    assert "ст. 121 ч. 1" in general["legal_basis"]
    assert rules[("colony", "strict", "strict")]["parcels_per_year"] == 2
    assert rules[("prison", "strict", "any")]["parcels_per_year"] == 1
    assert rules[("pre_trial", "none", "any")]["max_grams_per_month"] == 30000
    assert rules[("settlement", "none", "any")]["parcels_per_year"] is None
    # Public: the rules are the law's.
    assert api.client.get("/api/v1/parcel-rules").status_code == 200


def test_admins_edit_and_add_rules_others_may_not(api):
    _status, body = api.get("/parcel-rules")
    rule = next(
        r
        for r in body["rules"]
        if (r["facility_kind"], r["regime"], r["conditions"]) == ("colony", "general", "ordinary")
    )
    assert api.patch(f"/parcel-rules/{rule['id']}", {"parcels_per_year": 7})[0] == 403
    admin = api.as_("admin")
    status, body = admin.patch(
        f"/parcel-rules/{rule['id']}", {"parcels_per_year": 7, "exemptions": ["women"]}
    )
    assert status == 200
    assert body["rule"]["parcels_per_year"] == 7
    assert body["rule"]["exemptions"] == ["women"]
    for change, code in [
        ({"parcels_per_year": -1}, "bad_limit"),
        ({"max_parcel_grams": 0}, "bad_limit"),
        ({"max_parcel_grams": "20"}, "bad_limit"),
        ({"exemptions": ["veterans"]}, "unknown_exemption"),
        ({"regime": "strict"}, "unknown_field"),
    ]:
        status, answer = admin.patch(f"/parcel-rules/{rule['id']}", change)
        assert status == 422, change
        assert answer["error"]["code"] == code, change
    status, body = admin.post(
        "/parcel-rules",
        {"facility_kind": "prison", "regime": "special", "conditions": "any", "parcels_per_year": 1},
    )
    assert status == 201, body
    status, body = admin.post(
        "/parcel-rules", {"facility_kind": "prison", "regime": "special", "conditions": "any"}
    )
    assert status == 422
    assert body["error"]["code"] == "parcel_rule_exists"
    assert admin.patch("/parcel-rules/99999", {"parcels_per_year": 1})[0] == 404


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE facilities SET kind = 'castle'",
        "UPDATE facilities SET regime = 'lenient'",
        "UPDATE prisoners SET gender = 'x'",
        "UPDATE prisoners SET conditions = 'easy'",
        "UPDATE prisoners SET lifecycle_public = 'all'",
    ],
)
def test_the_database_refuses_unknown_kinds_and_regimes(api, ilya, session, statement):
    session.execute(text("INSERT INTO facilities (name, kind, regime) VALUES ('F', 'colony', 'general')"))
    session.execute(text("UPDATE prisoners SET facility_id = (SELECT id FROM facilities)"))
    session.commit()
    with pytest.raises(IntegrityError):  # a text statement runs at once: the CHECK or trigger refuses it
        session.execute(text(statement))
    session.rollback()
