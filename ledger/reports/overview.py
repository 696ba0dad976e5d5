"""The organisation at a glance: public prisoners ordered by need, totals raised and spent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from ledger.books.accounts import FUND_PREFIX, PRISONER_FUND_PREFIX
from ledger.books.kinds import SPENDING_CATEGORIES
from ledger.books.models import Account, LedgerHead, Posting
from ledger.checkpoints.as_of import LIVE, AsOf, balance_rows
from ledger.checkpoints.models import PublishedEntry
from ledger.funds.models import Facility, Prisoner
from ledger.money import Money
from ledger.platform.database import search_fold
from ledger.platform.text import fold_for_search
from ledger.reports.prisoner_report import _public_category, runway_months


@dataclass
class PrisonerSummary:
    prisoner: Prisoner
    balances: dict[str, Money]
    monthly_need: Money | None
    runway: Decimal | None


def _like_escaped(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(statement: Select[int], query: str) -> Select[int]:
    """Narrow ``statement`` (over Prisoner outer-joined to Facility) to a search that folds
    case and ё/е in every script, on SQLite and PostgreSQL alike."""
    pattern = _like_escaped(fold_for_search(query) or "")
    return statement.where(
        or_(
            *(
                search_fold(column).like(pattern, escape="\\")
                for column in (
                    Prisoner.name,
                    Prisoner.name_latin,
                    Prisoner.slug,
                    Prisoner.region,
                    # The current facility: its name, its region and its postal addresses, the
                    # Latin one too ("Mordovia" finds who is held in Мордовия).
                    Facility.name,
                    Facility.region,
                    Facility.postal_address_ru,
                    Facility.postal_address_latin,
                )
            )
        )
    )


def _ranked(session: Session, query: str, as_of: AsOf = LIVE) -> list[int]:
    """Ids of matching public prisoners, shortest runway first, ranked in SQL.

    The sort key is the runway in tenths of a month, ``floor(10 × held ÷ need)`` in
    integer arithmetic: exactly what the pages show, with no float involved.
    """
    fund = Account.__table__.alias("fund")
    balance = balance_rows(as_of)
    held = func.coalesce(-balance.c.balance_minor, 0)
    no_need = or_(
        Prisoner.monthly_need_minor.is_(None),
        Prisoner.monthly_need_minor == 0,
        Prisoner.monthly_need_currency.is_(None),
    )
    tenths = case((no_need, None), else_=(case((held > 0, held), else_=0) * 10) / Prisoner.monthly_need_minor)
    statement = (
        select(Prisoner.id)
        .outerjoin(Facility, Facility.id == Prisoner.facility_id)
        .outerjoin(fund, (fund.c.prisoner_id == Prisoner.id) & fund.c.name.startswith(PRISONER_FUND_PREFIX))
        .outerjoin(
            balance,
            (balance.c.account_id == fund.c.id) & (balance.c.currency == Prisoner.monthly_need_currency),
        )
        .where(Prisoner.public.is_(True))
    )
    if query:
        statement = _search(statement, query)
    statement = statement.order_by(case((no_need, 1), else_=0), tenths, Prisoner.name, Prisoner.id)
    return list(session.scalars(statement))


def public_prisoners_page(
    session: Session,
    query: str | None = None,
    *,
    page: int = 1,
    per_page: int | None = None,
    as_of: AsOf = LIVE,
) -> tuple[list[PrisonerSummary], int]:
    """One page of public prisoners, shortest runway first (no need stated: last), optionally
    searched by name, Latin name, region or facility; and how many match in all.

    Ranking happens in SQL; only the page's prisoners and balances are loaded.
    """
    query = (query or "").strip()[:100]
    ids = _ranked(session, query, as_of=as_of)
    chosen = ids if per_page is None else ids[(page - 1) * per_page : page * per_page]
    prisoners = {p.id: p for p in session.scalars(select(Prisoner).where(Prisoner.id.in_(chosen)))}
    balances: dict[int, dict[str, Money]] = {prisoner_id: {} for prisoner_id in chosen}
    if chosen:
        balance = balance_rows(as_of)
        rows = session.execute(
            select(Account.prisoner_id, balance.c.currency, balance.c.balance_minor)
            .join(balance, balance.c.account_id == Account.id)
            .where(
                Account.prisoner_id.in_(chosen),
                Account.name.startswith(PRISONER_FUND_PREFIX),
                balance.c.balance_minor != 0,
            )
            .order_by(balance.c.currency)
        )
        for prisoner_id, currency, minor in rows:
            if prisoner_id is None:  # the query only reads prisoners' funds
                continue
            balances[prisoner_id][currency] = Money.from_minor(-minor, currency)
    summaries = []
    for prisoner_id in chosen:
        prisoner = prisoners[prisoner_id]
        need = None
        runway = None
        if prisoner.monthly_need_minor and prisoner.monthly_need_currency:
            currency = prisoner.monthly_need_currency
            need = Money.from_minor(prisoner.monthly_need_minor, currency)
            held = balances[prisoner_id].get(currency)
            runway = runway_months(held.minor if held else 0, prisoner.monthly_need_minor)
        summaries.append(PrisonerSummary(prisoner, balances[prisoner_id], need, runway))
    return summaries, len(ids)


def public_prisoners_by_need(
    session: Session, query: str | None = None, *, as_of: AsOf = LIVE
) -> list[PrisonerSummary]:
    """Every matching public prisoner, shortest runway first."""
    return public_prisoners_page(session, query, as_of=as_of)[0]


@dataclass
class CurrencyTotals:
    """All funds in one currency: raised − fees and refunds ± converted − spent = held."""

    currency: str
    raised: Money
    spent: Money
    fees_and_refunds: Money
    converted: Money
    held: Money


def totals_raised_and_spent(session: Session, *, as_of: AsOf = LIVE) -> list[CurrencyTotals]:
    """All funds together, per currency: gross donations received and money spent.

    Sums over every fund, hidden prisoners included: a total names nobody.
    """
    category = _public_category(as_of)
    raised = case((category == "donation", -Posting.amount_minor), else_=0)
    spent = case((category.in_(SPENDING_CATEGORIES), Posting.amount_minor), else_=0)
    fees = case((category.in_(("fee", "refund")), Posting.amount_minor), else_=0)
    converted = case((category == "conversion", -Posting.amount_minor), else_=0)
    statement = (
        select(
            Posting.currency,
            func.sum(raised),
            func.sum(spent),
            func.sum(fees),
            func.sum(converted),
            func.sum(-Posting.amount_minor),
        )
        .join(Account, Account.id == Posting.account_id)
        .where(Account.name.startswith(FUND_PREFIX))
    )
    if as_of.public:  # published entries only, a gift's fee and refunds inside its cell
        statement = statement.join(
            PublishedEntry,
            (PublishedEntry.entry_id == Posting.entry_id) & (PublishedEntry.sequence <= as_of.sequence),
        )
    rows = session.execute(statement.group_by(Posting.currency).order_by(Posting.currency))
    return [
        CurrencyTotals(currency, *(Money.from_minor(int(value or 0), currency) for value in values))
        for currency, *values in rows
        if any(values)
    ]


_totals_by_head: dict[str, list[CurrencyTotals]] = {}


def totals_for_head(session: Session, head_hash: str | None) -> list[CurrencyTotals]:
    """``totals_raised_and_spent`` remembered per head hash: the journal is append-only and
    the head hash covers every posting, so the totals change only when the head does."""
    if head_hash is None:
        return totals_raised_and_spent(session)
    cached = _totals_by_head.get(head_hash)
    if cached is not None:
        return cached
    totals = totals_raised_and_spent(session)
    # Keep them only if no entry was added while they were summed.
    if session.scalar(select(LedgerHead.head_hash).where(LedgerHead.id == 1)) == head_hash:
        _totals_by_head.clear()
        _totals_by_head[head_hash] = totals
    return totals


_totals_by_checkpoint: dict[str, list[CurrencyTotals]] = {}


def totals_as_of(session: Session, as_of: AsOf) -> list[CurrencyTotals]:
    """The totals of a checkpoint's public state, remembered per checkpoint (a checkpoint
    never changes); the live totals per head hash."""
    if as_of.live:
        return totals_for_head(
            session, session.scalar(select(LedgerHead.head_hash).where(LedgerHead.id == 1))
        )
    if as_of.empty:
        return []
    cached = _totals_by_checkpoint.get(as_of.cache_key)
    if cached is None:
        cached = totals_raised_and_spent(session, as_of=as_of)
        _totals_by_checkpoint.clear()
        _totals_by_checkpoint[as_of.cache_key] = cached
    return cached
