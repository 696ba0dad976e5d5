"""Human messages for the domain's error codes, in the reader's language.

The domain raises codes with parameters; this is the one place that turns
them into words, used by the web pages, the JSON API and the CLI.
"""

from __future__ import annotations

from datetime import date

from babel.lists import format_list
from flask_babel import format_currency, format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from ledger.access.roles import ROLES
from ledger.books.kinds import ASSET_KINDS, SPENDING_CATEGORIES
from ledger.edge.dates import format_day
from ledger.funds.kinds import DONATION_METHODS
from ledger.money import Money

MESSAGES = {
    # money
    "float_amount": _l("Amounts must be written as text like 12.50, not as a floating-point number."),
    "invalid_amount": _l("Enter the amount with digits and at most one decimal point, like 1250.50."),
    "invalid_written_amount": _l("Enter the amount in digits, like %(example)s."),
    "missing_amount": _l("Enter an amount."),
    "ambiguous_amount": _l(
        "“%(text)s” could be read two ways: write it without the comma, or with a decimal point."
    ),
    "zero_amount": _l("The amount must be greater than zero."),
    "too_many_decimals": _l("%(currency)s has at most %(places)s decimal places."),
    "amount_too_large": _l("This amount is too large."),
    "unknown_currency": _l("Unknown currency: use a three-letter ISO 4217 code such as EUR or RUB."),
    "currency_mismatch": _l("The amounts are in different currencies."),
    "not_decimal": _l("Amounts must be exact decimals."),
    "amount_not_text": _l('Write the amount as a decimal string in quotes, like "12.50", not as a number.'),
    "invalid_rate": _l("Enter the exchange rate as a positive decimal number, like 95.50."),
    # text
    "invalid_text": _l("This field must be text."),
    "required": _l("This field is required."),
    "too_long": _l("This text is too long (at most %(max)s characters)."),
    "control_character": _l("Line breaks and control characters are not allowed here."),
    # ledger
    "unbalanced_entry": _l("The entry does not balance in every currency."),
    "invalid_entry": _l("The entry is not valid."),
    "insufficient_funds": _l("Not enough money in %(account)s: %(available)s available, %(needed)s needed."),
    "duplicate_entry": _l("This was already recorded."),
    "already_reversed": _l("This entry has already been reversed."),
    "not_permitted": _l("You are not allowed to do this."),
    # spending
    "unknown_category": _l("Choose a category: %(choices)s."),
    "bad_paid_from": _l("Choose the bank or cash account the money was paid from."),
    "date_in_future": _l("The date cannot be in the future."),
    "date_out_of_range": _l("Enter a date between 2000 and 2100."),
    "invalid_date": _l("Enter the date as YYYY-MM-DD."),
    "period_reversed": _l("The end of the period comes before its start."),
    "invalid_page": _l("Pages are numbered from 1; at most 500 items per page."),
    "parcel_empty": _l("A parcel needs at least one item or its total weight."),
    "parcel_too_many_items": _l("A parcel can list at most %(max)s items."),
    "parcel_bad_quantity": _l("Each item needs a whole quantity greater than zero."),
    "parcel_bad_weight": _l("Weights are whole grams, greater than zero for the parcel."),
    "parcel_item_currency": _l("Item costs must be in %(currency)s, like the amount."),
    "parcel_items_exceed_amount": _l("The items cost %(items)s, more than the amount of %(amount)s."),
    "parcel_needs_category": _l("Parcel details belong to the “parcels” category."),
    "parcel_quota": _l(
        "This year's parcels are used up: %(used)s of %(allowed)s sent. The next one may go on "
        "%(next_on)s. If it is allowed anyway (improved conditions, a decision of the facility, a "
        "medical conclusion), write why."
    ),
    "parcel_quota_month_weight": _l(
        "This parcel (%(grams)s g) would pass the monthly weight limit: %(used)s g of %(allowed)s g "
        "already sent this month. A parcel of this weight may go on %(next_on)s. If it is allowed "
        "anyway (a decision of the facility, a medical conclusion), write why."
    ),
    "parcel_quota_month_weight_used": _l(
        "This month's weight limit is used up: %(used)s g of %(allowed)s g sent. The next parcel "
        "may go on %(next_on)s. If it is allowed anyway (a decision of the facility, a medical "
        "conclusion), write why."
    ),
    "parcel_quota_facility_month": _l(
        "The facility's limit for this month is reached: %(used)s of %(allowed)s parcels sent. The "
        "next one may go on %(next_on)s. If it is allowed anyway (a decision of the facility), write why."
    ),
    "parcel_items_exceed_weight": _l(
        "The items weigh %(items_grams)s g, more than the parcel's total weight of %(grams)s g. "
        "Check the weights: an item's weight is for one piece."
    ),
    "parcel_weight": _l(
        "This parcel weighs %(grams)s g; at most %(max)s g are allowed. If it is allowed anyway "
        "(a decision of the facility), write why."
    ),
    "unknown_parcel_kind": _l("Choose a parcel or a small parcel."),
    "prisoner_unreachable": _l(
        "Nobody knows where this prisoner is (since %(since)s): spending for them is refused "
        "until a transfer, a release or news that they were found is recorded. Donations are still accepted."
    ),
    "same_currency": _l("Choose a different currency to convert to."),
    "not_a_fund": _l("Choose a prisoner's fund or the general fund."),
    "bad_cash_movement": _l(
        "Cash moves between a bank account and a coordinator's cash, in either direction."
    ),
    "unknown_prisoner": _l("No such prisoner."),
    "unknown_prisoner_filter": _l("No prisoner is recorded as “%(value)s”: choose one from the list."),
    # lifecycle and parcels
    "prisoner_deceased": _l("This prisoner died on %(died_on)s; no further events can be recorded."),
    "unknown_event_type": _l(
        "Choose what happened: transferred, whereabouts unknown, found, released or died."
    ),
    "whereabouts_known": _l(
        "Their whereabouts are known: “found” ends a time when nobody knew where they were. "
        "Record a transfer to say they were moved."
    ),
    "facility_required": _l("Name the facility the prisoner was transferred to."),
    "unknown_fund_policy": _l(
        "Choose what happens to the fund: keep it (release support) or move it to the general fund."
    ),
    "unknown_facility_kind": _l(
        "Choose the kind of facility: pre-trial detention, colony, settlement, prison or other."
    ),
    "unknown_regime": _l("Choose the regime: none, general, strict, special or educational."),
    "unknown_gender": _l("Choose male, female or leave it empty."),
    "unknown_conditions": _l("Choose the conditions of detention: ordinary, lightened or strict."),
    "unknown_publication": _l("Choose what to publish: nothing, the status, or the status and places."),
    "admins_only": _l("Only admins can change this."),
    "unknown_exemption": _l("Exemptions are: women, juveniles, medical."),
    "parcel_rule_exists": _l("A rule for this kind, regime and conditions already exists."),
    "unknown_outcome": _l("Choose what became of the parcel: delivered, returned or confiscated."),
    "outcome_before_sending": _l("The outcome cannot come before the parcel was sent."),
    "parcel_reversed": _l("This parcel's entry was reversed."),
    "parcel_refunded": _l("The refund of this parcel is already recorded."),
    "parcel_not_returned": _l("Only a returned parcel can be refunded; record it as returned first."),
    "parcel_no_outcome": _l("Record what became of the parcel first."),
    "refund_exceeds_parcel": _l("The refund is more than the parcel cost (%(cost)s)."),
    "not_a_coordinator": _l("Choose an active coordinator or admin."),
    # commissary
    "over_monthly_limit": _l(
        "This would pass the month's limit for the personal account: the limit is %(limit)s and "
        "%(left)s is left. If it is allowed anyway, tick “allow over the limit” and write why."
    ),
    "over_limit_reason_required": _l("Write why a transfer over the monthly limit is allowed."),
    "unknown_channel": _l("Choose how the money is sent: Zonatelecom, FSIN transfer, post or other."),
    "transfer_not_in_transit": _l("This transfer was already credited or returned; nothing was changed."),
    "prisoner_released": _l(
        "This person has been released or has died: nothing is sent to a personal account."
    ),
    "settled_before_sent": _l("The date cannot come before the transfer was sent (%(sent_on)s)."),
    "run_already_approved": _l("This run has already been approved; nothing more was sent."),
    "invalid_month": _l("Enter the month as YYYY-MM, like 2026-12."),
    "unknown_transfer_status": _l("Choose a status: in transit, credited or returned."),
    "commissary_limit_exists": _l("A limit for this kind, regime and conditions already exists."),
    # two-person sign-off
    "own_approval": _l("A second person must sign this off: you cannot approve or refuse what you recorded."),
    "not_author": _l("Only the person who recorded this item can withdraw it."),
    "approval_not_pending": _l(
        "This item has already been approved, refused or withdrawn; nothing was changed."
    ),
    "unknown_approval_status": _l("Choose a status: pending, approved, rejected, withdrawn or all."),
    # letters
    "unknown_letter_service": _l("Choose a letter service from the list."),
    "letter_bad_count": _l("Give a whole number from the allowed range (at most %(max)s)."),
    "letter_cost_required": _l("%(service)s has no price recorded here: give the letter's cost."),
    "letter_paid_from_required": _l("A paid letter needs the account it was paid from."),
    "reply_before_letter": _l("The reply cannot come before the letter was sent."),
    "letter_already_answered": _l("A reply to this letter is already recorded."),
    "letter_price_currency": _l("Letter prices are in roubles (RUB)."),
    "bad_link": _l("Give a web address starting with https:// or http://."),
    "bad_service_key": _l("The key uses lowercase Latin letters, digits and underscores, like fsin_pismo."),
    "service_key_taken": _l("A letter service with this key already exists."),
    "unknown_month": _l("Give the month as YYYY-MM, like 2026-11."),
    # donations
    "unknown_method": _l("Choose how the money came: %(choices)s."),
    "bad_asset": _l("Choose the bank, cash or Stripe account the money came into."),
    "bad_fee": _l("The fee must be zero or more and less than the amount."),
    "pledge_mismatch": _l("This pledge belongs to another fund or donor."),
    "pledge_currency": _l(
        "This pledge is in %(currency)s; record the gift in that currency or without the pledge."
    ),
    "same_fund": _l("Choose two different funds."),
    # prisoners and pledges
    "bad_slug": _l("The address name uses lowercase Latin letters, digits and hyphens, like ivan-petrov."),
    "slug_taken": _l("This address name is already used."),
    "unknown_status": _l("Choose a status: awaiting trial, sentenced or released."),
    "unknown_facility": _l("No such facility."),
    "facility_taken": _l("A facility with this name already exists."),
    "bad_limit": _l("Limits are whole numbers greater than zero, or empty."),
    "unknown_field": _l("This field cannot be set here."),
    "not_boolean": _l("Use true or false."),
    "unknown_frequency": _l("Choose monthly or one-off."),
    "ends_before_start": _l("The end date is before the start date."),
    "pledge_not_active": _l("This pledge is no longer active."),
    "unknown_pledge": _l("No pledge has this reference code."),
    "pledge_not_monthly": _l("Only a monthly gift can be paused."),
    "pledge_not_paused": _l("This gift is not paused."),
    "pledge_card_needs_stripe": _l("This is a card gift: it can be changed only through Stripe."),
    "no_bank_details": _l("We can't take bank transfers in %(currency)s yet; choose another currency."),
    "pledge_throttled": _l(
        "Too many pledges were made from here in a short time. Please try again in %(minutes)s minutes."
    ),
    "pledges_busy": _l(
        "We are taking too many pledges at the moment. Please try again in an hour; nothing was recorded."
    ),
    "confirmation_mails_busy": _l(
        "We can't send more mails to new addresses this hour. Pledge without an email, or try again "
        "in an hour; nothing was recorded."
    ),
    "link_invalid": _l("This link is not valid. Use the link from your latest mail as it is."),
    "link_revoked": _l(
        "This link was revoked and no longer opens anything. A newer mail from us has a link that works."
    ),
    "confirm_invalid": _l("This confirmation link is not valid or has expired; nothing was changed."),
    "link_expired": _l("This link has expired. The link in a newer mail from us will work."),
    "bad_setting": _l("Enter a whole number in the range shown."),
    # bank statements
    "import_empty": _l("The file has no rows."),
    "import_encoding": _l("The file is not UTF-8 or Windows-1251 text."),
    "import_missing_columns": _l("Columns not found: %(columns)s. The file has: %(found)s."),
    "import_no_currency": _l("Name the currency column or choose the statement's currency."),
    "import_too_many_rows": _l("At most %(max)s rows per file; split the statement."),
    "import_bad_asset": _l("Choose the bank account the statement belongs to."),
    "import_expired": _l("This preview has expired; upload the file again."),
    "import_bad_date": _l("“%(value)s” is not a date the import can read. Accepted formats: %(formats)s."),
    "import_no_date": _l("The date is empty. Accepted formats: %(formats)s."),
    "import_bad_amount": _l(
        "“%(value)s” is not an amount the import can read: write digits with a decimal point, "
        "like 1234.50 or 1,234.50 (or tick “decimal comma” for 1 234,50)."
    ),
    "import_bad_amount_comma": _l(
        "“%(value)s” is not an amount the import can read: with a decimal comma, write it like "
        "1234,50 or 1 234,50 (or untick “decimal comma” for 1,234.50)."
    ),
    "import_no_amount": _l("The amount is empty."),
    "import_bad_currency": _l(
        "“%(value)s” is not a currency code: use a three-letter ISO 4217 code such as EUR or RUB."
    ),
    "import_no_currency_value": _l("The currency is empty: write a code such as EUR or RUB."),
    "unknown_account": _l("No such account."),
    # asset accounts
    "bad_account_name": _l(
        "Name the account like assets:bank:eur-main, assets:cash:office-rub, assets:stripe or "
        "assets:intermediary:friend-in-tbilisi (lowercase Latin letters, digits and hyphens)."
    ),
    "account_exists": _l("An account with this name already exists."),
    "currency_required": _l("A bank or cash account holds one currency: choose it."),
    "account_kind_mismatch": _l("The name makes this a %(kind)s account."),
    "unknown_account_kind": _l("Choose a kind: %(choices)s."),
    "account_closed": _l("The account %(account)s is closed."),
    "account_not_empty": _l("%(account)s still holds %(held)s; an account is closed only at zero."),
    "rate_mismatch": _l(
        "The rate does not agree with the amounts: at this rate the amount received is %(expected)s, "
        "not %(target)s. Give the amounts or the rate, or correct one of them."
    ),
    "receipt_empty": _l("The file is empty."),
    "receipt_too_large": _l("The file is too large (at most %(max_mb)s MB)."),
    "receipt_type": _l("Receipts must be JPEG, PNG or WebP photos, or PDF files."),
    "receipt_corrupt": _l("The file is damaged or not what its type says."),
    "receipt_duplicate": _l("This receipt is already attached to the entry."),
    "receipt_not_spending": _l("Receipts belong to spending entries; this entry is not one."),
    "reversal_of_reversal": _l("A reversal cannot be reversed; record a new entry instead."),
    # card gifts (Stripe)
    "stripe_currency_unsupported": _l("We can't take card gifts in %(currency)s; choose another currency."),
    "stripe_amount_not_whole": _l(
        "Stripe sent an amount in %(currency)s that is not a whole number of units."
    ),
    "checkout_failed": _l(
        "The card payment page could not be opened. Nothing was charged; please try again later."
    ),
    "stripe_unreachable": _l("Stripe could not be reached; nothing was recorded. Try again shortly."),
    # read-only mode (a replica serving the public pages)
    "read_only": _l(
        "This server only shows the books and takes no changes; nothing was recorded. "
        "Staff sign in and record on the main server."
    ),
    "stripe_data": _l("Stripe sent data that can't be recorded as it is; an admin has to look at it."),
    "charge_not_recorded": _l("The card payment has not been recorded yet."),
    "refund_exceeds_fund": _l(
        "The fund does not hold enough for this refund or dispute. Move money into it and retry, "
        "or let an admin record it as an advance."
    ),
    "bad_signature": _l("The Stripe signature is missing or wrong."),
    "stale_timestamp": _l("The Stripe signature is too old."),
    "future_timestamp": _l("The Stripe signature is dated in the future."),
    "bad_event": _l("This is not a Stripe event."),
    # backup
    "backup_unreadable": _l("This file is not a readable ledger backup (%(reason)s)."),
    "backup_schema_mismatch": _l(
        "The backup was made with another database version (%(backup)s); upgrade this database to it first."
    ),
    "restore_target_not_empty": _l("Restore goes into an empty database only; %(table)s already has rows."),
    "restore_failed_verification": _l(
        "The restored ledger does not verify: %(problem)s. Nothing was restored."
    ),
    # checkpoints
    "no_checkpoint": _l("No checkpoint has been made yet: public figures appear with the first one."),
    "unknown_schedule": _l("Choose daily, weekly or monthly."),
    "signing_key_unreadable": _l(
        "The signing key (LEDGER_SIGNING_KEY or instance/ledger_signing_key) is not an Ed25519 private key."
    ),
    "signing_key_missing": _l("There is no signing key in the instance folder."),
    "signing_key_from_environment": _l(
        "The signing key comes from LEDGER_SIGNING_KEY: put a new key there to rotate it."
    ),
    # access
    "invalid_email": _l("Enter a valid email address."),
    "unknown_role": _l("Unknown role: choose %(choices)s."),
    "password_too_short": _l("The password must have at least %(min)s characters."),
    "email_taken": _l("A user with this email already exists."),
    "wrong_password": _l("The current password is not right."),
    "last_admin": _l("The last active admin cannot be demoted or deactivated."),
    "unauthorized": _l("Sign in or send a valid API token."),
    "forbidden": _l("Your role does not allow this."),
    "not_found": _l("Not found."),
    "bad_json": _l("The request body must be a JSON object."),
    "json_too_deep": _l("The JSON body is nested too deeply (at most %(max)s levels)."),
    "invalid_object": _l("This field must be a JSON object."),
    "invalid_list": _l("This field must be a JSON list, not too long."),
    "invalid_number": _l("This field must be a whole number."),
    "number_out_of_range": _l("Enter a whole number from %(min)s to %(max)s."),
    "bad_request": _l("The request could not be understood."),
    "method_not_allowed": _l("This method is not allowed here."),
    "too_large": _l("The request is too large."),
    "server_error": _l("Something went wrong on our side; nothing was recorded."),
    "database_unavailable": _l("The database is unavailable; nothing was recorded. Try again shortly."),
    "bad_idempotency_key": _l("The Idempotency-Key header must be short printable text."),
    "unsupported_media_type": _l("Send the request body as JSON (Content-Type: application/json)."),
    "missing_field": _l("This field is required."),
    "invalid_boolean": _l("Use true or false."),
    "idempotency_conflict": _l("This Idempotency-Key was already used with a different request."),
}

