"""OpenAPI path items for two-person sign-off (thresholds, the queue, decisions) and the
202 answers of the writes that may wait for a second person."""

from __future__ import annotations

from ledger.api.contract import enum_of
from ledger.books.kinds import APPROVAL_STATUSES, ApprovalKind, ApprovalStatus

_MONEY = {"$ref": "#/components/schemas/Money"}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ID = {
    "name": "approval_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
}
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "The same key with the same body returns the first answer and records nothing new.",
}


def _error(text: str) -> dict:
    """A 4xx answer: ``text`` starts with the error codes it can carry."""
    return {"description": f"Error codes: {text}", **_ERROR}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


_PENDING_202 = {
    "description": (
        "At or above the currency's approval threshold: recorded as pending, nothing enters "
        "the journal, and the money is held back until a second person signs it off."
    ),
    "content": _json("ApprovalPending"),
}

SCHEMAS: dict[str, dict] = {
    "ApprovalPending": {
        "type": "object",
        "required": ["status", "approval"],
        "properties": {
            "status": {"const": "pending"},
            "approval": {"type": "integer", "description": "id of the item in GET /approvals"},
        },
    },
    "ApprovalThresholds": {
        "type": "object",
        "description": (
            "Amount per ISO 4217 currency (a decimal string with the currency's minor units) "
            "from which spending, cash and transfers need a second person; a currency left "
            "out needs none. PUT replaces the whole set."
        ),
        "additionalProperties": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"},
        "examples": [{"RUB": "10000.00", "EUR": "100.00"}],
    },
    "ApprovalThresholdsRequest": {
        "type": "object",
        "required": ["thresholds"],
        "properties": {"thresholds": {"$ref": "#/components/schemas/ApprovalThresholds"}},
        "additionalProperties": False,
    },
    "ApprovalThresholdsMap": {
        "type": "object",
        "description": "The body is the map itself: an amount per ISO 4217 currency code.",
        "propertyNames": {"pattern": "^[A-Z]{3}$"},
        "not": {"required": ["thresholds"]},
        "additionalProperties": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"},
        "examples": [{"RUB": "10000.00", "EUR": "100.00"}],
    },
    "ApprovalThresholdsAnswer": {
        "type": "object",
        "required": ["thresholds"],
        "properties": {"thresholds": {"$ref": "#/components/schemas/ApprovalThresholds"}},
    },
    "ApprovalHold": {
        "type": "object",
        "required": ["account", "money"],
        "properties": {"account": {"type": "string"}, "money": _MONEY},
    },
    "ApprovalItem": {
        "type": "object",
        "required": ["id", "kind", "status", "money", "description", "author", "created_at", "holds"],
        "properties": {
            "id": {"type": "integer"},
            "kind": enum_of(ApprovalKind),
            "status": enum_of(ApprovalStatus),
            "money": _MONEY,
            "description": {"type": "string"},
            "prisoner": {"type": ["string", "null"], "description": "slug of the prisoner it is for"},
            "author": {"type": "integer", "description": "user id of the person who recorded it"},
            "created_at": {"type": "string", "format": "date-time"},
            "decided_by": {"type": ["integer", "null"]},
            "decided_at": {"type": ["string", "null"], "format": "date-time"},
            "reason": {"type": ["string", "null"]},
            "entry": {"type": ["integer", "null"], "description": "the posted entry, once approved"},
            "holds": {"type": "array", "items": {"$ref": "#/components/schemas/ApprovalHold"}},
            "receipts": {"type": "array", "items": {"type": "object"}},
        },
    },
    "ApprovalQueue": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "held"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ApprovalItem"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "held": {
                "type": "array",
                "description": "what pending items hold back, per account and currency",
                "items": {"$ref": "#/components/schemas/ApprovalHold"},
            },
        },
    },
    "ApprovalDecision": {
        "type": "object",
        "required": ["status", "approval"],
        "properties": {
            "status": enum_of(ApprovalStatus, without=(ApprovalStatus.PENDING,)),
            "approval": {"$ref": "#/components/schemas/ApprovalItem"},
            "entry": {"type": "object", "description": "the posted entry (approve only), naming both people"},
        },
    },
    "ApprovalReason": {
        "type": "object",
        "properties": {"reason": {"type": "string", "maxLength": 300}},
    },
}

_COMMON = {
    "401": _error("`unauthorized`: no valid bearer token"),
    "403": _error("`forbidden`: the role may not do this"),
}
_NOT_FOUND = {"404": _error("`not_found`: no such item")}

