"""Commissary support: transfers to personal accounts, the personal-account view, monthly
top-ups and the monthly top-up run."""

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
    query_parameter,
    ref,
    string,
    write_errors,
)
from ledger.commissary.kinds import Channel, RunStatus, SkipReason, TransferStatus

DATE = string(format="date")
TRANSFER_ID = [path_parameter("transfer_id", integer(minimum=1), "The transfer")]
RUN_ID = [path_parameter("run_id", integer(minimum=1), "The run")]
SLUG = [path_parameter("slug", string(maxLength=80), "The prisoner's slug")]
BOOLEAN = {"type": "boolean"}

SCHEMAS = {
    "CommissaryTransfer": obj(
        {
            "id": integer(),
            "prisoner": string(),
            "status": string(**enum_of(TransferStatus)),
            "channel": string(**enum_of(Channel)),
            "money": MONEY,
            "fee": MONEY,
            "paid_from": string(),
            "sent_on": DATE,
            "settled_on": nullable(DATE),
            "sent_entry": integer(),
            "settled_entry": nullable(integer()),
            "return_reason": nullable(string()),
            "over_limit_reason": nullable(string()),
            "memo": nullable(string()),
            "run_month": nullable(string()),
            "days_in_transit": integer(description="Only in lists: days since sent (until settled)"),
            "moved_on": nullable(DATE),
            "overdue": BOOLEAN,
        },
        required=["id", "prisoner", "status", "channel", "money", "fee", "paid_from", "sent_on"],
    ),
    "CommissaryRun": obj(
        {
            "id": integer(),
            "month": string(pattern="^[0-9]{4}-[0-9]{2}$"),
            "status": string(**enum_of(RunStatus)),
            "prepared_by": integer(),
            "approved_by": nullable(integer()),
            "to_send": integer(),
            "skipped": integer(),
            "sent": integer(),
            "lines": array(
                obj(
                    {
                        "prisoner": string(),
                        "money": MONEY,
                        "fee": MONEY,
                        "channel": string(**enum_of(Channel)),
                        "paid_from": string(),
                        "skip_reason": nullable(string(**enum_of(SkipReason))),
                        "transfer": nullable(integer()),
                    }
                )
            ),
            "log": array(
                obj(
                    {
                        "at": string(),
                        "event": string(),
                        "user": nullable(integer()),
                        "transfer": nullable(integer()),
                        "detail": nullable(string()),
                    }
                )
            ),
        }
    ),
}

TRANSFER_ANSWER = obj({"transfer": ref("CommissaryTransfer")})
RUN_ANSWER = obj({"run": ref("CommissaryRun")})

