"""Letters sent to prisoners, the letter services, and where to write (ledger/api/letters.py)."""

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
from ledger.letters.letters import MAX_IMAGES, MAX_PAGES

_STATUS = string(
    enum=["free", "posted", "pending", "refused"],
    description="free: nothing spent; posted: its letters entry is in the journal; pending: waiting "
    "for a second person's sign-off; refused: the sign-off was refused or withdrawn",
)
_SERVICE_FIELDS = {
    "name": string(maxLength=120),
    "name_ru": nullable(string(maxLength=120)),
    "url": nullable(string(maxLength=300, description="An http(s) link, shown, never fetched")),
    "letter_price": nullable({**MONEY, "description": "In RUB; null: not known (letters need a cost)"}),
    "reply_form_price": nullable(MONEY),
    "image_price": nullable(MONEY),
    "serves_all": {"type": "boolean", "description": "Reaches every facility (default true)"},
    "regions": nullable(string(maxLength=2000, description="Regions it reaches, separated by commas")),
    "facilities": array(string(description="A facility's name")),
    "note": nullable(string(maxLength=1000)),
    "active": {"type": "boolean"},
}
_SERVICE_OUT = {
    **_SERVICE_FIELDS,
    "key": string(),
    "name_ru": string(),
    "regions": array(string()),
}
_SERVICE_CODES = (
    *TEXT_CODES,
    *MONEY_CODES,
    "unknown_field",
    "bad_link",
    "not_boolean",
    "letter_price_currency",
    "unknown_facility",
)

SCHEMAS = {
    "LettersLetter": obj(
        {
            "id": integer(),
            "prisoner": string(description="The prisoner's slug"),
            "service": string(description="The service's key"),
            "sent_on": string(format="date"),
            "pages": integer(minimum=1),
            "images": integer(minimum=0),
            "reply_form": {"type": "boolean"},
            "cost": MONEY,
            "paid_from": nullable(string()),
            "status": _STATUS,
            "entry": nullable(integer(description="The letters spending entry, once posted")),
            "approval": nullable(integer(description="The sign-off item, above the threshold")),
            "replied_on": nullable(string(format="date")),
        }
    ),
    "LettersService": obj(_SERVICE_OUT),
}

_LETTER_REQUEST = obj(
    {
        "prisoner": string(description="The prisoner's slug"),
        "service": string(description="A service's key: rosuznik, fsin_pismo, zonatelecom, post, other …"),
        "sent_on": string(format="date", description="Default today"),
        "pages": integer(minimum=1, maximum=MAX_PAGES, description="Default 1"),
        "images": integer(minimum=0, maximum=MAX_IMAGES, description="Default 0"),
        "reply_form": {"type": "boolean", "description": "Default false"},
        "cost": nullable(
            {
                **MONEY,
                "description": "What it cost; default the service's prices (a letter, each image, "
                "a reply form). Zero: free",
            }
        ),
        "paid_from": nullable(string(description="The asset account a paid letter was paid from")),
    },
    required=["prisoner", "service"],
    closed=True,
)
_LETTER = obj({"letter": ref("LettersLetter")})
_SERVICE = obj({"service": ref("LettersService")})
_LETTER_ID = path_parameter("letter_id", integer(minimum=1), "The letter's id")
_KEY = path_parameter("key", string(maxLength=40), "The service's key")
_SLUG = path_parameter("slug", string(maxLength=80), "The prisoner's address name")

