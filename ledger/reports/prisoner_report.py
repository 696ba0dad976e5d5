"""What happened to one prisoner's fund: per-currency report, monthly flows, runway,
spending, disbursements and donations — all aggregated in SQL.

Signs: the fund is a liability, so money coming in is a credit (negative amount)
and money going out a debit (positive).  Reports show both as positive numbers.
A reversal carries the category of the entry it reverses with the opposite sign,
so net sums per category already take corrections into account.

Every function takes ``as_of`` (ledger.checkpoints.as_of): the live books by default, or the
public state of the latest checkpoint, where a reversal counts on the date of the entry it
reverses so that a reversed gift vanishes from every period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from ledger.books.accounts import fund_account_name
from ledger.books.kinds import SPENDING_CATEGORIES
from ledger.books.models import Account, JournalEntry, Posting
from ledger.books.reversals import has_reversal
from ledger.checkpoints.as_of import LIVE, AsOf, balance_rows, dated
from ledger.checkpoints.models import PublishedEntry, ReleaseCell
from ledger.funds.models import Donation, Donor, Prisoner
from ledger.money import Money
from ledger.platform.database import utc_today
from ledger.reports.periods import Period, add_months, month_columns, month_start, months_between
from ledger.spending.kinds import ParcelOutcomeKind
from ledger.spending.models import Parcel, ParcelOutcome
from ledger.spending.receipts import receipts_count_by_entry

# Categories that move money into or out of a fund without being spending.
MOVEMENT_CATEGORIES = ("donation", "fee", "transfer", "conversion", "refund")


@dataclass
class CurrencyReport:
    """One currency's lines of a prisoner's report, in minor units, all shown positive."""

    currency: str
    opening: int = 0
    received: int = 0
    fees: int = 0
    transfers_in: int = 0
    transfers_out: int = 0
    conversions_in: int = 0
    conversions_out: int = 0
    refunds: int = 0
    # Money the post office gave back for returned parcels (category refund, into the fund).
    parcel_refunds: int = 0
    # Parcels spent and confiscated by the facility: part of "parcels", listed apart.
    confiscated: int = 0
    spent: dict[str, int] = field(default_factory=dict)

    @property
    def spent_total(self) -> int:
        return sum(self.spent.values())

    @property
    def closing(self) -> int:
        return (
            self.opening
            + self.received
            - self.fees
            + self.transfers_in
            - self.transfers_out
            + self.conversions_in
            - self.conversions_out
            - self.refunds
            + self.parcel_refunds
            - self.spent_total
        )

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)


@dataclass
class Runway:
    """How many months the fund covers the monthly need (in the need's currency)."""

    balance: Money
    monthly_need: Money
    months: Decimal | None  # None when the need is zero


@dataclass
class PrisonerReport:
    prisoner: Prisoner
    period: Period
    currencies: list[CurrencyReport]
    runway: Runway | None


def fund_account_id(session: Session, prisoner: Prisoner) -> int | None:
    return session.scalar(select(Account.id).where(Account.name == fund_account_name(prisoner.slug)))


def prisoner_report(
    session: Session, prisoner: Prisoner, period: Period | None = None, *, as_of: AsOf = LIVE
) -> PrisonerReport:
    """Opening, flows by kind and category, and closing, per currency, for ``period``."""
    period = period or Period()
    account_id = fund_account_id(session, prisoner)
    reports: dict[str, CurrencyReport] = {}
    if account_id is not None:
        if period.start is not None:
            opening_statement, day = dated(
                select(Posting.currency, func.sum(Posting.amount_minor)).join(
                    JournalEntry, JournalEntry.id == Posting.entry_id
                ),
                as_of,
            )
            opening = session.execute(
                opening_statement.where(
                    Posting.account_id == account_id, day < period.start, *as_of.covers(Posting.entry_id)
                ).group_by(Posting.currency)
            )
            for currency, total in opening:
                reports.setdefault(currency, CurrencyReport(currency)).opening = -int(total)
        credit = case((Posting.amount_minor < 0, -Posting.amount_minor), else_=0)
        debit = case((Posting.amount_minor > 0, Posting.amount_minor), else_=0)
        refund_entries = select(ParcelOutcome.refund_entry_id).where(
            ParcelOutcome.refund_entry_id.is_not(None)
        )
        parcel_refund = or_(JournalEntry.id.in_(refund_entries), JournalEntry.reverses_id.in_(refund_entries))
        statement, day = dated(
            select(
                Posting.currency, _public_category(as_of), parcel_refund, func.sum(credit), func.sum(debit)
            ).join(JournalEntry, JournalEntry.id == Posting.entry_id),
            as_of,
        )
        flows = session.execute(
            statement.where(
                Posting.account_id == account_id, *period.includes(day), *as_of.covers(Posting.entry_id)
            ).group_by(Posting.currency, _public_category(as_of), parcel_refund)
        )
        for currency, category, is_parcel_refund, credits, debits in flows:
            report = reports.setdefault(currency, CurrencyReport(currency))
            credits, debits = int(credits or 0), int(debits or 0)
            net_out = debits - credits
            if category == "refund" and is_parcel_refund:
                report.parcel_refunds += -net_out
            elif category == "donation":
                report.received += -net_out
            elif category == "fee":
                report.fees += net_out
            elif category == "refund":
                report.refunds += net_out
            elif category == "transfer":
                report.transfers_in += credits
                report.transfers_out += debits
            elif category == "conversion":
                report.conversions_in += credits
                report.conversions_out += debits
            else:
                key = category if category in SPENDING_CATEGORIES else "other"
                report.spent[key] = report.spent.get(key, 0) + net_out
        for currency, total in _confiscated(session, account_id, period):
            reports.setdefault(currency, CurrencyReport(currency)).confiscated = total
    currencies = [reports[code] for code in sorted(reports)]
    for report in currencies:
        report.spent = {c: report.spent[c] for c in SPENDING_CATEGORIES if report.spent.get(c)}
    return PrisonerReport(prisoner, period, currencies, runway_for(session, prisoner, as_of=as_of))


def _public_category(as_of: AsOf) -> SQLColumnExpression[str | None]:
    """The category a posting is reported under.  In the public view every posting of a
    published gift (its fee, a refund, a reversal) counts as received, net: a fee or a
    refund shown apart would tell one card gift's amount (docs/privacy.md)."""
    if as_of.live:
        return Posting.category
    # Literal SQL, not bound values: PostgreSQL must see the same expression in GROUP BY.
    return case(
        (PublishedEntry.role == literal_column("'gift'"), literal_column("'donation'")),
        else_=Posting.category,
    )


def _confiscated(session: Session, account_id: int, period: Period) -> list[tuple[str, int]]:
    """What the fund spent on parcels the facility confiscated (not reversed), per currency."""
    rows = session.execute(
        select(Posting.currency, func.sum(Posting.amount_minor))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .join(Parcel, Parcel.entry_id == JournalEntry.id)
        .join(ParcelOutcome, ParcelOutcome.parcel_id == Parcel.id)
        .where(
            Posting.account_id == account_id,
            ParcelOutcome.outcome == ParcelOutcomeKind.CONFISCATED,
            ~has_reversal(JournalEntry.id),
            *period.includes(JournalEntry.entry_date),
        )
        .group_by(Posting.currency)
    )
    return [(currency, int(total)) for currency, total in rows if total]


def fund_balances(session: Session, prisoner: Prisoner, *, as_of: AsOf = LIVE) -> dict[str, Money]:
    """What the fund holds per currency (positive), from the running-balance table (live)
    or the balances stored with the checkpoint (public)."""
    balance = balance_rows(as_of)
    rows = session.execute(
        select(balance.c.currency, balance.c.balance_minor)
        .join(Account, Account.id == balance.c.account_id)
        .where(Account.name == fund_account_name(prisoner.slug), balance.c.balance_minor != 0)
        .order_by(balance.c.currency)
    )
    return {currency: Money.from_minor(-minor, currency) for currency, minor in rows}


def runway_months(balance_minor: int, need_minor: int | None) -> Decimal | None:
    """Months covered, rounded down to one decimal; None without a need."""
    if not need_minor:
        return None
    months = Decimal(max(balance_minor, 0)) / Decimal(need_minor)
    return months.quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def runway_for(session: Session, prisoner: Prisoner, *, as_of: AsOf = LIVE) -> Runway | None:
    if not prisoner.monthly_need_minor or not prisoner.monthly_need_currency:
        return None
    currency = prisoner.monthly_need_currency
    balance = fund_balances(session, prisoner, as_of=as_of).get(currency, Money.from_minor(0, currency))
    return Runway(
        balance=balance,
        monthly_need=Money.from_minor(prisoner.monthly_need_minor, currency),
        months=runway_months(balance.minor, prisoner.monthly_need_minor),
    )


@dataclass
class MonthFlow:
    """What came into and went out of a fund in one currency over one month (or year, in
    the multi-year view), in minor units.  Conversions are both: money converted out of
    this currency and in from another, so a month with EUR in and RUB spent shows the
    exchange that links them."""

    month: date
    received: int = 0
    spent: int = 0
    converted_in: int = 0
    converted_out: int = 0

    @property
    def any(self) -> bool:
        return bool(self.received or self.spent or self.converted_in or self.converted_out)


def _flow_columns(as_of: AsOf) -> list[ColumnElement[int]]:
    category = _public_category(as_of)
    received = case(
        (category == "donation", -Posting.amount_minor),
        (and_(Posting.category == "transfer", Posting.amount_minor < 0), -Posting.amount_minor),
        else_=0,
    )
    spent = case(
        (Posting.category.in_(SPENDING_CATEGORIES), Posting.amount_minor),
        (Posting.category.is_(None), Posting.amount_minor),
        else_=0,
    )
    converted_in = case(
        (and_(Posting.category == "conversion", Posting.amount_minor < 0), -Posting.amount_minor), else_=0
    )
    converted_out = case(
        (and_(Posting.category == "conversion", Posting.amount_minor > 0), Posting.amount_minor), else_=0
    )
    return [func.sum(received), func.sum(spent), func.sum(converted_in), func.sum(converted_out)]


def _flows(
    session: Session, prisoner: Prisoner, first: date | None, today: date, as_of: AsOf, *, yearly: bool
) -> dict[str, dict[date, MonthFlow]]:
    account_id = fund_account_id(session, prisoner)
    if account_id is None:
        return {}
    statement, day = dated(
        select(Posting.currency).join(JournalEntry, JournalEntry.id == Posting.entry_id), as_of
    )
    year, month = month_columns(day)
    groups = (year,) if yearly else (year, month)
    conditions = [Posting.account_id == account_id, day <= today, *as_of.covers(Posting.entry_id)]
    if first is not None:
        conditions.append(day >= first)
    rows = session.execute(
        statement.add_columns(*groups, *_flow_columns(as_of))
        .where(*conditions)
        .group_by(Posting.currency, *groups)
    )
    result: dict[str, dict[date, MonthFlow]] = {}
    for currency, *row in rows:
        y, m = (row[0], 1) if yearly else (row[0], row[1])
        got, used, came, went = row[-4:]
        start = date(int(y), int(m), 1)
        flow = result.setdefault(currency, {}).setdefault(start, MonthFlow(start))
        flow.received += int(got or 0)
        flow.spent += int(used or 0)
        flow.converted_in += int(came or 0)
        flow.converted_out += int(went or 0)
    return result


def monthly_flows(
    session: Session,
    prisoner: Prisoner,
    *,
    months: int = 12,
    today: date | None = None,
    as_of: AsOf = LIVE,
) -> dict[str, list[MonthFlow]]:
    """Received (donations and transfers in, gross), spent, and converted in and out per
    month and currency, for the last ``months`` calendar months; currencies without
    activity are left out.  The public view ends at the checkpoint's day."""
    today = today or as_of.as_of_date or utc_today()
    first = add_months(month_start(today), -(months - 1))
    found = _flows(session, prisoner, first, today, as_of, yearly=False)
    calendar = months_between(first, today)
    return {
        currency: [series.get(day, MonthFlow(day)) for day in calendar]
        for currency, series in sorted(found.items())
        if any(flow.any for flow in series.values())
    }


def yearly_flows(
    session: Session, prisoner: Prisoner, *, today: date | None = None, as_of: AsOf = LIVE
) -> dict[str, list[MonthFlow]]:
    """The same flows per calendar year, from the fund's first year to this one (the
    multi-year view); each ``MonthFlow.month`` is 1 January of its year."""
    today = today or as_of.as_of_date or utc_today()
    found = _flows(session, prisoner, None, today, as_of, yearly=True)
    years = [day.year for series in found.values() for day in series]
    if not years:
        return {}
    calendar = [date(year, 1, 1) for year in range(min(years), today.year + 1)]
    return {
        currency: [series.get(day, MonthFlow(day)) for day in calendar]
        for currency, series in sorted(found.items())
        if any(flow.any for flow in series.values())
    }


@dataclass
class Disbursement:
    entry_id: int
    entry_date: date
    description: str
    category: str
    money: Money
    has_receipt: bool
    reversed: bool
    is_reversal: bool
    parcel_outcome: str | None = None  # delivered, returned, confiscated


def disbursements(
    session: Session, prisoner: Prisoner, *, limit: int = 100, as_of: AsOf = LIVE
) -> list[Disbursement]:
    """The latest spending from the fund, newest first, with a receipt marker only."""
    account_id = fund_account_id(session, prisoner)
    if account_id is None:
        return []
    rows = session.execute(
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.description,
            Posting.category,
            Posting.amount_minor,
            Posting.currency,
            JournalEntry.reverses_id,
            has_reversal(JournalEntry.id, as_of.covers),
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Posting.account_id == account_id,
            (Posting.category.in_(SPENDING_CATEGORIES)) | Posting.category.is_(None),
            *as_of.covers(Posting.entry_id),
        )
        .order_by(JournalEntry.entry_date.desc(), JournalEntry.id.desc())
        .limit(limit)
    ).all()
    receipts = receipts_count_by_entry(session, [row[0] for row in rows])
    outcomes = dict(
        session.execute(
            select(Parcel.entry_id, ParcelOutcome.outcome)
            .join(ParcelOutcome, ParcelOutcome.parcel_id == Parcel.id)
            .where(Parcel.entry_id.in_([row[0] for row in rows]))
        ).all()
    )
    return [
        Disbursement(
            entry_id,
            day,
            description,
            category or "other",
            Money.from_minor(amount, currency),
            bool(receipts.get(entry_id)),
            bool(was_reversed),
            reverses is not None,
            outcomes.get(entry_id),
        )
        for entry_id, day, description, category, amount, currency, reverses, was_reversed in rows
    ]