PATHS = {
    "/commissary/transfers": {
        "post": operation(
            "Send money to a prisoner's personal account at the facility: in transit until credited",
            operation_id="createCommissaryTransfer",
            tags=["commissary"],
            description="The amount moves to `assets:in-transit:commissary-<currency>` and stays "
            "the fund's, held back from other spending; a fee is spent from the fund at once. "
            "Over the month's limit: 409 `over_monthly_limit` with `details.limit` and "
            "`details.left`, unless `allow_over_limit` with `over_limit_reason`.",
            parameters=IDEMPOTENCY,
            request=body(
                obj(
                    {
                        "prisoner": string(description="The prisoner's slug"),
                        "money": MONEY,
                        "channel": string(**enum_of(Channel)),
                        "fee": nullable(MONEY),
                        "paid_from": string(description="The asset account paid from"),
                        "sent_on": string(format="date", description="Default: today"),
                        "memo": nullable(string(maxLength=500)),
                        "allow_over_limit": BOOLEAN,
                        "over_limit_reason": nullable(string(maxLength=500)),
                    },
                    required=["prisoner", "money", "channel", "paid_from"],
                )
            ),
            responses={
                "201": answer("The transfer, in transit", TRANSFER_ANSWER),
                "202": answer(
                    "At or above the approval threshold (amount and fee): waiting for a second "
                    "person's sign-off (`/approvals/{id}/approve`); the money is held back meanwhile",
                    ref("ApprovalPending"),
                ),
                **write_errors(
                    (
                        *MONEY_CODES,
                        *TEXT_CODES,
                        *DATE_CODES,
                        "unknown_field",
                        "unknown_prisoner",
                        "unknown_channel",
                        "bad_paid_from",
                        "bad_fee",
                        "currency_mismatch",
                        "date_in_future",
                        "invalid_boolean",
                        "over_limit_reason_required",
                    ),
                    conflict=(
                        "insufficient_funds",
                        "over_monthly_limit",
                        "prisoner_unreachable",
                        "prisoner_released",
                        "duplicate_entry",
                    ),
                ),
            },
        ),
        "get": operation(
            "Transfers to personal accounts with their status and days in transit",
            operation_id="listCommissaryTransfers",
            tags=["commissary"],
            parameters=[
                query_parameter("status", string(**enum_of(TransferStatus)), "Only this status"),
                query_parameter("prisoner", string(maxLength=80), "Only this prisoner (slug)"),
            ],
            responses={
                "200": answer(
                    "Newest first; `overdue` past the watch's days",
                    obj({"transfers": array(ref("CommissaryTransfer")), "watch_days": integer()}),
                ),
                **auth_errors(write=False),
                "422": error("unknown_transfer_status", "unknown_prisoner"),
            },
        ),
    },
    "/commissary/transfers/{transfer_id}/credited": {
        "post": operation(
            "The money reached the personal account: spent from the fund as commissary that day",
            operation_id="creditCommissaryTransfer",
            tags=["commissary"],
            parameters=[*IDEMPOTENCY, *TRANSFER_ID],
            request=body(obj({"on": string(format="date", description="Default: today")}, required=[])),
            responses={
                "200": answer("The transfer, credited", TRANSFER_ANSWER),
                "404": error("not_found", description="No such transfer"),
                **write_errors(
                    (*DATE_CODES, "unknown_field", "date_in_future", "settled_before_sent"),
                    conflict=("transfer_not_in_transit", "insufficient_funds"),
                ),
            },
        )
    },
    "/commissary/transfers/{transfer_id}/returned": {
        "post": operation(
            "The money came back: the fund's to spend again, less any fee the service kept",
            operation_id="returnCommissaryTransfer",
            tags=["commissary"],
            parameters=[*IDEMPOTENCY, *TRANSFER_ID],
            request=body(
                obj(
                    {
                        "on": string(format="date", description="Default: today"),
                        "reason": nullable(string(maxLength=500)),
                    },
                    required=[],
                )
            ),
            responses={
                "200": answer("The transfer, returned", TRANSFER_ANSWER),
                "404": error("not_found", description="No such transfer"),
                **write_errors(
                    (*DATE_CODES, *TEXT_CODES, "unknown_field", "date_in_future", "settled_before_sent"),
                    conflict=("transfer_not_in_transit", "account_closed"),
                ),
            },
        )
    },
    "/prisoners/{slug}/personal-account": {
        "get": operation(
            "The personal account this month: in transit, credited, the limit and what is left",
            operation_id="readPersonalAccount",
            tags=["commissary"],
            parameters=SLUG,
            responses={
                "200": answer(
                    "In roubles; `limit` and `left` null when no limit is recorded",
                    obj(
                        {
                            "personal_account": obj(
                                {
                                    "month": string(),
                                    "in_transit": MONEY,
                                    "credited_this_month": MONEY,
                                    "limit": nullable(MONEY),
                                    "left": nullable(MONEY),
                                    "legal_basis": nullable(string()),
                                }
                            )
                        }
                    ),
                ),
                **auth_errors(write=False),
                "404": error("not_found", description="No such prisoner"),
            },
        )
    },
    "/prisoners/{slug}/top-up": {
        "put": operation(
            "Set the prisoner's monthly top-up, or stop it with `money` null",
            operation_id="setTopUp",
            tags=["commissary"],
            parameters=[*IDEMPOTENCY, *SLUG],
            request=body(
                obj(
                    {
                        "money": nullable(MONEY),
                        "fee": nullable(MONEY),
                        "channel": string(**enum_of(Channel), description="Default: zonatelecom"),
                        "paid_from": nullable(string(description="Required with money")),
                    },
                    required=[],
                )
            ),
            responses={
                "200": answer(
                    "The top-up, or null when stopped",
                    obj(
                        {
                            "top_up": nullable(
                                obj(
                                    {"money": MONEY, "fee": MONEY, "channel": string(), "paid_from": string()}
                                )
                            )
                        }
                    ),
                ),
                "404": error("not_found", description="No such prisoner"),
                **write_errors(
                    (
                        *MONEY_CODES,
                        "unknown_field",
                        "unknown_channel",
                        "bad_paid_from",
                        "bad_fee",
                        "currency_mismatch",
                    ),
                ),
            },
        )
    },
    "/commissary/runs": {
        "post": operation(
            "Prepare a month's top-up run: per prisoner what would be sent, or why not",
            operation_id="prepareCommissaryRun",
            tags=["commissary"],
            parameters=IDEMPOTENCY,
            request=body(obj({"month": string(pattern="^[0-9]{4}-[0-9]{2}$", examples=["2026-12"])})),
            responses={
                "201": answer("The prepared run (nothing sent yet)", RUN_ANSWER),
                **write_errors((*TEXT_CODES, "unknown_field", "invalid_month")),
            },
        )
    },
    "/commissary/runs/{run_id}": {
        "get": operation(
            "A run with its lines and log",
            operation_id="readCommissaryRun",
            tags=["commissary"],
            parameters=RUN_ID,
            responses={
                "200": answer("The run", RUN_ANSWER),
                **auth_errors(write=False),
                "404": error("not_found", description="No such run"),
            },
        )
    },
    "/commissary/runs/{run_id}/approve": {
        "post": operation(
            "Approve a run as a whole: every line posted once as a transfer in transit",
            operation_id="approveCommissaryRun",
            tags=["commissary"],
            description="Never by who prepared it, admins included (403 `own_approval`). Each "
            "prisoner-month is sent at most once; approving again sends nothing more.",
            parameters=[*IDEMPOTENCY, *RUN_ID],
            request=body(obj({}, required=[]), required=False),
            responses={
                "200": answer("The approved run", RUN_ANSWER),
                "404": error("not_found", description="No such run"),
                **write_errors(("unknown_field",), conflict=("run_already_approved",)),
                "403": error("forbidden", "own_approval", description="Not this role, or one's own run"),
            },
        )
    },
}
