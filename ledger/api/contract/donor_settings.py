"""The admins' settings for donors: bank details per currency, pledge rules and retention."""

from ledger.api.contract import (
    IDEMPOTENCY,
    TEXT_CODES,
    answer,
    array,
    auth_errors,
    body,
    error,
    integer,
    obj,
    operation,
    path_parameter,
    ref,
    string,
    write_errors,
)
from ledger.funds.schedules import RULE_LIMITS

_TEXT = string(
    maxLength=2000,
    description="Lines of text (beneficiary, IBAN, purpose of payment); each line at most 200 "
    "characters, no control characters",
)
_CURRENCY = path_parameter("currency", string(pattern="^[A-Z]{3}$"), "An ISO 4217 code, e.g. EUR")

_RULE_TEXT = {
    "overdue_days": "Days after its due date until an instalment counts as missed (N)",
    "lapse_missed": "Missed instalments after which a pledge has lapsed (M)",
    "email_retention_days": "Days a donor's email is kept, then deleted",
}
_RULES = obj(
    {
        name: integer(minimum=RULE_LIMITS[name][0], maximum=RULE_LIMITS[name][1], description=text)
        for name, text in _RULE_TEXT.items()
    },
    closed=True,
)

SCHEMAS: dict[str, dict] = {
    "DonorRules": _RULES,
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
            parameters=[_CURRENCY],
            responses={
                "204": {"description": "Removed"},
                **auth_errors(write=True),
                "404": error("not_found", description="No bank details for that currency"),
            },
        ),
    },
    "/settings/donor-rules": {
        "get": operation(
            "The pledge rules and how long donors' emails are kept",
            operation_id="getDonorRules",
            tags=["settings"],
            responses={
                "200": answer(
                    "The rules (the defaults until an admin sets them)",
                    obj({"donor_rules": ref("DonorRules")}),
                ),
                **auth_errors(write=False),
            },
        ),
        "put": operation(
            "Set the pledge rules and the email retention period",
            operation_id="putDonorRules",
            tags=["settings"],
            description="The pledge job (`flask --app wsgi pledges update`) applies them at its next run.",
            parameters=IDEMPOTENCY,
            request=body(_RULES),
            responses={
                "200": answer("The rules now", obj({"donor_rules": ref("DonorRules")})),
                **write_errors(("missing_field", "unknown_field", "invalid_number", "number_out_of_range")),
            },
        ),
    },
}