PATHS: dict[str, dict] = {
    "/settings/approval-thresholds": {
        "get": {
            "summary": "Approval thresholds per currency",
            "operationId": "getApprovalThresholds",
            "responses": {
                "200": {"description": "the thresholds", "content": _json("ApprovalThresholdsAnswer")},
                **_COMMON,
            },
        },
        "put": {
            "summary": "Replace the approval thresholds",
            "operationId": "putApprovalThresholds",
            "parameters": [_IDEMPOTENCY],
            "requestBody": {
                "required": True,
                "description": 'The map itself (`{"RUB": "10000.00", "EUR": "100.00"}`; `{}` clears '
                'them all), or the same map as `{"thresholds": {…}}`.',
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/ApprovalThresholdsRequest"},
                                {"$ref": "#/components/schemas/ApprovalThresholdsMap"},
                            ]
                        }
                    }
                },
            },
            "responses": {
                "200": {"description": "the thresholds now", "content": _json("ApprovalThresholdsAnswer")},
                "400": _error("`bad_json`: the body is not a JSON object; `bad_idempotency_key`"),
                **_COMMON,
                "409": _error("`idempotency_conflict`: the key was used with another body"),
                "415": _error("`unsupported_media_type`: send JSON"),
                "422": _error(
                    "`unknown_currency`, `invalid_amount`, `float_amount`, `too_many_decimals`, "
                    "`zero_amount`, `amount_too_large`; `field` names the currency"
                ),
            },
        },
    },
    "/approvals": {
        "get": {
            "summary": "Items waiting for a second person's sign-off, and what they hold back",
            "operationId": "listApprovals",
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": [*APPROVAL_STATUSES, "all"]},
                },
                {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1},
                },
                {
                    "name": "per_page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                },
            ],
            "responses": {
                "200": {"description": "the queue, oldest first", "content": _json("ApprovalQueue")},
                **_COMMON,
                "422": _error("`unknown_approval_status`, `invalid_page`"),
            },
        }
    },
    "/approvals/{approval_id}": {
        "get": {
            "summary": "One item with its holds and receipts",
            "operationId": "showApproval",
            "parameters": [_ID],
            "responses": {
                "200": {"description": "the item", "content": _json("ApprovalItem")},
                **_COMMON,
                **_NOT_FOUND,
            },
        }
    },
    "/approvals/{approval_id}/approve": {
        "post": {
            "summary": "Sign off an item (never one's own) and post its entry",
            "operationId": "approveApproval",
            "parameters": [_ID, _IDEMPOTENCY],
            "responses": {
                "201": {
                    "description": "posted: the entry names the author and the approver",
                    "content": _json("ApprovalDecision"),
                },
                "400": _error("`bad_idempotency_key`"),
                "401": _error("`unauthorized`: no valid bearer token"),
                "403": _error("`own_approval`: the author cannot sign off; `forbidden`: the role may not"),
                **_NOT_FOUND,
                "409": _error(
                    "`approval_not_pending`: already decided, nothing changed; `insufficient_funds`: the "
                    "fund can no longer cover it, the item stays pending; `parcel_quota`, `parcel_weight`, "
                    "`prisoner_unreachable`: the parcel rules or the prisoner's whereabouts refuse it now; "
                    "`idempotency_conflict`"
                ),
                "422": _error(
                    "`unknown_category`, `bad_paid_from`, `not_a_fund`, `bad_cash_movement`, `date_in_future`: "
                    "a rule of the entry's kind refuses it now; the item stays pending"
                ),
            },
        }
    },
    "/approvals/{approval_id}/reject": {
        "post": {
            "summary": "Refuse an item with a reason: nothing is posted and the hold is freed",
            "operationId": "rejectApproval",
            "parameters": [_ID, _IDEMPOTENCY],
            "requestBody": {"required": True, "content": _json("ApprovalReason")},
            "responses": {
                "200": {"description": "refused", "content": _json("ApprovalDecision")},
                "400": _error("`bad_json`, `bad_idempotency_key`"),
                "401": _error("`unauthorized`: no valid bearer token"),
                "403": _error("`own_approval`: the author withdraws instead; `forbidden`"),
                **_NOT_FOUND,
                "409": _error("`approval_not_pending`: already decided; `idempotency_conflict`"),
                "415": _error("`unsupported_media_type`: send JSON"),
                "422": _error("`required`, `too_long`, `control_character`: the reason (`field` reason)"),
            },
        }
    },
    "/approvals/{approval_id}/withdraw": {
        "post": {
            "summary": "The author takes an item back: nothing is posted and the hold is freed",
            "operationId": "withdrawApproval",
            "parameters": [_ID, _IDEMPOTENCY],
            "requestBody": {"required": False, "content": _json("ApprovalReason")},
            "responses": {
                "200": {"description": "withdrawn", "content": _json("ApprovalDecision")},
                "400": _error("`bad_json`, `bad_idempotency_key`"),
                "401": _error("`unauthorized`: no valid bearer token"),
                "403": _error("`not_author`: only the author withdraws; `forbidden`"),
                **_NOT_FOUND,
                "409": _error("`approval_not_pending`: already decided; `idempotency_conflict`"),
                "415": _error("`unsupported_media_type`: send JSON"),
                "422": _error("`too_long`, `control_character`: the reason"),
            },
        }
    },
    "/approvals/{approval_id}/receipts": {
        "post": {
            "summary": "Attach a receipt while the item waits; it becomes the entry's when approved",
            "operationId": "uploadApprovalReceipt",
            "parameters": [_ID],
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
                "201": {
                    "description": "attached",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_COMMON,
                **_NOT_FOUND,
                "409": _error("`approval_not_pending`: the item was already decided"),
                "422": _error(
                    "`missing_field`, `receipt_empty`, `receipt_too_large`, `receipt_type`, "
                    "`receipt_corrupt`, `receipt_duplicate`"
                ),
            },
        }
    },
}

# The writes that answer 202 when they need a second person: the module owning each path
# describes it; this response object is what they add (``ledger/api/contract/``).
PENDING_RESPONSE = _PENDING_202
