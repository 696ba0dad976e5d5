"""A donor's own bank-transfer pledge (no account): POST /public-pledges."""

from ledger.api.contract import enum_of
from ledger.funds.kinds import Locale, PledgeFrequency

_ERROR = {"$ref": "#/components/schemas/Error"}
_MONEY = {"$ref": "#/components/schemas/Money"}


def _error(codes: str) -> dict:
    """A 4xx answer listing its error codes (``codes`` comma-separated), in the contract's form."""
    listed = ", ".join(f"`{code.strip()}`" for code in codes.split(","))
    return {
        "description": f"Refused. Error codes: {listed}",
        "content": {"application/json": {"schema": _ERROR}},
    }


SCHEMAS: dict[str, dict] = {
    "PublicPledgeRequest": {
        "type": "object",
        "required": ["money", "frequency"],
        "additionalProperties": False,
        "properties": {
            "prisoner": {
                "type": ["string", "null"],
                "description": "A public prisoner's slug, or null (or absent) for the general fund",
            },
            "money": {**_MONEY, "description": "What the donor means to send each time"},
            "frequency": {"type": "string", **enum_of(PledgeFrequency)},
            "email": {
                "type": ["string", "null"],
                "description": "Optional, for the reference by mail, receipts and reminders. Stored "
                "encrypted, seen by admins only, deleted on request or after the retention period; "
                "never in an answer, export or page",
            },
            "may_name_prisoner": {
                "type": "boolean",
                "description": "Mails may name the prisoner (default false: they say “the person you chose”)",
            },
            "language": {
                "type": "string",
                **enum_of(Locale),
                "description": "Language of the donor's mails; default: Accept-Language",
            },
        },
    },
    "PublicPledgeAnswer": {
        "type": "object",
        "required": ["pledge", "bank_details", "warning"],
        "properties": {
            "pledge": {
                "type": "object",
                "required": ["reference", "prisoner", "money", "frequency", "starts_on", "status"],
                "properties": {
                    "reference": {
                        "type": "string",
                        "pattern": "^SL-[A-HJKMNP-Z2-9]{10}$",
                        "description": "Random; names no prisoner. Write it in the transfer's payment purpose",
                    },
                    "prisoner": {"type": ["string", "null"]},
                    "money": _MONEY,
                    "frequency": {"type": "string", **enum_of(PledgeFrequency)},
                    "starts_on": {"type": "string", "format": "date"},
                    "status": {"type": "string"},
                },
            },
            "bank_details": {
                "type": "object",
                "required": ["currency", "text"],
                "properties": {
                    "currency": {"type": "string"},
                    "text": {
                        "type": "string",
                        "description": "As the admins wrote it, in the donor's language",
                    },
                },
            },
            "warning": {"type": "string", "description": "What the banks can see, in plain words"},
        },
    },
}

PATHS: dict[str, dict] = {
    "/public-pledges": {
        "post": {
            "operationId": "createPublicPledge",
            "summary": "Pledge a bank transfer (once or monthly) without an account",
            "description": "Answers at once with an opaque reference code and the organisation's bank "
            "details for the currency. Throttled per client (an HMAC of the address is counted, never "
            "the address). If an email is given, a mail with the code follows.",
            "tags": ["pledges"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/PublicPledgeRequest"}}
                },
            },
            "responses": {
                "201": {
                    "description": "Pledged",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/PublicPledgeAnswer"}}
                    },
                },
                "400": _error("bad_json"),
                "415": _error("unsupported_media_type"),
                "422": _error(
                    "unknown_field, unknown_prisoner, missing_field, invalid_amount, zero_amount, "
                    "too_many_decimals, amount_too_large, unknown_currency, float_amount, "
                    "unknown_frequency, invalid_email, invalid_boolean, no_bank_details"
                ),
                "429": _error("pledge_throttled, pledges_busy, confirmation_mails_busy"),
            },
        }
    }
}
