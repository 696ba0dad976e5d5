"""The descriptions the app writes itself, as codes with parameters.

An entry's description is a hashed fact of the journal and is stored in English, so that
exports and independent checks read the same whatever language the person who recorded
it used.  Descriptions the app generates ("Card donation", "Reversal of #842: …") are made
here from a code and its parameters, and ``parse`` gives the code and parameters back
from the stored text, so pages can show them in the reader's language
(``ledger.web.descriptions``).  A description typed by a person never matches a code
unless it is word for word one of these.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# code -> English template; {name} marks a parameter.  Keep the templates unambiguous:
# ``parse`` matches the whole text against each, in this order.
TEMPLATES: dict[str, str] = {
    "bank_donation": "Bank transfer",
    "cash_donation": "Cash donation",
    "card_donation": "Card donation",
    "other_donation": "Donation",
    "card_refund": "Card refund",
    "card_refund_failed": "Card refund failed",
    "card_dispute": "Card dispute",
    "card_dispute_won": "Card dispute won",
    "stripe_payout": "Stripe payout",
    "bank_fee": "Bank fee",
    "stripe_payout_returned": "Stripe payout returned",
    "cash_advance": "Cash advance",
    "cash_return": "Cash returned to the bank",
    "fund_transfer": "Transfer between funds",
    "spending": "Spending: {category}",
    "fund_conversion": "Conversion {source}→{target} at {rate}",
    "asset_exchange": "Exchange {source}→{target} at {rate}",
    "fund_closed_on_release": "Fund moved to the general fund on release",
    "fund_closed_on_death": "Fund moved to the general fund on death",
    "parcel_refund": "Returned parcel refunded by the post office (entry #{entry})",
    "commissary_sent": "Sent to the personal account ({channel}), in transit",
    "commissary_credited": "Credited to the personal account (sent in entry #{entry})",
    "commissary_returned": "Returned from the personal account (sent in entry #{entry})",
    "reversal": "Reversal of #{entry}: {reason}",
}

_PARAMETER = re.compile(r"\{(\w+)\}")
# What each parameter may be: currency codes, decimal rates, entry numbers, category codes.
_SHAPES = {
    "source": r"[A-Z]{3}",
    "target": r"[A-Z]{3}",
    "rate": r"[0-9]+(?:\.[0-9]+)?",
    "entry": r"[0-9]+",
    "category": r"[a-z_]+",
    "channel": r"[a-z_]+",
    "reason": r".+",
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(template)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>{_SHAPES[part]})"
        for index, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


_PATTERNS = {code: _pattern(template) for code, template in TEMPLATES.items()}


class Described(NamedTuple):
    code: str
    params: dict[str, str]


def describe(code: str, **params: object) -> str:
    """The stored (English) description for ``code`` with ``params``."""
    return TEMPLATES[code].format(**{name: str(value) for name, value in params.items()})


def parse(description: str | None) -> Described | None:
    """The code and parameters a generated description was made from; None for text a
    person wrote."""
    if not description:
        return None
    for code, pattern in _PATTERNS.items():
        match = pattern.fullmatch(description)
        if match:
            return Described(code, match.groupdict())
    return None
