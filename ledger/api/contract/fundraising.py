"""Prisoners' profiles, donations, transfers between funds and pledges."""

from ledger.api.contract import (
    DATE_CODES,
    IDEMPOTENCY,
    MONEY,
    MONEY_CODES,
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
    query_parameter,
    ref,
    string,
    write_errors,
)
from ledger.funds.kinds import (
    Conditions,
    DonationMethod,
    Gender,
    LifecyclePublication,
    PledgeFrequency,
    PledgeStatus,
    PrisonerStatus,
)
from ledger.funds.prisoners import TEXT_FIELDS

_TEXT = {name: nullable(string(maxLength=length)) for name, length in TEXT_FIELDS.items()}
_PROFILE = {
    **_TEXT,
    "name": string(maxLength=200),
    "slug": string(description="Address name: lowercase Latin letters, digits, hyphens; fixed for ever"),
    "status": string(**enum_of(PrisonerStatus)),
    "public": {"type": "boolean"},
    "monthly_need": nullable(MONEY),
    "facility": nullable(string(description="The facility's name")),
    "channel_url": nullable(
        string(description="The support group's channel or page (a link, never fetched)")
    ),
}
_PROFILE_INPUT = {
    **_TEXT,
    "name": string(maxLength=200),
    "status": string(**enum_of(PrisonerStatus)),
    "public": {"type": "boolean", "description": "Shown on public pages and lists (default false)"},
    "monthly_need": nullable({**MONEY, "description": "What the prisoner needs per month; zero allowed"}),
    "facility": nullable(string(description="A facility's name (see /facilities)")),
    "birth_date": nullable(string(format="date", description="Never public unless the consent below is on")),
    "letter_birth_date_consent": {
        "type": "boolean",
        "description": "Show the date of birth with the address for letters (default false)",
    },
    "channel_url": nullable(string(maxLength=300, description="An http(s) link to the support channel")),
    # private: what the parcel rules depend on, and what the public page shows of the lifecycle
    "gender": nullable(string(**enum_of(Gender))),
    "juvenile": {"type": "boolean"},
    "conditions": nullable(string(**enum_of(Conditions))),
    "lifecycle_public": string(**enum_of(LifecyclePublication)),
}
_DONOR = nullable(
    obj(
        {
            "public_name": nullable(string(maxLength=120, description="Shown publicly; empty: anonymous")),
            "email": nullable(string(description="Never shown, exported or hashed")),
        },
        required=[],
    )
)
PROFILE_CODES = (
    *TEXT_CODES,
    "missing_field",
    "bad_slug",
    "slug_taken",
    "unknown_status",
    "unknown_facility",
    "unknown_field",
    "not_boolean",
    "unknown_gender",
    "unknown_conditions",
    "unknown_publication",
    "invalid_amount",
    "float_amount",
    "too_many_decimals",
    "unknown_currency",
    "amount_too_large",
    "not_decimal",
    "invalid_date",
    "bad_link",
)

SCHEMAS = {
    "PrisonerProfile": obj(_PROFILE),
    "PrisonerSummary": obj(
        {
            **_PROFILE,
            "balances": array(MONEY),
            "runway_months": nullable(string(description="Months the balance lasts at the monthly need")),
        }
    ),
    "PrisonerWithBalances": obj({**_PROFILE, "balances": array(MONEY)}),
    "PrisonerCreate": obj({"slug": _PROFILE["slug"], **_PROFILE_INPUT}, required=["slug", "name"]),
    "PrisonerUpdate": obj(
        {"slug": string(description="Only the prisoner's own slug: it never changes"), **_PROFILE_INPUT},
        required=[],
    ),
    "FundraisingPledge": obj(
        {
            "reference": string(description="The code donors put in their transfer's reference"),
            "fund": string(description="general or a prisoner's slug"),
            "money": MONEY,
            "frequency": string(**enum_of(PledgeFrequency)),
            "starts_on": string(format="date"),
            "ends_on": nullable(string(format="date")),
            "status": string(**enum_of(PledgeStatus)),
            "donor": obj({"public_name": nullable(string())}),
            "fulfilment": obj({"received": MONEY, "last_received_on": nullable(string(format="date"))}),
            "schedule": obj(
                {
                    "instalments_due": integer(minimum=0, description="Instalments due by today"),
                    "instalments_paid": integer(minimum=0),
                    "instalments_missed": integer(
                        minimum=0, description="Still unpaid the settings' overdue days after falling due"
                    ),
                    "open": obj(
                        {"amount": string(), "currency": string()},
                        description="What is still unpaid of the instalments due by today",
                    ),
                    "next_due_on": nullable(
                        string(format="date", description="The oldest instalment not yet paid in full")
                    ),
                }
            ),
        }
    ),
}