PATHS = {
    "/letters": {
        "post": operation(
            "Record a letter sent or paid for; a paid one posts letters spending from the prisoner's fund",
            description="The cost follows the service's prices unless given (FSIN-pismo: 55 ₽ a letter, "
            "35 ₽ an image, 55 ₽ a reply form). It goes through the spending rules: the fund must cover "
            "it, the whereabouts must be known, and from the sign-off threshold on it waits (202).",
            operation_id="createLetter",
            tags=["letters"],
            parameters=IDEMPOTENCY,
            request=body(_LETTER_REQUEST),
            responses={
                "201": answer("Recorded (and posted when paid)", _LETTER),
                "202": answer("Recorded; its spending waits for a second person's sign-off", _LETTER),
                **write_errors(
                    (
                        *MONEY_CODES,
                        *DATE_CODES,
                        *TEXT_CODES,
                        "unknown_field",
                        "unknown_prisoner",
                        "unknown_letter_service",
                        "letter_bad_count",
                        "invalid_boolean",
                        "not_boolean",
                        "date_in_future",
                        "letter_cost_required",
                        "letter_paid_from_required",
                        "bad_paid_from",
                        "currency_mismatch",
                        "account_closed",
                    ),
                    ("insufficient_funds", "prisoner_unreachable", "duplicate_entry"),
                ),
            },
        ),
        "get": operation(
            "Letters, newest first (coordinators' and auditors' view)",
            operation_id="listLetters",
            tags=["letters"],
            parameters=[
                query_parameter("prisoner", string(maxLength=80), "Only this prisoner's (slug)"),
                query_parameter("month", string(pattern=r"^\d{4}-\d{2}$"), "Only this month, YYYY-MM"),
                query_parameter("unanswered", string(enum=["true", "false"]), "Only those with no reply"),
            ],
            responses={
                "200": answer("Letters", obj({"letters": array(ref("LettersLetter"))})),
                **auth_errors(write=False),
                "422": error("unknown_prisoner", "unknown_month", "invalid_boolean"),
            },
        ),
    },
    "/letters/{letter_id}/reply": {
        "post": operation(
            "The prisoner answered: record the day the reply came (once)",
            operation_id="replyToLetter",
            tags=["letters"],
            parameters=[_LETTER_ID, *IDEMPOTENCY],
            request=body(obj({"on": string(format="date")}, required=[], closed=True), required=False),
            responses={
                "200": answer("The letter with its reply", _LETTER),
                "404": error("not_found"),
                **write_errors(
                    (*DATE_CODES, "unknown_field", "date_in_future", "reply_before_letter"),
                    ("letter_already_answered",),
                ),
            },
        ),
    },
    "/letter-services": {
        "get": operation(
            "The services that carry letters: prices in RUB, where they reach",
            operation_id="listLetterServices",
            tags=["letters"],
            responses={"200": answer("Services", obj({"services": array(ref("LettersService"))}))},
        ),
        "post": operation(
            "Add a letter service",
            operation_id="createLetterService",
            tags=["letters"],
            parameters=IDEMPOTENCY,
            request=body(
                obj(
                    {"key": string(pattern="^[a-z0-9_]{1,40}$"), **_SERVICE_FIELDS},
                    required=["key", "name"],
                    closed=True,
                )
            ),
            responses={
                "201": answer("The new service", _SERVICE),
                **write_errors((*_SERVICE_CODES, "bad_service_key", "service_key_taken")),
            },
        ),
    },
    "/letter-services/{key}": {
        "patch": operation(
            "Change a letter service: prices, link, where it reaches, in use or not",
            operation_id="updateLetterService",
            tags=["letters"],
            parameters=[_KEY, *IDEMPOTENCY],
            request=body(obj(_SERVICE_FIELDS, required=[], closed=True)),
            responses={
                "200": answer("The service", _SERVICE),
                "404": error("not_found"),
                **write_errors(_SERVICE_CODES),
            },
        ),
    },
    "/prisoners/{slug}/letter-address": {
        "get": operation(
            "Where to write now: the address from the current facility in Russian and Latin letters, "
            "the services that reach it, the support channel",
            description="state: ok, fallback (the profile's typed address, before any transfer), unknown "
            "(whereabouts unknown: no address), no_address, no_facility, released, died. The birth date "
            "is part of the address only when the prisoner's consent switch is on.",
            operation_id="readLetterAddress",
            tags=["letters"],
            parameters=[_SLUG],
            responses={
                "200": answer(
                    "The address",
                    obj(
                        {
                            "address": obj(
                                {
                                    "state": string(
                                        enum=[
                                            "ok",
                                            "fallback",
                                            "unknown",
                                            "no_address",
                                            "no_facility",
                                            "released",
                                            "died",
                                        ]
                                    ),
                                    "facility": nullable(string()),
                                    "since": nullable(string(format="date")),
                                    "russian": nullable(string()),
                                    "latin": nullable(string()),
                                }
                            ),
                            "services": array(ref("LettersService")),
                            "channel_url": nullable(string()),
                        }
                    ),
                ),
                "404": error("not_found"),
            },
        ),
    },
}
