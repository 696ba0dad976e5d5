"""Currency conversions through the trading account ``equity:conversion``.

Each currency balances on its own: the source currency leaves through the
trading account and the target currency enters through it, as hledger's
conversion postings do.  The rate is kept on the entry as a decimal string.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import FUND_PREFIX, check_currency, trading_account
from ledger.books.descriptions import describe
from ledger.books.errors import InvalidEntry
from ledger.books.models import Account, JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, Recorder, post_entry
from ledger.money import Money, MoneyError, minor_units
from ledger.platform.text import TextError, clean_text

RATE_PLACES = Decimal("0.0000000001")


def converted_amount(source: Money, rate: Decimal, target_currency: str) -> Money:
    """``source`` × ``rate``, rounded half-to-even to the target currency's minor units."""
    quantum = Decimal(1).scaleb(-minor_units(target_currency))
    return Money((source.amount * rate).quantize(quantum, rounding=ROUND_HALF_EVEN), target_currency)


def implied_rate(source: Money, target: Money) -> Decimal:
    return (target.amount / source.amount).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN).normalize()


def _amounts(
    source: Money, target_currency: str, target: Money | None, rate: Decimal | None
) -> tuple[Money, str]:
    if source.minor <= 0:
        raise InvalidEntry("positive amount", field="amount", reason="zero_amount")
    if target_currency == source.currency:
        raise InvalidEntry("same currency", field="to_currency", reason="same_currency")
    if target is None:
        if rate is None or rate <= 0:
            raise InvalidEntry("rate or amount", field="rate", reason="invalid_rate")
        target = converted_amount(source, rate, target_currency)
        rate_text = format(rate.normalize(), "f")
    else:
        if target.currency != target_currency:
            raise MoneyError("currency_mismatch")
        if rate is not None:
            # Both given: the rate must turn the one amount into the other, to the cent (kopeck).
            if rate <= 0:
                raise InvalidEntry("rate or amount", field="rate", reason="invalid_rate")
            expected = converted_amount(source, rate, target_currency)
            if expected != target:
                raise InvalidEntry(
                    "rate disagrees with the amounts",
                    field="rate",
                    reason="rate_mismatch",
                    expected=expected,
                    target=target,
                )
            rate_text = format(rate.normalize(), "f")
        else:
            rate_text = format(implied_rate(source, target), "f") if target.minor > 0 else "0"
    if target.minor <= 0:
        raise InvalidEntry("nothing to receive", field="to_amount", reason="zero_amount")
    return target, rate_text


def _memo(memo: str | None) -> str | None:
    try:
        return clean_text(memo) or None
    except TextError as error:
        raise InvalidEntry(error.code, field="memo", reason=error.code, **error.params) from None


def convert_within_fund(
    session: Session,
    *,
    fund: Account,
    source: Money,
    target_currency: str,
    target: Money | None = None,
    rate: Decimal | None = None,
    on: date,
    memo: str | None = None,
    recorded_by: Recorder | None = None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Move a fund's money from one currency to another (e.g. EUR → RUB at 98.40).

    Give either the amount received (``target``; the rate is implied) or the
    ``rate``.  Refused when the fund does not hold ``source``.
    """
    if not fund.name.startswith(FUND_PREFIX):
        raise InvalidEntry("not a fund", field="fund", reason="not_a_fund")
    target, rate_text = _amounts(source, target_currency, target, rate)
    memo = _memo(memo)
    trading = trading_account(session)
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=memo
            or describe("fund_conversion", source=source.currency, target=target.currency, rate=rate_text),
            postings=[
                PostingDraft(fund, source, "conversion"),
                PostingDraft(trading, -source, "conversion"),
                PostingDraft(trading, target, "conversion"),
                PostingDraft(fund, -target, "conversion"),
            ],
            conversion_rate=rate_text,
            idempotency_key=idempotency_key,
        ),
        recorded_by=recorded_by,
    )
    record_audit(
        session,
        "conversion.recorded",
        user=recorded_by,
        target=f"entry:{entry.id}",
        fund=fund.name,
        source=str(source),
        received=str(target),
        rate=rate_text,
    )
    return entry


def is_convertible_asset(account: Account) -> bool:
    return account.kind is not None and account.closed_at is None


def convert_assets(
    session: Session,
    *,
    from_account: Account,
    to_account: Account,
    source: Money,
    target_currency: str,
    target: Money | None = None,
    rate: Decimal | None = None,
    on: date,
    memo: str | None = None,
    recorded_by: Recorder | None = None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """The bank exchanged pooled money (e.g. bank EUR → bank RUB)."""
    for account, field_name in ((from_account, "from_account"), (to_account, "to_account")):
        if not is_convertible_asset(account):
            raise InvalidEntry("not an asset", field=field_name, reason="bad_paid_from")
    target, rate_text = _amounts(source, target_currency, target, rate)
    check_currency(from_account, source.currency, "from_account")
    check_currency(to_account, target.currency, "to_account")
    memo = _memo(memo)
    trading = trading_account(session)
    entry = post_entry(
        session,
        EntryDraft(
            entry_date=on,
            description=memo
            or describe("asset_exchange", source=source.currency, target=target.currency, rate=rate_text),
            postings=[
                PostingDraft(from_account, -source, "conversion"),
                PostingDraft(trading, source, "conversion"),
                PostingDraft(trading, -target, "conversion"),
                PostingDraft(to_account, target, "conversion"),
            ],
            conversion_rate=rate_text,
            idempotency_key=idempotency_key,
        ),
        recorded_by=recorded_by,
    )
    record_audit(
        session,
        "exchange.recorded",
        user=recorded_by,
        target=f"entry:{entry.id}",
        source=str(source),
        received=str(target),
        rate=rate_text,
    )
    return entry
