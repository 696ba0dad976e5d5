"""OpenAPI path items of the prisoner lifecycle and parcel endpoints (ledger/api/lifecycle.py)."""

from __future__ import annotations

from ledger.api.contract import enum_of, error
from ledger.funds.kinds import EventType, FacilityKind, FundPolicy, LifeState, Regime
from ledger.spending.kinds import Exemption, ParcelKind, ParcelOutcomeKind, RuleConditions

MONEY = {"$ref": "#/components/schemas/Money"}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": _json(schema)}


def _errors(**codes: str) -> dict:
    """Responses for 4xx statuses, ``_422="code_a, code_b"``, in the shared form (ledger/api/contract)."""
    return {
        status.lstrip("_"): error(*(code.strip() for code in text.split(",")))
        for status, text in codes.items()
    }


AUTH_ERRORS = {"_401": "unauthorized", "_403": "forbidden"}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
}


def _path(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


SLUG = _path("slug", {"type": "string"})
PARCEL_ID = _path("parcel_id", {"type": "integer"})
RULE_ID = _path("rule_id", {"type": "integer"})

SCHEMAS: dict[str, dict] = {
    "LifecycleFacility": {
        "type": ["object", "null"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "address": {"type": ["string", "null"]},
            "region": {"type": ["string", "null"]},
            "kind": {**enum_of(FacilityKind)},
            "regime": {**enum_of(Regime)},
        },
    },
    "LifecycleEvent": {
        "type": "object",
        "required": ["id", "type", "on"],
        "properties": {
            "id": {"type": "integer"},
            "type": {**enum_of(EventType)},
            "on": DATE,
            "facility": {"$ref": "#/components/schemas/LifecycleFacility"},
            "fund_policy": {"anyOf": [enum_of(FundPolicy), {"type": "null"}]},
            "entry": {"type": ["integer", "null"]},
            "note": {"type": ["string", "null"]},
            "recorded_by": {"type": ["string", "null"]},
            "recorded_at": {"type": "string"},
        },
    },
    "Lifecycle": {
        "type": ["object", "null"],
        "description": "Where the prisoner is; the public sees what admins chose (lifecycle_public).",
        "properties": {
            "state": {**enum_of(LifeState)},
            "since": NULLABLE_DATE,
            "facility": {"$ref": "#/components/schemas/LifecycleFacility"},
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/LifecycleEvent"}},
            "fund": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "event": {
                            **enum_of(
                                EventType,
                                without=(
                                    EventType.TRANSFERRED,
                                    EventType.WHEREABOUTS_UNKNOWN,
                                    EventType.FOUND,
                                ),
                            )
                        },
                        "on": DATE,
                        "policy": {**enum_of(FundPolicy)},
                        "moved_to_general": {"type": "array", "items": MONEY},
                        "reversed": {"type": "boolean"},
                    },
                },
            },
        },
    },
    "LifecycleEventRequest": {
        "type": "object",
        "required": ["type"],
        "additionalProperties": False,
        "properties": {
            "type": {**enum_of(EventType)},
            "on": DATE,
            "facility": {
                "description": "For transferred (required) and found (optional: where they turned up, "
                "when not at the last facility): a facility's name, or an object that finds it by name "
                "(updating kind and regime when given) or creates it.",
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "required": ["name"],
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": "string", "maxLength": 200},
                            "kind": {**enum_of(FacilityKind)},
                            "regime": {**enum_of(Regime)},
                            "address": {"type": ["string", "null"]},
                            "region": {"type": ["string", "null"]},
                        },
                    },
                ],
            },
            "fund_policy": {**enum_of(FundPolicy), "description": "For released or died."},
            "note": {"type": "string", "maxLength": 2000},
        },
    },
    "ParcelKindAllowance": {
        "type": "object",
        "properties": {
            "used": {"type": "integer", "description": "Parcels counted this year, pending ones included."},
            "pending": {"type": "integer", "description": "Of those, parcels waiting for sign-off."},
            "allowed": {"type": ["integer", "null"]},
            "left": {"type": ["integer", "null"]},
            "max_grams": {"type": ["integer", "null"]},
            "next_on": NULLABLE_DATE,
        },
    },
    "ParcelRule": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "facility_kind": {**enum_of(FacilityKind)},
            "regime": {**enum_of(Regime)},
            "conditions": {**enum_of(RuleConditions)},
            "parcels_per_year": {"type": ["integer", "null"]},
            "small_parcels_per_year": {"type": ["integer", "null"]},
            "max_parcel_grams": {"type": ["integer", "null"]},
            "max_small_parcel_grams": {"type": ["integer", "null"]},
            "max_grams_per_month": {"type": ["integer", "null"]},
            "exemptions": {"type": "array", "items": {**enum_of(Exemption)}},
            "legal_basis": {"type": ["string", "null"]},
        },
    },
    "ParcelRuleRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "facility_kind": {**enum_of(FacilityKind)},
            "regime": {**enum_of(Regime)},
            "conditions": {**enum_of(RuleConditions)},
            "parcels_per_year": {"type": ["integer", "null"], "minimum": 0},
            "small_parcels_per_year": {"type": ["integer", "null"], "minimum": 0},
            "max_parcel_grams": {"type": ["integer", "null"], "minimum": 1},
            "max_small_parcel_grams": {"type": ["integer", "null"], "minimum": 1},
            "max_grams_per_month": {"type": ["integer", "null"], "minimum": 1},
            "exemptions": {"type": "array", "items": {**enum_of(Exemption)}},
            "legal_basis": {"type": ["string", "null"], "maxLength": 500},
        },
    },
    "LifecycleParcel": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "entry": {"type": "integer"},
            "sent_on": DATE,
            "kind": {**enum_of(ParcelKind)},
            "medical": {"type": "boolean"},
            "override_reason": {"type": ["string", "null"]},
            "tracking_number": {"type": ["string", "null"]},
            "total_grams": {"type": "integer"},
            "facility": {"type": ["string", "null"]},
            "items": {"type": "array", "items": {"type": "object"}},
            "outcome": {
                "type": ["object", "null"],
                "properties": {
                    "outcome": {**enum_of(ParcelOutcomeKind)},
                    "on": DATE,
                    "note": {"type": ["string", "null"]},
                    "inventory_receipt": {"type": ["integer", "null"]},
                    "refund_entry": {"type": ["integer", "null"]},
                },
            },
        },
    },
}