# Shown next to every bank-transfer pledge (the page, the printable page, the API answer).
BANK_VISIBILITY_WARNING = _l(
    "What the banks can see: a bank transfer is not anonymous. Your bank and ours see your name, "
    "your account, the amount, the date and the reference code, and they keep this for years; "
    "authorities can ask them for it. The reference code itself names nobody, and we never write "
    "a prisoner's name on our side. If that is a risk for you, give in cash through someone you "
    "trust, or by card."
)


# Codes with a more precise message when the refusal names these parameters.
DETAILED = {
    "currency_mismatch": (
        ("account", "expected", "currency"),
        _l("%(account)s holds %(expected)s only; this money is in %(currency)s."),
    ),
}


# Refusals that name the values to choose from (``%(choices)s``): the codes that the API, the
# CLI and the forms accept, listed from the StrEnum, so that a new member needs no new message.
CHOICES: dict[str, tuple[str, ...]] = {
    "unknown_category": SPENDING_CATEGORIES,
    "unknown_method": DONATION_METHODS,
    "unknown_account_kind": ASSET_KINDS,
    "unknown_role": ROLES,
}


# The date formats of the bank import (ledger/funds/bank_import.py DATE_FORMATS), as a reader
# writes them, with an example each.
DATE_FORMAT_NAMES = {
    "%Y-%m-%d": _l("YYYY-MM-DD (2026-01-31)"),
    "%d.%m.%Y": _l("DD.MM.YYYY (31.01.2026)"),
    "%d/%m/%Y": _l("DD/MM/YYYY (31/01/2026)"),
    "%d.%m.%y": _l("DD.MM.YY (31.01.26)"),
}


