"""OpenAPI path items of the signed checkpoints (shared/API.md, "Signed checkpoints")."""

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

SCHEMAS: dict[str, dict] = {
    "CheckpointItem": {
        "type": "object",
        "description": (
            "A signed statement of the hash chain. The signature (Ed25519, base64 with padding) covers "
            "the UTF-8 bytes of this object without `signature`, as "
            'json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False). '
            "Public figures are those of the latest checkpoint."
        ),
        "required": [
            "sequence",
            "entry_count",
            "head_hash",
            "created_at",
            "public_key",
            "signature",
            "key_id",
            "balances_digest",
            "version",
        ],
        "properties": {
            "version": {"type": "integer", "const": 1},
            "sequence": {"type": "integer", "minimum": 1},
            "entry_count": {"type": "integer", "minimum": 0},
            "head_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "created_at": {"type": "string", "format": "date-time"},
            "public_key": {"type": "string", "description": "Ed25519 public key, 32 bytes, base64"},
            "key_id": {"type": "string", "description": "first 16 hex digits of sha256 of the key's bytes"},
            "balances_digest": {
                "type": "string",
                "description": (
                    'sha256 of {account: {currency: "minor units"}} (non-zero balances at entry_count) '
                    "as canonical JSON; auditors recompute it from the full journal"
                ),
            },
            "previous_public_key": {
                "type": "string",
                "description": "on the first checkpoint after a key rotation: the key it replaces",
            },
            "previous_key_signature": {
                "type": "string",
                "description": "the previous key's signature of this object without either signature",
            },
            "signature": {"type": "string"},
        },
    },
    "CheckpointKey": {
        "type": "object",
        "properties": {
            "key_id": {"type": "string"},
            "public_key": {"type": "string"},
            "first_checkpoint": {"type": "integer"},
            "last_checkpoint": {"type": "integer"},
            "first_used": {"type": "string", "format": "date-time"},
            "last_used": {"type": "string", "format": "date-time"},
        },
    },
}

PATHS: dict[str, dict] = {
    "/checkpoints": {
        "get": {
            "summary": "Every signed checkpoint, newest first, and the public keys that signed them",
            "operationId": "listCheckpoints",
            "parameters": [
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {
                    "name": "per_page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                },
            ],
            "responses": {
                "200": {
                    "description": "A page of checkpoints",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "checkpoints": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/CheckpointItem"},
                                    },
                                    "public_keys": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/CheckpointKey"},
                                    },
                                    "page": {"type": "integer"},
                                    "per_page": {"type": "integer"},
                                    "total": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "422": {"description": "Bad paging. Error codes: `invalid_page`", "content": _ERROR},
            },
        }
    },
    "/checkpoints/latest": {
        "get": {
            "summary": "The latest signed checkpoint",
            "operationId": "latestCheckpoint",
            "responses": {
                "200": {
                    "description": "The checkpoint",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/CheckpointItem"}}
                    },
                },
                "404": {
                    "description": "None has been made yet. Error codes: `no_checkpoint`",
                    "content": _ERROR,
                },
            },
        }
    },
}
