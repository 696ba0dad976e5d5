"""Disbursements and parcels, receipts, and conversions between currencies."""

from ledger.api.contract import (
    DATE_CODES,
    IDEMPOTENCY,
    MONEY,
    MONEY_CODES,
    TEXT_CODES,
    answer,
    array,
    auth_errors,
    body,
    enum_of,
    error,
    integer,
    nullable,
    obj,
    operation,
    path_parameter,
    ref,
    string,
    write_errors,
)
from ledger.spending.disbursements import SPENDING_CATEGORIES
from ledger.spending.kinds import ParcelKind

PARCEL_CODES = (
    "parcel_empty",
    "parcel_too_many_items",
    "parcel_bad_quantity",
    "parcel_bad_weight",
    "parcel_item_currency",
    "parcel_items_exceed_amount",
    "parcel_needs_category",
    "unknown_parcel_kind",
)

SCHEMAS = {
    "SpendingParcelInput": obj(
        {
            "sent_on": string(format="date", description="Default: today"),
            "tracking_number": nullable(string(maxLength=64)),
            "total_grams": nullable(integer(minimum=1, description="Default: the items' weights")),
            "kind": string(**enum_of(ParcelKind), description="Default: parcel"),
            "medical": {
                "type": "boolean",
                "description": "Sent on a medical conclusion (not counted in the quota, УИК ст. 90 ч. 3)",
            },
            "override_reason": nullable(
                string(
                    maxLength=500,
                    description="Why a parcel beyond the quota or the weight limit is allowed "
                    "(improved conditions, a decision of the facility); kept with the parcel",
                )
            ),
            "items": array(
                obj(
                    {
                        "name": string(maxLength=200),
                        "quantity": integer(minimum=1, maximum=10000),
                        "grams": integer(minimum=0, maximum=100000),
                        "cost": {**MONEY, "description": "In the disbursement's currency; zero allowed"},
                    },
                    required=["name"],
                )
            ),
        },
        required=[],
    ),
}

PATHS = {
    "/disbursements": {
        "post": operation(
            "Record money spent for a prisoner from their fund, paid from a bank, cash or "
            "intermediary account",
            operation_id="createDisbursement",
            tags=["spending"],
            parameters=IDEMPOTENCY,
            request=body(
                obj(
                    {
                        "prisoner": string(description="The prisoner's slug"),
                        "money": MONEY,
                        "category": string(enum=list(SPENDING_CATEGORIES)),
                        "paid_from": string(description="The asset account paid from (see /accounts)"),
                        "spent_on": string(format="date", description="Default: today"),
                        "memo": nullable(string(maxLength=500)),
                        "parcel": nullable(ref("SpendingParcelInput")),
                    },
                    required=["prisoner", "money", "category", "paid_from"],
                )
            ),
            responses={
                "201": answer("The entry recorded", ref("EntryAnswer")),
                **write_errors(
                    (
                        *MONEY_CODES,
                        *TEXT_CODES,
                        *DATE_CODES,
                        *PARCEL_CODES,
                        "unknown_prisoner",
                        "unknown_category",
                        "bad_paid_from",
                        "currency_mismatch",
                        "account_closed",
                        "date_in_future",
                        "invalid_boolean",
                    ),
                    conflict=(
                        "insufficient_funds",
                        "parcel_quota",
                        "parcel_weight",
                        "prisoner_unreachable",
                        "duplicate_entry",
                    ),
                ),
            },
        )
    },
    "/disbursements/{entry_id}/receipts": {
        "post": operation(
            "Attach a receipt (JPEG, PNG, WebP photo or PDF; photos lose their EXIF data)",
            operation_id="uploadReceipt",
            tags=["spending"],
            parameters=[path_parameter("entry_id", integer(minimum=1), "The entry the receipt belongs to")],
            request={
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": obj({"file": string(contentMediaType="application/octet-stream")})
                    }
                },
            },
            responses={
                "201": answer("The receipt stored", obj({"receipt": ref("EntryReceipt")})),
                **auth_errors(write=True),
                "404": error("not_found", description="No such entry"),
                "409": error("receipt_not_spending", description="The entry is not spending"),
                "413": error("too_large"),
                "422": error(
                    "missing_field",
                    "receipt_empty",
                    "receipt_too_large",
                    "receipt_type",
                    "receipt_corrupt",
                    "receipt_duplicate",
                ),
            },
        )
    },
    "/conversions": {
        "post": operation(
            "Convert money between currencies, inside a fund (fund) or between two asset accounts "
            "(from_account, to_account)",
            operation_id="createConversion",
            tags=["spending"],
            description="Give the amount received (`to`), or the `rate` with `to_currency`, or both: "
            "then the rate must turn `from` into `to` to the currency's precision, else `rate_mismatch`. "
            "A bank or cash account takes only its own currency (`currency_mismatch`).",
            parameters=IDEMPOTENCY,
            request=body(
                obj(
                    {
                        "fund": nullable(string(description="general or a prisoner's slug")),
                        "from": MONEY,
                        "to": nullable(MONEY),
                        "to_currency": string(pattern="^[A-Z]{3}$"),
                        "rate": nullable(string(description="Units of `to` per unit of `from`, e.g. 98.40")),
                        "from_account": string(description="Without fund: the account exchanged from"),
                        "to_account": string(description="Without fund: the account exchanged into"),
                        "date": string(format="date", description="Default: today"),
                        "memo": nullable(string(maxLength=500)),
                    },
                    required=["from"],
                )
            ),
            responses={
                "201": answer("The entry recorded", ref("EntryAnswer")),
                **write_errors(
                    (
                        *MONEY_CODES,
                        *TEXT_CODES,
                        *DATE_CODES,
                        "invalid_rate",
                        "rate_mismatch",
                        "same_currency",
                        "currency_mismatch",
                        "unknown_prisoner",
                        "unknown_account",
                        "not_a_fund",
                        "bad_paid_from",
                        "account_closed",
                    ),
                    conflict=("insufficient_funds", "duplicate_entry"),
                ),
            },
        )
    },
}
