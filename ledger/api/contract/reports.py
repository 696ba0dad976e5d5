"""Reports: per prisoner, trial balance, balance sheet, journal, account ledgers, pledge
fulfilment and receipts."""

from ledger.api.contract import (
    MONEY,
    PAGING,
    PERIOD,
    PERIOD_CODES,
    answer,
    array,
    auth_errors,
    enum_of,
    error,
    integer,
    nullable,
    obj,
    operation,
    path_parameter,
    query_date,
    query_parameter,
    ref,
    string,
)
from ledger.books.kinds import AccountType, Category
from ledger.funds.kinds import PledgeFrequency, PledgeStatus
from ledger.reports.balance_sheet import SECTIONS

_BOOLEAN = {"type": "boolean"}
_LINE_FIELDS = (
    "opening",
    "received",
    "fees",
    "transfers_in",
    "transfers_out",
    "conversions_in",
    "conversions_out",
)

SCHEMAS = {
    "ReportPrisonerCurrency": obj(
        {
            **{name: MONEY for name in _LINE_FIELDS},
            "spent": {"type": "object", "additionalProperties": MONEY, "description": "By category"},
            "spent_total": MONEY,
            "refunds": MONEY,
            "closing": MONEY,
        }
    ),
    "ReportPrisoner": obj(
        {
            "prisoner": obj({"slug": string(), "name": string(), "name_latin": nullable(string())}),
            "from": nullable(string(format="date")),
            "to": nullable(string(format="date")),
            "currencies": {"type": "object", "additionalProperties": ref("ReportPrisonerCurrency")},
            "runway": nullable(obj({"months": nullable(string()), "monthly_need": MONEY, "balance": MONEY})),
        }
    ),
    "ReportJournalEntry": obj(
        {
            "id": integer(),
            "date": string(format="date"),
            "description": string(),
            "recorded_at": string(format="date-time"),
            "author": nullable(string(description="Who recorded it (display name or email)")),
            "source": string(),
            "source_ref": nullable(string()),
            "reverses": nullable(integer()),
            "advance": _BOOLEAN,
            "conversion_rate": nullable(string()),
            "hash": string(),
            "prev_hash": string(),
            "postings": array(
                obj(
                    {
                        "line": integer(),
                        "account": string(),
                        "money": MONEY,
                        "category": nullable(string()),
                        "memo": nullable(string()),
                    }
                )
            ),
        }
    ),
}

_PERIOD_ERROR = error(*PERIOD_CODES, "invalid_page")
_PAGE = {"page": integer(), "per_page": integer(), "total": integer()}