SLUG = path_parameter("slug", string(maxLength=80), "The prisoner's address name")
NOT_FOUND = error("not_found", description="No such prisoner, or hidden and you are not signed in")

PATHS = {
    "/prisoners": {
        "get": operation(
            "Public prisoners, shortest runway first, with balances per currency and runway",
            operation_id="listPrisoners",
            tags=["prisoners"],
            parameters=[query_parameter("q", string(), "Search in names"), *PAGING],
            responses={
                "200": answer(
                    "A page of prisoners",
                    obj(
                        {
                            "prisoners": array(ref("PrisonerSummary")),
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
            "Create a prisoner's profile (hidden unless public is true) and their fund",
            operation_id="createPrisoner",
            tags=["prisoners"],
            parameters=IDEMPOTENCY,
            request=body(ref("PrisonerCreate")),
            responses={
                "201": answer("The new profile", obj({"prisoner": ref("PrisonerProfile")})),
                **write_errors(PROFILE_CODES),
            },
        ),
    },
    "/prisoners/{slug}": {
        "get": operation(
            "A prisoner's profile and balances (hidden ones for signed-in readers only)",
            operation_id="getPrisoner",
            tags=["prisoners"],
            parameters=[SLUG],
            responses={
                "200": answer("The prisoner", obj({"prisoner": ref("PrisonerWithBalances")})),
                "404": NOT_FOUND,
            },
        ),
        "patch": operation(
            "Change profile fields (never ledger data); the slug is fixed",
            operation_id="updatePrisoner",
            tags=["prisoners"],
            parameters=[SLUG, *IDEMPOTENCY],
            request=body(ref("PrisonerUpdate")),
            responses={
                "200": answer(
                    "The profile and the fields that changed",
                    obj({"prisoner": ref("PrisonerProfile"), "changed": array(string())}),
                ),
                **write_errors(PROFILE_CODES),
                "404": error("not_found"),
            },
        ),
    },
    "/donations": {
        "post": operation(
            "Record a gift received by bank, cash or another way (card gifts come from Stripe)",
            operation_id="createDonation",
            tags=["donations"],
            parameters=IDEMPOTENCY,
            request=body(
                obj(
                    {
                        "prisoner": nullable(string(description="Slug; null for the general fund")),
                        "money": MONEY,
                        "method": string(**enum_of(DonationMethod, without=(DonationMethod.CARD,))),
                        "asset": string(description="The asset account it came into (see /accounts)"),
                        "received_on": string(format="date", description="Default: today"),
                        "donor": _DONOR,
                        "pledge": nullable(string(description="A pledge's reference code")),
                        "memo": nullable(string(maxLength=500)),
                    },
                    required=["money", "method", "asset"],
                )
            ),
            responses={
                "201": answer(
                    "The entry recorded",
                    obj({"entry": ref("Entry"), "pledge": nullable(string())}),
                ),
                **write_errors(
                    (
                        *MONEY_CODES,
                        *TEXT_CODES,
                        *DATE_CODES,
                        "unknown_prisoner",
                        "unknown_method",
                        "bad_asset",
                        "currency_mismatch",
                        "account_closed",
                        "unknown_pledge",
                        "pledge_mismatch",
                        "pledge_currency",
                        "date_in_future",
                        "invalid_email",
                    ),
                    conflict=("duplicate_entry",),
                ),
            },
        )
    },
    "/transfers": {
        "post": operation(
            "Move money between two funds",
            operation_id="createTransfer",
            tags=["donations"],
            parameters=IDEMPOTENCY,
            request=body(
                obj(
                    {
                        "from": string(description="general or a prisoner's slug"),
                        "to": string(description="general or a prisoner's slug"),
                        "money": MONEY,
                        "on": string(format="date", description="Default: today"),
                        "memo": nullable(string(maxLength=500)),
                    },
                    required=["from", "to", "money"],
                )
            ),
            responses={
                "201": answer("The entry recorded", ref("EntryAnswer")),
                **write_errors(
                    (*MONEY_CODES, *TEXT_CODES, *DATE_CODES, "not_a_fund", "same_fund", "date_in_future"),
                    conflict=("insufficient_funds", "duplicate_entry"),
                ),
            },
        )
    },
    "/pledges": {
        "get": operation(
            "Pledges with their fulfilment (donors' public names only)",
            operation_id="listPledges",
            tags=["pledges"],
            parameters=[query_parameter("status", string(), "Only pledges with this status"), *PAGING],
            responses={
                "200": answer(
                    "A page of pledges",
                    obj(
                        {
                            "pledges": array(ref("FundraisingPledge")),
                            "page": integer(),
                            "per_page": integer(),
                        }
                    ),
                ),
                **auth_errors(write=False),
                "422": error("invalid_page"),
            },
        ),
        "post": operation(
            "Create a pledge; it gets a reference code for the donor's transfers",
            operation_id="createPledge",
            tags=["pledges"],
            parameters=IDEMPOTENCY,
            request=body(
                obj(
                    {
                        "fund": string(description="general or a prisoner's slug"),
                        "money": MONEY,
                        "frequency": string(**enum_of(PledgeFrequency)),
                        "starts_on": string(format="date", description="Default: today"),
                        "ends_on": nullable(string(format="date")),
                        "donor": _DONOR,
                    },
                    required=["fund", "money", "frequency"],
                )
            ),
            responses={
                "201": answer("The pledge", obj({"pledge": ref("FundraisingPledge")})),
                **write_errors(
                    (
                        *MONEY_CODES,
                        *TEXT_CODES,
                        *DATE_CODES,
                        "unknown_prisoner",
                        "unknown_frequency",
                        "ends_before_start",
                        "invalid_email",
                    )
                ),
            },
        ),
    },
    "/pledges/{reference}/cancel": {
        "post": operation(
            "End a pledge for good (a card pledge's Stripe subscription first)",
            operation_id="cancelPledge",
            tags=["pledges"],
            parameters=[
                path_parameter("reference", string(maxLength=32), "The pledge's reference code"),
                *IDEMPOTENCY,
            ],
            responses={
                "200": answer("The pledge, cancelled", obj({"pledge": ref("FundraisingPledge")})),
                "400": error(
                    "bad_json",
                    "bad_idempotency_key",
                    description="A body that is not a JSON object, or a bad key",
                ),
                **auth_errors(write=True),
                "404": error("not_found", description="No pledge with that reference"),
                "409": error("idempotency_conflict", description="The key was used for another request"),
                "415": error("unsupported_media_type", description="A body that is not JSON"),
                "422": error(
                    "pledge_not_active",
                    "pledge_card_needs_stripe",
                    "unknown_field",
                    description="The pledge is not running (the request takes no fields)",
                ),
                "502": error(
                    "stripe_unreachable", description="Stripe could not be reached; nothing changed"
                ),
            },
        )
    },
}
