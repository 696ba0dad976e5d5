"""Journal entries: reading one, reversing one, and the Entry shape every write answers with."""

from ledger.api.contract import (
    DATE_CODES,
    IDEMPOTENCY,
    MONEY,
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
from ledger.books.kinds import Category, SourceType

SCHEMAS = {
    "EntryPosting": obj(
        {
            "account": string(description="hledger-style account name"),
            "money": {**MONEY, "description": "Signed: debit positive, credit negative"},
            "category": nullable(string(**enum_of(Category))),
            "memo": nullable(string()),
        }
    ),
    "EntryReceipt": obj(
        {
            "id": integer(),
            "sha256": string(),
            "content_type": string(),
            "size": integer(),
            "uploaded_at": string(format="date-time"),
        }
    ),
    "EntryParcel": obj(
        {
            "sent_on": string(format="date"),
            "tracking_number": nullable(string()),
            "total_grams": integer(),
            "facility": nullable(string()),
            "items": array(obj({"name": string(), "quantity": integer(), "grams": integer(), "cost": MONEY})),
        }
    ),
    "Entry": obj(
        {
            "id": integer(description="Place in the hash chain"),
            "date": string(format="date"),
            "description": string(),
            "source": string(**enum_of(SourceType)),
            "recorded_at": string(format="date-time"),
            "recorded_by": nullable(integer()),
            "reverses": nullable(integer()),
            "reversed_by": nullable(integer()),
            "advance": {"type": "boolean"},
            "conversion_rate": nullable(string()),
            "hash": string(),
            "prev_hash": string(),
            "postings": array(ref("EntryPosting")),
            "receipts": array(ref("EntryReceipt")),
            "parcel": nullable(ref("EntryParcel")),
        }
    ),
    "EntryAnswer": obj({"entry": ref("Entry")}),
}

ENTRY_ID = path_parameter("entry_id", integer(minimum=1), "The entry's number in the journal")

PATHS = {
    "/entries/{entry_id}": {
        "get": operation(
            "One entry with its postings, receipts and parcel",
            operation_id="getEntry",
            tags=["entries"],
            parameters=[ENTRY_ID],
            responses={
                "200": answer("The entry", ref("EntryAnswer")),
                **auth_errors(write=False),
                "404": error("not_found", description="No such entry"),
            },
        )
    },
    "/entries/{entry_id}/reverse": {
        "post": operation(
            "Reverse an entry: its mirror image, linked to it; the original stays",
            operation_id="reverseEntry",
            tags=["entries"],
            parameters=[ENTRY_ID, *IDEMPOTENCY],
            request=body(
                obj(
                    {
                        "reason": string(maxLength=300, description="Why; kept in the journal"),
                        "date": string(format="date", description="Default: today"),
                    },
                    required=["reason"],
                )
            ),
            responses={
                "201": answer("The reversing entry", ref("EntryAnswer")),
                **write_errors(
                    (*TEXT_CODES, *DATE_CODES, "reversal_of_reversal", "account_closed", "currency_mismatch"),
                    conflict=("already_reversed", "insufficient_funds", "duplicate_entry"),
                ),
                "404": error("not_found", description="No such entry"),
            },
        )
    },
}
