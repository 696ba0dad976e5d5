"""The bank details donors are told to pay to, per currency (admins keep them)."""

from ledger.api.contract import (
    ADMINS,
    IDEMPOTENCY,
    READERS,
    TEXT_CODES,
    answer,
    array,
    auth_errors,
    body,
    error,
    obj,
    operation,
    path_parameter,
    ref,
    string,
    write_errors,
)

_TEXT = string(
    maxLength=2000,
    description="Lines of text (beneficiary, IBAN, purpose of payment); each line at most 200 "
    "characters, no control characters",
)
_CURRENCY = path_parameter("currency", string(pattern="^[A-Z]{3}$"), "An ISO 4217 code, e.g. EUR")

SCHEMAS: dict[str, dict] = {
    "BankDetails": obj(
        {
            "currency": string(pattern="^[A-Z]{3}$"),
            "details_en": string(),
            "details_ru": string(),
            "updated_at": string(format="date-time"),
        },
    ),
}

PATHS: dict[str, dict] = {
    "/settings/bank-details": {
        "get": operation(
            "The bank details per currency: the currencies donors can pledge a transfer in",
            operation_id="listBankDetails",
            tags=["settings"],
            roles=READERS,
            responses={
                "200": answer("Every currency's details", obj({"bank_details": array(ref("BankDetails"))})),
                **auth_errors(write=False),
            },
        )
    },
    "/settings/bank-details/{currency}": {
        "put": operation(
            "Set or replace a currency's bank details, in English and Russian",
            operation_id="putBankDetails",
            tags=["settings"],
            roles=ADMINS,
            description="Until a currency has them, POST /public-pledges in it answers `no_bank_details`.",
            parameters=[_CURRENCY, *IDEMPOTENCY],
            request=body(obj({"details_en": _TEXT, "details_ru": _TEXT}, closed=True)),
            responses={
                "200": answer("The details now", obj({"bank_details": ref("BankDetails")})),
                **write_errors((*TEXT_CODES, "missing_field", "unknown_field", "unknown_currency")),
            },
        ),
        "delete": operation(
            "Take no more transfer pledges in a currency (pledges made keep their reference)",
            operation_id="deleteBankDetails",
            tags=["settings"],
            roles=ADMINS,
            parameters=[_CURRENCY],
            responses={
                "204": {"description": "Removed"},
                **auth_errors(write=True),
                "404": error("not_found", description="No bank details for that currency"),
            },
        ),
    },
}