# Parameters that are counts or weights: always written with the reader's digit grouping.
_COUNTS = {"used", "allowed", "grams", "max", "items_grams"}
# Parameters that name an account: shown in words, not as its code.
_ACCOUNT_PARAMS = {"account", "fund", "from_fund", "to_fund", "asset", "source", "target"}


def _display(value: object, key: str = "") -> object:
    if key in _ACCOUNT_PARAMS and isinstance(value, str) and ":" in value:
        from ledger.edge.account_words import account_words

        return account_words(value)
    if isinstance(value, Money):
        return format_currency(value.amount, value.currency)
    if isinstance(value, date):
        return format_day(value)
    if isinstance(value, int) and not isinstance(value, bool) and (abs(value) >= 10_000 or key in _COUNTS):
        return format_decimal(value)  # grams and counts: 5,000 of 30,000 / 5 000 из 30 000
    if isinstance(value, tuple) and all(isinstance(item, str) and item.startswith("%") for item in value):
        return ", ".join(str(DATE_FORMAT_NAMES.get(item, item)) for item in value)
    return value


def message_for(code: str, params: dict | None = None) -> str:
    """The translated message for ``code``, with its parameters filled in."""
    template = MESSAGES.get(code)
    detailed = DETAILED.get(code)
    if detailed is not None and params and all(name in params for name in detailed[0]):
        template = detailed[1]
    # A refusal with several causes names which one (``limit``): its own message when it has one.
    limit = (params or {}).get("limit")
    if isinstance(limit, str) and f"{code}_{limit}" in MESSAGES:
        template = MESSAGES[f"{code}_{limit}"]
    if template is None:
        return str(MESSAGES["invalid_entry"])
    values = {key: _display(value, key) for key, value in (params or {}).items()}
    if code in CHOICES:
        # "a, b or c" as the reader's language joins a list.
        values["choices"] = format_list(
            [str(v) for v in CHOICES[code]], style="or", locale=str(get_locale() or "en")
        )
    try:
        return str(template) % values if values else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)