# A rule's facility kind, regime and conditions say which rule it is: a change keeps them.
SCHEMAS["ParcelRuleChange"] = {
    **SCHEMAS["ParcelRuleRequest"],
    "properties": {
        name: schema
        for name, schema in SCHEMAS["ParcelRuleRequest"]["properties"].items()
        if name not in ("facility_kind", "regime", "conditions")
    },
}

REF = "#/components/schemas/"
LIFECYCLE = {"$ref": REF + "Lifecycle"}
PARCEL = {"$ref": REF + "LifecycleParcel"}
RULE = {"$ref": REF + "ParcelRule"}

PATHS: dict[str, dict] = {
    "/prisoners/{slug}/events": {
        "post": {
            "summary": "Record a lifecycle event (transfer, unknown whereabouts, found, release, death)",
            "description": "Release and death apply fund_policy: keep, or move the whole balance to "
            "the general fund in one reversible entry (returned as entry).",
            "parameters": [SLUG, IDEMPOTENCY],
            "requestBody": {"required": True, "content": _json({"$ref": REF + "LifecycleEventRequest"})},
            "responses": {
                "201": _ok(
                    "Recorded",
                    {
                        "type": "object",
                        "properties": {
                            "event": {"$ref": REF + "LifecycleEvent"},
                            "entry": {"type": ["object", "null"]},
                            "lifecycle": LIFECYCLE,
                        },
                    },
                ),
                **_errors(
                    _400="bad_json, bad_idempotency_key",
                    _404="not_found",
                    _409="prisoner_deceased, insufficient_funds, idempotency_conflict",
                    _415="unsupported_media_type",
                    _413="too_large",
                    _422="missing_field, unknown_field, unknown_event_type, facility_required, whereabouts_known, "
                    "unknown_facility, unknown_facility_kind, unknown_regime, unknown_fund_policy, "
                    "invalid_date, date_out_of_range, date_in_future, invalid_text, too_long, "
                    "control_character, required, facility_taken",
                    **AUTH_ERRORS,
                ),
            },
        },
        "get": {
            "summary": "The prisoner's whereabouts, events and fund outcomes",
            "parameters": [SLUG],
            "responses": {
                "200": _ok("Timeline", {"type": "object", "properties": {"lifecycle": LIFECYCLE}}),
                **_errors(_404="not_found", **AUTH_ERRORS),
            },
        },
    },
    "/prisoners/{slug}/parcels": {
        "get": {
            "summary": "Parcel quota used this year, next allowed dates, parcels with outcomes",
            "parameters": [SLUG],
            "responses": {
                "200": _ok(
                    "Allowance and parcels",
                    {
                        "type": "object",
                        "properties": {
                            "allowance": {
                                "type": "object",
                                "properties": {
                                    "rule": {"oneOf": [RULE, {"type": "null"}]},
                                    "exempt": {"type": "array", "items": {"type": "string"}},
                                    "parcel": {"$ref": REF + "ParcelKindAllowance"},
                                    "small_parcel": {"$ref": REF + "ParcelKindAllowance"},
                                    "grams_this_month": {"type": "integer"},
                                    "max_grams_per_month": {"type": ["integer", "null"]},
                                    "reachable": {"type": "boolean"},
                                },
                            },
                            "next_parcel_by": {"type": ["string", "null"]},
                            "parcels": {"type": "array", "items": PARCEL},
                        },
                    },
                ),
                **_errors(_404="not_found", **AUTH_ERRORS),
            },
        }
    },
    "/prisoners/{slug}/next-parcel": {
        "put": {
            "summary": "Assign the coordinator who sends the prisoner's next parcel (null: nobody)",
            "parameters": [SLUG, IDEMPOTENCY],
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "required": ["coordinator"],
                        "properties": {"coordinator": {"type": ["string", "null"], "format": "email"}},
                    }
                ),
            },
            "responses": {
                "200": _ok(
                    "Assigned",
                    {
                        "type": "object",
                        "properties": {
                            "prisoner": {"type": "string"},
                            "next_parcel_by": {"type": ["string", "null"]},
                        },
                    },
                ),
                **_errors(
                    _400="bad_json, bad_idempotency_key",
                    _404="not_found",
                    _409="idempotency_conflict",
                    _415="unsupported_media_type",
                    _413="too_large",
                    _422="missing_field, unknown_field, not_a_coordinator",
                    **AUTH_ERRORS,
                ),
            },
        }
    },
    "/parcel-plan": {
        "get": {
            "summary": "Prisoners by who needs a parcel prepared: unassigned and allowed soonest first",
            "parameters": [
                {"$ref": "#/components/parameters/Page"},
                {"$ref": "#/components/parameters/PerPage"},
            ],
            "responses": {
                "200": _ok(
                    "Plan",
                    {
                        "type": "object",
                        "properties": {
                            "prisoners": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "slug": {"type": "string"},
                                        "name": {"type": "string"},
                                        "facility": {"$ref": REF + "LifecycleFacility"},
                                        "next_parcel_on": NULLABLE_DATE,
                                        "next_small_parcel_on": NULLABLE_DATE,
                                        "parcels_used": {"type": "integer"},
                                        "parcels_allowed": {"type": ["integer", "null"]},
                                        "next_parcel_by": {"type": ["string", "null"]},
                                    },
                                },
                            },
                            "page": {"type": "integer"},
                            "per_page": {"type": "integer", "description": "Default 100"},
                            "total": {"type": "integer"},
                        },
                    },
                ),
                **_errors(_422="invalid_page", **AUTH_ERRORS),
            },
        }
    },
    "/parcels/{parcel_id}/outcome": {
        "post": {
            "summary": "Record what became of a parcel: delivered, returned or confiscated",
            "parameters": [PARCEL_ID, IDEMPOTENCY],
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "required": ["outcome"],
                        "properties": {
                            "outcome": {**enum_of(ParcelOutcomeKind)},
                            "on": DATE,
                            "tracking_number": {"type": "string", "maxLength": 64},
                            "note": {"type": "string", "maxLength": 2000},
                        },
                    }
                ),
            },
            "responses": {
                "200": _ok("Recorded", {"type": "object", "properties": {"parcel": PARCEL}}),
                **_errors(
                    _400="bad_json, bad_idempotency_key",
                    _404="not_found",
                    _409="parcel_refunded, parcel_reversed, idempotency_conflict",
                    _415="unsupported_media_type",
                    _413="too_large",
                    _422="missing_field, unknown_field, unknown_outcome, outcome_before_sending, invalid_date, "
                    "date_out_of_range, date_in_future, invalid_text, too_long, control_character",
                    **AUTH_ERRORS,
                ),
            },
        }
    },
    "/parcels/{parcel_id}/inventory": {
        "post": {
            "summary": "Upload the scan of the parcel's inventory form (опись вложения)",
            "parameters": [PARCEL_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    }
                },
            },
            "responses": {
                "201": _ok(
                    "Stored",
                    {"type": "object", "properties": {"receipt": {"type": "object"}, "parcel": PARCEL}},
                ),
                **_errors(
                    _404="not_found",
                    _409="parcel_no_outcome",
                    _413="too_large",
                    _422="missing_field, receipt_empty, receipt_too_large, receipt_type, receipt_corrupt, "
                    "receipt_duplicate",
                    **AUTH_ERRORS,
                ),
            },
        }
    },
    "/parcels/{parcel_id}/refund": {
        "post": {
            "summary": "The post office refunded a returned parcel: debit the asset, credit the fund",
            "parameters": [PARCEL_ID, IDEMPOTENCY],
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "required": ["money", "asset"],
                        "properties": {"money": MONEY, "asset": {"type": "string"}, "on": DATE},
                    }
                ),
            },
            "responses": {
                "201": _ok(
                    "Refund entry",
                    {"type": "object", "properties": {"entry": {"type": "object"}, "parcel": PARCEL}},
                ),
                **_errors(
                    _400="bad_json, bad_idempotency_key",
                    _404="not_found",
                    _409="parcel_not_returned, parcel_refunded, duplicate_entry, idempotency_conflict",
                    _415="unsupported_media_type",
                    _413="too_large",
                    _422="missing_field, unknown_field, bad_asset, currency_mismatch, refund_exceeds_parcel, "
                    "invalid_amount, not_decimal, missing_amount, "
                    "float_amount, zero_amount, too_many_decimals, unknown_currency, amount_too_large, "
                    "invalid_date, date_out_of_range, date_in_future",
                    **AUTH_ERRORS,
                ),
            },
        }
    },
    "/parcel-rules": {
        "get": {
            "summary": "Parcel rules per kind and regime of facility and conditions (defaults: УИК РФ)",
            "responses": {
                "200": _ok(
                    "Rules", {"type": "object", "properties": {"rules": {"type": "array", "items": RULE}}}
                )
            },
        },
        "post": {
            "summary": "Add a rule for a kind, regime and conditions",
            "parameters": [IDEMPOTENCY],
            "requestBody": {"required": True, "content": _json({"$ref": REF + "ParcelRuleRequest"})},
            "responses": {
                "201": _ok("Added", {"type": "object", "properties": {"rule": RULE}}),
                **_errors(
                    _400="bad_json, bad_idempotency_key",
                    _409="idempotency_conflict",
                    _415="unsupported_media_type",
                    _413="too_large",
                    _422="unknown_field, unknown_facility_kind, unknown_regime, unknown_conditions, "
                    "parcel_rule_exists, bad_limit, unknown_exemption, invalid_text, too_long, "
                    "control_character",
                    **AUTH_ERRORS,
                ),
            },
        },
    },
    "/parcel-rules/{rule_id}": {
        "patch": {
            "summary": "Change a rule's numbers, exemptions or legal basis",
            "parameters": [RULE_ID, IDEMPOTENCY],
            "requestBody": {"required": True, "content": _json({"$ref": REF + "ParcelRuleChange"})},
            "responses": {
                "200": _ok("Changed", {"type": "object", "properties": {"rule": RULE}}),
                **_errors(
                    _400="bad_json, bad_idempotency_key",
                    _404="not_found",
                    _409="idempotency_conflict",
                    _415="unsupported_media_type",
                    _413="too_large",
                    _422="unknown_field, bad_limit, unknown_exemption, invalid_text, too_long, control_character",
                    **AUTH_ERRORS,
                ),
            },
        }
    },
}

# Every operation's id and tag, as the other areas give them.
_IDS = {
    ("/prisoners/{slug}/events", "post"): "createPrisonerEvent",
    ("/prisoners/{slug}/events", "get"): "listPrisonerEvents",
    ("/prisoners/{slug}/parcels", "get"): "readPrisonerParcels",
    ("/prisoners/{slug}/next-parcel", "put"): "assignNextParcel",
    ("/parcel-plan", "get"): "readParcelPlan",
    ("/parcels/{parcel_id}/outcome", "post"): "recordParcelOutcome",
    ("/parcels/{parcel_id}/inventory", "post"): "uploadParcelInventory",
    ("/parcels/{parcel_id}/refund", "post"): "recordParcelRefund",
    ("/parcel-rules", "get"): "listParcelRules",
    ("/parcel-rules", "post"): "createParcelRule",
    ("/parcel-rules/{rule_id}", "patch"): "updateParcelRule",
}
for (_path_key, _method), _operation_id in _IDS.items():
    PATHS[_path_key][_method] = {
        "operationId": _operation_id,
        "tags": ["lifecycle"],
        **PATHS[_path_key][_method],
    }
