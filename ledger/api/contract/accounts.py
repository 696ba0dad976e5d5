"""Asset accounts (bank, cash, Stripe, intermediary) and facilities."""

from ledger.api.contract import (
    IDEMPOTENCY,
    MONEY,
    PAGING,
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
from ledger.books.kinds import AssetKind
from ledger.funds.kinds import FacilityKind, Regime

_NAME = string(
    maxLength=200,
    description="hledger style: assets:bank:…, assets:cash:…, assets:stripe or assets:intermediary:…",
    examples=["assets:bank:eur-main"],
)
_LABEL = string(maxLength=200, description="In English")
_LABEL_RU = nullable(string(maxLength=200, description="In Russian"))
ACCOUNT_CODES = (
    *TEXT_CODES,
    "bad_account_name",
    "account_kind_mismatch",
    "unknown_account_kind",
    "currency_required",
    "unknown_currency",
    "unknown_field",
)
FACILITY_CODES = (
    *TEXT_CODES,
    "missing_field",
    "facility_taken",
    "unknown_field",
    "unknown_facility_kind",
    "unknown_regime",
)

SCHEMAS = {
    "AccountsAccount": obj(
        {
            "name": string(),
            "kind": string(**enum_of(AssetKind)),
            "currency": nullable(
                string(
                    description="The one currency a bank or cash account holds; null: any (Stripe, "
                    "intermediaries opened without one)"
                )
            ),
            "label": nullable(string()),
            "label_ru": nullable(string()),
            "open": {"type": "boolean"},
            "closed_at": nullable(string(format="date-time")),
            "balance": array(MONEY),
        }
    ),
    "AccountsFacility": obj(
        {
            "id": integer(),
            "name": string(),
            "address": nullable(string()),
            "region": nullable(string()),
            "kind": string(**enum_of(FacilityKind)),
            "regime": string(**enum_of(Regime)),
            "postal_address_ru": nullable(string()),
            "postal_address_latin": nullable(string()),
        }
    ),
}

_FACILITY_FIELDS = {
    "name": string(maxLength=200),
    "address": nullable(string(maxLength=1000)),
    "region": nullable(string(maxLength=120)),
    "kind": string(**enum_of(FacilityKind), description="Chooses the parcel rules; a new facility is other"),
    "regime": string(**enum_of(Regime), description="Chooses the parcel rules; a new facility has none"),
    "postal_address_ru": nullable(
        string(maxLength=500, description="Where letters go, in Russian, ending with the official name")
    ),
    "postal_address_latin": nullable(
        string(maxLength=500, description="Where letters go, in Latin letters, for writers abroad")
    ),
}

PATHS = {
    "/accounts": {
        "get": operation(
            "Asset accounts with their kind, currency, labels, whether open, and balance",
            operation_id="listAccounts",
            tags=["accounts"],
            parameters=PAGING,
            responses={
                "200": answer(
                    "A page of accounts",
                    obj(
                        {
                            "accounts": array(ref("AccountsAccount")),
                            "page": integer(),
                            "per_page": integer(),
                            "total": integer(),
                        }
                    ),
                ),
                **auth_errors(write=False),
                "422": error("invalid_page"),
            },
        ),
        "post": operation(
            "Open an asset account; a bank or cash account holds exactly one currency",
            operation_id="createAccount",
            tags=["accounts"],
            parameters=IDEMPOTENCY,
            request=body(
                obj(
                    {
                        "name": _NAME,
                        "currency": nullable(
                            string(pattern="^[A-Z]{3}$", description="Required for bank and cash")
                        ),
                        "label": _LABEL,
                        "label_ru": _LABEL_RU,
                        "kind": string(
                            **enum_of(AssetKind), description="Optional; must agree with the name"
                        ),
                    },
                    required=["name", "label"],
                    closed=True,
                )
            ),
            responses={
                "201": answer("The account opened", obj({"account": ref("AccountsAccount")})),
                **write_errors(ACCOUNT_CODES, conflict=("account_exists",)),
            },
        ),
    },
    "/accounts/{name}": {
        "patch": operation(
            "Rename an account's labels, or close it (open: false) when it holds nothing",
            operation_id="updateAccount",
            tags=["accounts"],
            parameters=[path_parameter("name", string(maxLength=200), "The account's name"), *IDEMPOTENCY],
            request=body(
                obj(
                    {
                        "label": _LABEL,
                        "label_ru": _LABEL_RU,
                        "open": {
                            "type": "boolean",
                            "description": "false closes the account; never reopened",
                        },
                    },
                    required=[],
                    closed=True,
                )
            ),
            responses={
                "200": answer(
                    "The account and what changed",
                    obj({"account": ref("AccountsAccount"), "changed": array(string())}),
                ),
                **write_errors(
                    (*TEXT_CODES, "unknown_field", "invalid_boolean", "account_closed"),
                    conflict=("account_not_empty", "account_closed"),
                ),
                "404": error("not_found", description="No such asset account"),
            },
        )
    },
    "/facilities": {
        "get": operation(
            "Facilities: name, address, region, kind and regime",
            operation_id="listFacilities",
            tags=["facilities"],
            parameters=PAGING,
            responses={
                "200": answer(
                    "A page of facilities",
                    obj(
                        {
                            "facilities": array(ref("AccountsFacility")),
                            "page": integer(),
                            "per_page": integer(),
                            "total": integer(),
                        }
                    ),
                ),
                "422": error("invalid_page"),
            },
        ),
        "post": operation(
            "Add a facility; prisoners name it in their profile",
            operation_id="createFacility",
            tags=["facilities"],
            parameters=IDEMPOTENCY,
            request=body(obj(_FACILITY_FIELDS, required=["name"], closed=True)),
            responses={
                "201": answer("The facility", obj({"facility": ref("AccountsFacility")})),
                **write_errors(FACILITY_CODES),
            },
        ),
    },
    "/facilities/{facility_id}": {
        "patch": operation(
            "Change a facility's name, address, region, kind or regime",
            operation_id="updateFacility",
            tags=["facilities"],
            parameters=[path_parameter("facility_id", integer(minimum=1), "The facility's id"), *IDEMPOTENCY],
            request=body(obj(_FACILITY_FIELDS, required=[], closed=True)),
            responses={
                "200": answer("The facility", obj({"facility": ref("AccountsFacility")})),
                **write_errors(FACILITY_CODES),
                "404": error("not_found", description="No such facility"),
            },
        )
    },
}