@dataclass
class ParcelOutcomeTotals:
    """All time, one currency: spent on parcels that were confiscated, and refunded for
    parcels that came back."""

    confiscated: Money
    refunded: Money


def parcel_outcome_totals(report: PrisonerReport) -> list[ParcelOutcomeTotals]:
    """From an all-time ``prisoner_report()``."""
    return [
        ParcelOutcomeTotals(line.money(line.confiscated), line.money(line.parcel_refunds))
        for line in report.currencies
        if line.confiscated or line.parcel_refunds
    ]


def spending_by_category(report: PrisonerReport) -> dict[str, dict[str, Money]]:
    """Net spending per currency and category, from a ``prisoner_report()`` (all time on the
    prisoner's page)."""
    return {
        r.currency: {category: r.money(minor) for category, minor in r.spent.items()}
        for r in report.currencies
        if r.spent
    }


@dataclass
class PublicDonation:
    """A donation as public pages may show it: a donor's chosen public name, else nothing."""

    month: date
    day: date | None  # only for donors who chose a public name, and never in the public view
    donor_name: str | None
    money: Money
    count: int = 1


def public_donations(
    session: Session, prisoner: Prisoner, *, limit: int = 60, as_of: AsOf = LIVE
) -> list[PublicDonation]:
    """Donations to the prisoner, newest first; a reversed gift is left out.

    Staff see gifts from donors with a public name one by one, and anonymous gifts summed
    per month and currency.  The public sees the cells of gifts the releases published
    (``ledger.checkpoints.release``), per month, net of fees, with how many gifts each
    holds; a donor who chose a public name is also listed, with the month only."""
    named = Donor.public_name.is_not(None) & Donor.purged_at.is_(None) & (Donor.public_name != "")
    counted = (
        Donation.prisoner_id == prisoner.id,
        ~has_reversal(Donation.entry_id, as_of.covers),
        *as_of.covers(Donation.entry_id),
    )
    day_column = Donation.received_on
    statement = select(Donation.received_on, Donor.public_name, Donation.amount_minor, Donation.currency)
    if as_of.public:
        day_column = PublishedEntry.counted_on
        statement = select(
            PublishedEntry.counted_on, Donor.public_name, Donation.amount_minor, Donation.currency
        ).join(PublishedEntry, PublishedEntry.entry_id == Donation.entry_id)
    rows = session.execute(
        statement.join(Donor, Donor.id == Donation.donor_id)
        .where(*counted, named)
        .order_by(day_column.desc(), Donation.id.desc())
        .limit(limit)
    )
    result = [
        PublicDonation(
            month_start(day), None if as_of.public else day, name, Money.from_minor(amount, currency)
        )
        for day, name, amount, currency in rows
    ]
    if as_of.public:
        account_id = fund_account_id(session, prisoner)
        year, month = month_columns(ReleaseCell.counted_on)
        cells = session.execute(
            select(
                year,
                month,
                ReleaseCell.currency,
                func.sum(ReleaseCell.gifts_minor),
                func.sum(ReleaseCell.gift_count),
            )
            .where(
                ReleaseCell.account_id == account_id,
                ReleaseCell.sequence <= as_of.sequence,
            )
            .group_by(year, month, ReleaseCell.currency)
        )
    else:
        year, month = month_columns(Donation.received_on)
        cells = session.execute(
            select(year, month, Donation.currency, func.sum(Donation.amount_minor), func.count())
            .outerjoin(Donor, Donor.id == Donation.donor_id)
            .where(*counted, ~named | Donor.id.is_(None))
            .group_by(year, month, Donation.currency)
        )
    for y, m, currency, total, count in cells:
        if not total and not count:
            continue
        result.append(
            PublicDonation(
                date(int(y), int(m), 1), None, None, Money.from_minor(int(total), currency), int(count)
            )
        )
    result.sort(key=lambda d: (d.month, d.day or d.month, d.donor_name is not None), reverse=True)
    return result[:limit]