PATHS = {
    "/prisoners/{slug}/report": {
        "get": operation(
            "A prisoner's report per currency: opening, received, fees, transfers, conversions, "
            "spending by category, refunds, closing; runway",
            operation_id="getPrisonerReport",
            tags=["reports"],
            parameters=[path_parameter("slug", string(maxLength=80), "The prisoner's address name"), *PERIOD],
            responses={
                "200": answer("The report", ref("ReportPrisoner")),
                "404": error("not_found", description="No such prisoner, or hidden"),
                "422": error(*PERIOD_CODES),
            },
        )
    },
    "/reports/trial-balance": {
        "get": operation(
            "Per account and currency: debits, credits, balance",
            operation_id="getTrialBalance",
            tags=["reports"],
            parameters=[
                query_parameter("to", query_date("As of this day (inclusive)."), "As of this day (inclusive)")
            ],
            responses={
                "200": answer(
                    "The trial balance",
                    obj(
                        {
                            "as_of": nullable(string(format="date")),
                            "accounts": array(
                                obj(
                                    {
                                        "account": string(),
                                        "type": string(**enum_of(AccountType)),
                                        "currency": string(),
                                        "debits": MONEY,
                                        "credits": MONEY,
                                        "balance": MONEY,
                                    }
                                )
                            ),
                            "totals": {
                                "type": "object",
                                "additionalProperties": obj({"debits": MONEY, "credits": MONEY}),
                            },
                        }
                    ),
                ),
                **auth_errors(write=False),
                "422": error("invalid_date", "date_out_of_range"),
            },
        )
    },
    "/reports/balance-sheet": {
        "get": operation(
            "Assets, funds and equity per currency (per account for signed-in readers); must balance",
            operation_id="getBalanceSheet",
            tags=["reports"],
            responses={
                "200": answer(
                    "The balance sheet",
                    obj(
                        {
                            "detailed": _BOOLEAN,
                            "lines": array(obj({"section": string(), "account": string(), "amount": MONEY})),
                            "totals": {
                                "type": "object",
                                "additionalProperties": obj(
                                    {**{section: MONEY for section in SECTIONS}, "balanced": _BOOLEAN}
                                ),
                            },
                            "balanced": _BOOLEAN,
                        }
                    ),
                )
            },
        )
    },
    "/journal": {
        "get": operation(
            "The general journal: entries with postings, author, source, hash and prev_hash",
            operation_id="getJournal",
            tags=["reports"],
            parameters=[
                *PERIOD,
                query_parameter("account", string(), "Account name or prefix"),
                query_parameter("category", string(**enum_of(Category)), "Posting category"),
                query_parameter(
                    "prisoner", string(), "A prisoner's slug (`unknown_prisoner_filter` if none has it)"
                ),
                *PAGING,
            ],
            responses={
                "200": answer(
                    "A page of entries", obj({**_PAGE, "entries": array(ref("ReportJournalEntry"))})
                ),
                **auth_errors(write=False),
                "422": error(*PERIOD_CODES, "invalid_page", "unknown_category", "unknown_prisoner_filter"),
            },
        )
    },
    "/reports/account-ledger": {
        "get": operation(
            "One account's postings with the running balance",
            operation_id="getAccountLedger",
            tags=["reports"],
            parameters=[
                query_parameter("account", string(maxLength=200), "The account's name", required=True),
                *PERIOD,
                *PAGING,
            ],
            responses={
                "200": answer(
                    "A page of postings",
                    obj(
                        {
                            "account": string(),
                            **_PAGE,
                            "postings": array(
                                obj(
                                    {
                                        "entry": integer(),
                                        "date": string(format="date"),
                                        "description": string(),
                                        "money": MONEY,
                                        "category": nullable(string()),
                                        "memo": nullable(string()),
                                        "balance": MONEY,
                                    }
                                )
                            ),
                        }
                    ),
                ),
                **auth_errors(write=False),
                "404": error("not_found", description="No such account"),
                "422": _PERIOD_ERROR,
            },
        )
    },
    "/reports/pledge-fulfilment": {
        "get": operation(
            "Each pledge: expected and received per month, lapsed or not",
            operation_id="getPledgeFulfilment",
            tags=["reports"],
            parameters=PERIOD,
            responses={
                "200": answer(
                    "Pledge fulfilment",
                    obj(
                        {
                            "pledges": array(
                                obj(
                                    {
                                        "reference": string(),
                                        "fund": string(),
                                        "donor": obj({"id": integer(), "public_name": nullable(string())}),
                                        "frequency": string(**enum_of(PledgeFrequency)),
                                        "status": string(**enum_of(PledgeStatus)),
                                        "amount": MONEY,
                                        "starts_on": string(format="date"),
                                        "ends_on": nullable(string(format="date")),
                                        "expected": MONEY,
                                        "received": MONEY,
                                        "lapsed": _BOOLEAN,
                                        "months": array(
                                            obj({"month": string(), "expected": MONEY, "received": MONEY})
                                        ),
                                    }
                                )
                            )
                        }
                    ),
                ),
                **auth_errors(write=False),
                "422": error(*PERIOD_CODES),
            },
        )
    },
    "/reports/receipts": {
        "get": operation(
            "Receipts attached to entries, with what they paid for",
            operation_id="getReceipts",
            tags=["reports"],
            parameters=[
                *PERIOD,
                query_parameter(
                    "prisoner",
                    string(),
                    "Only receipts spent from this prisoner's fund (the prisoner's slug)",
                ),
                *PAGING,
            ],
            responses={
                "200": answer(
                    "A page of receipts",
                    obj(
                        {
                            **_PAGE,
                            "receipts": array(
                                obj(
                                    {
                                        "id": integer(),
                                        "entry": integer(),
                                        "date": string(format="date"),
                                        "description": string(),
                                        "prisoner": nullable(string()),
                                        "category": nullable(string()),
                                        "money": nullable(MONEY),
                                        "sha256": string(),
                                        "content_type": string(),
                                        "size": integer(),
                                        "uploaded_at": string(format="date-time"),
                                    }
                                )
                            ),
                        }
                    ),
                ),
                **auth_errors(write=False),
                "422": error(*PERIOD_CODES, "invalid_page", "unknown_prisoner_filter"),
            },
        )
    },
}
