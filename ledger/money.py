"""Money: a Decimal amount with an ISO 4217 currency, and the one strict parser.

Amounts are stored as integer minor units; ``Money`` carries a ``Decimal`` that
always has exactly the currency's number of decimals.  Floats are refused
everywhere: a float has already lost the cents before we see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Active ISO 4217 currencies and their minor units (the standard's "E" column).
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD "
    "BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP "
    "ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR "
    "JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU "
    "MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR "
    "RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWG"
)

CURRENCIES: dict[str, int] = {
    **{code: 0 for code in _ZERO.split()},
    **{code: 2 for code in _TWO.split()},
    **{code: 3 for code in _THREE.split()},
    **{code: 4 for code in _FOUR.split()},
}

# ASCII digits only; `\d` would also accept Arabic-Indic and other digits.
_AMOUNT = re.compile(r"[0-9]+(?:\.([0-9]+))?")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# Far above any real gift, far below what a BIGINT of minor units holds.
MAX_MINOR_UNITS = 10**15


class MoneyError(ValueError):
    """Bad money input.  ``code`` is stable and translated at the edge."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def minor_units(currency: str) -> int:
    """Number of decimals of ``currency``; raises MoneyError for unknown codes."""
    try:
        return CURRENCIES[currency]
    except (KeyError, TypeError):
        raise MoneyError("unknown_currency", currency=currency) from None


def minor_text(minor: int, places: int) -> str:
    """``str(Money.from_minor(minor, currency).amount)`` for a currency with ``places``
    decimals, from integers only (``-1234, 2`` → ``"-12.34"``); the exports write one per
    posting, and this is several times faster than going through Decimal."""
    if places == 0:
        return str(minor)
    whole, part = divmod(-minor if minor < 0 else minor, 10**places)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{places}d}"


def parse_currency(value: object) -> str:
    """Return a known ISO 4217 code.  Only upper-case three-letter codes count."""
    if not isinstance(value, str) or not _CURRENCY_CODE.fullmatch(value):
        raise MoneyError("unknown_currency", currency=value)
    minor_units(value)
    return value


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount in one currency.  May be negative (postings are signed)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or isinstance(self.amount, bool):
            raise MoneyError("not_decimal")
        if not self.amount.is_finite():
            raise MoneyError("invalid_amount")
        places = minor_units(self.currency)
        quantum = Decimal(1).scaleb(-places)
        if self.amount != self.amount.quantize(quantum):
            raise MoneyError("too_many_decimals", places=places, currency=self.currency)
        object.__setattr__(self, "amount", self.amount.quantize(quantum))

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise MoneyError("not_decimal")
        return cls(Decimal(minor).scaleb(-minor_units(currency)), currency)

    @property
    def minor(self) -> int:
        """The amount as an integer of minor units (cents, kopecks)."""
        return int(self.amount.scaleb(minor_units(self.currency)))

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise MoneyError("currency_mismatch")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return self + (-other)

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        """Plain decimal and code (``12.50 EUR``); for display use Babel."""
        return f"{self.amount} {self.currency}"


def parse_amount(text: object, currency: object, *, allow_zero: bool = False) -> Money:
    """Parse a user-typed positive amount strictly.

    Accepts only ASCII digits with at most one point and at most the currency's
    decimals: ``"12"``, ``"12.5"``, ``"12.50"``.  Refuses floats (the value
    already lost precision), signs, exponents, underscores, thousands separators,
    non-ASCII digits, ``NaN``/``sNaN`` and ``Infinity``.
    """
    currency = parse_currency(currency)
    if isinstance(text, float):
        raise MoneyError("float_amount")
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise MoneyError("invalid_amount")
    text = text.strip()
    if not text:
        raise MoneyError("missing_amount")
    match = _AMOUNT.fullmatch(text)
    if not match:
        raise MoneyError("invalid_amount")
    places = minor_units(currency)
    decimals = match.group(1) or ""
    if len(decimals) > places:
        raise MoneyError("too_many_decimals", places=places, currency=currency)
    if len(text) - len(decimals) > 20:  # beyond any real amount, and beyond Decimal's precision
        raise MoneyError("amount_too_large")
    money = Money(Decimal(text).quantize(Decimal(1).scaleb(-places)), currency)
    if money.minor > MAX_MINOR_UNITS:
        raise MoneyError("amount_too_large")
    if money.is_zero() and not allow_zero:
        raise MoneyError("zero_amount")
    return money


def parse_rate(text: object) -> Decimal:
    """Parse an exchange rate: a positive plain decimal with up to 10 decimals."""
    if isinstance(text, float):
        raise MoneyError("float_amount")
    if not isinstance(text, str):
        raise MoneyError("invalid_rate")
    text = text.strip()
    match = _AMOUNT.fullmatch(text)
    if not match or len(match.group(1) or "") > 10 or Decimal(text) == 0:
        raise MoneyError("invalid_rate")
    return Decimal(text)


_DIGIT_GROUP_SPACE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|$))")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def parse_written_amount(
    text: object, currency: str, *, decimal_symbol: str, allow_zero: bool = False
) -> Money:
    """Parse an amount as a person writes it in their language, then as :func:`parse_amount`.

    ``decimal_symbol`` is the reader's (``","`` in Russian, ``"."`` in English).  Spaces
    between groups of three digits are thousands separators everywhere ("1 500,50").  With a
    decimal comma, a point is taken as the decimal mark too, but never both in one amount.
    With a decimal point, commas must separate groups of three ("1,500.50"); where the
    currency has three decimals "1,500" could mean either, so it is refused as ambiguous.
    """
    if not isinstance(text, str):
        return parse_amount(text, currency, allow_zero=allow_zero)
    written = _DIGIT_GROUP_SPACE.sub("", text.strip())
    if decimal_symbol == ",":
        if "," in written and "." in written:
            raise MoneyError("invalid_amount")
        written = written.replace(",", ".")
    elif "," in written:
        if not _COMMA_GROUPED.fullmatch(written):
            raise MoneyError("invalid_amount")
        if "." not in written and written.count(",") == 1 and minor_units(parse_currency(currency)) >= 3:
            raise MoneyError("ambiguous_amount", text=text.strip())
        written = written.replace(",", "")
    return parse_amount(written, currency, allow_zero=allow_zero)
