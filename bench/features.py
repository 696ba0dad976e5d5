"""The newer features on top of the generated journal, through the same domain functions
the pages, API and CLI call (never raw inserts), so their pages and checks are measured
at scale too.

``add_features()`` runs after the bulk journal and, scaled with ``Sizes`` and seeded:

- facilities get kinds and regimes (the parcel rules of migration 0012 apply), some
  prisoners their conditions of detention;
- pledges for about one prisoner in five (bank, mostly monthly, some one-off), with
  anonymous fictional donors (a few with a public name or an example.org address, stored
  encrypted by ``make_donor``), donations linked to them, a few paused or cancelled, and
  the pledge job (``update_pledges``) storing instalments and statuses: fulfilled,
  active, overdue and lapsed pledges all exist;
- approval thresholds, a few dozen spending items pending sign-off (their money held
  back), some approved by a second coordinator and some rejected;
- transfers between facilities, parcels (a receipt on every other one) with outcomes (delivered, returned and refunded,
  confiscated), a prisoner whose whereabouts are unknown and releases (fund kept, or
  moved to the general fund);

then brings the stream's ``World`` up to date (next entry id, balances less what
pending items hold), so the rest of the stream still posts on top of it.
"""

from __future__ import annotations

import io
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.generate import BANKS, START, Sizes, World
from ledger.access.users import create_user
from ledger.books.accounts import get_or_create_account
from ledger.books.holds import ApprovalHold
from ledger.books.models import Account, AccountBalance, JournalEntry
from ledger.funds.bank_details import bank_details_for
from ledger.funds.donations import DonationDraft, record_donation
from ledger.funds.lifecycle import record_event
from ledger.funds.models import BankDetails, Facility, Pledge, Prisoner
from ledger.funds.pledge_job import update_pledges
from ledger.funds.pledges import cancel_pledge, create_pledge, make_donor, pause_pledge
from ledger.funds.prisoners import save_facility, update_prisoner
from ledger.funds.public_pledges import make_public_pledge
from ledger.funds.schedules import due_date
from ledger.money import Money
from ledger.platform.database import utcnow
from ledger.signoff.decisions import approve, reject
from ledger.signoff.thresholds import set_approval_thresholds
from ledger.spending.disbursements import ParcelDraft, ParcelItemDraft, record_disbursement
from ledger.spending.parcel_outcomes import record_outcome, record_parcel_refund
from ledger.spending.receipts import attach_receipt

PASSWORD = "bench-signer-password-1234"
# (kind, regime) cycled over the facilities, so every family of parcel rules is used.
FACILITY_KINDS = (
    ("colony", "general"),
    ("colony", "strict"),
    ("pre_trial", "none"),
    ("settlement", "none"),
    ("prison", "general"),
    ("colony", "special"),
)
CONDITIONS = ("ordinary", "lightened", "strict")
THRESHOLD_RUB = 1_500_000  # 15,000 roubles: above every spending of the stream
BATCH = 500  # domain calls per commit
RECEIPT_MAX_BYTES = 10 * 1024 * 1024  # config.py's RECEIPT_MAX_BYTES


def _receipt_png(number: int) -> bytes:
    """A small scanned-receipt stand-in, different for each parcel."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (48, 64), (250, 250 - number % 200, 240)).save(out, format="PNG")
    return out.getvalue()


def _rub(minor: int) -> Money:
    return Money.from_minor(minor, "RUB")


class _Batches:
    """Commit every ``BATCH`` domain calls, so no transaction grows with the ledger."""

    def __init__(self, session: Session) -> None:
        self.session, self.count = session, 0

    def tick(self) -> None:
        self.count += 1
        if self.count % BATCH == 0:
            self.session.commit()


def _fund_balances(session: Session) -> dict[int, int]:
    """{prisoner id: RUB its fund holds, natural sign} (after what pending items hold)."""
    rows = session.execute(
        select(Account.prisoner_id, AccountBalance.balance_minor)
        .join(Account, Account.id == AccountBalance.account_id)
        .where(Account.prisoner_id.is_not(None), AccountBalance.currency == "RUB")
    )
    held = dict(
        session.execute(
            select(Account.prisoner_id, func.sum(ApprovalHold.amount_minor))
            .join(Account, Account.id == ApprovalHold.account_id)
            .where(Account.prisoner_id.is_not(None), ApprovalHold.currency == "RUB")
            .group_by(Account.prisoner_id)
        ).all()
    )
    return {pid: -int(minor) - int(held.get(pid) or 0) for pid, minor in rows if pid is not None}


def _facilities(session: Session, rng: random.Random) -> list[Facility]:
    existing = list(session.scalars(select(Facility).order_by(Facility.id)))
    for number, facility in enumerate(existing):
        kind, regime = FACILITY_KINDS[number % len(FACILITY_KINDS)]
        save_facility(
            session,
            facility,
            name=facility.name,
            region=facility.region,
            max_parcel_grams=facility.max_parcel_grams,
            kind=kind,
            regime=regime,
        )
    extra = [
        save_facility(
            session,
            None,
            name=f"Bench transit facility {number}",
            region="Fictional region",
            kind=kind,
            regime=regime,
        )
        for number, (kind, regime) in enumerate(FACILITY_KINDS[:3])
    ]
    return existing + extra


def _pledges(
    session: Session, rng: random.Random, prisoners: list[Prisoner], end: date, today: date, batches: _Batches
) -> Counter:
    """One pledge per five prisoners; donations paid against them as their donor behaves."""
    bank = get_or_create_account(session, BANKS["RUB"], currency="RUB")
    made: Counter = Counter()
    span_days = (end - START).days
    if bank_details_for(session, "RUB") is None:  # as an admin saves them on /admin/donor-settings
        session.add(
            BankDetails(
                currency="RUB",
                details_en="Fictional Bank, account 40703 810 0 0000 0000000, purpose: the pledge code",
                details_ru="Вымышленный банк, счёт 40703 810 0 0000 0000000, назначение: код обещания",
            )
        )
    for number, prisoner in enumerate(prisoners[::5]):
        money = _rub(rng.choice((500, 1000, 1500, 2000, 3000)) * 100)
        shape = rng.choices(("one_off", "term", "recent"), (15, 60, 25))[0]
        if number == 1:  # at least one donor's own pledge, whatever the size
            shape = "recent"
        email = f"bench-donor-{number}@example.org" if number % 4 == 0 else None
        frequency = "one_off" if shape == "one_off" else "monthly"
        ends_on: date | None = None
        if shape == "recent":  # open-ended, started a few months ago: still running today
            starts_on = due_date(today, -rng.randint(2, 8))
        else:
            starts_on = START + timedelta(days=rng.randrange(max(1, span_days - 400)))
            ends_on = due_date(starts_on, rng.randint(5, 11)) if shape == "term" else None
        if shape == "recent" and number % 2 == 1:  # a donor's own pledge, made on /donate
            pledge, _details = make_public_pledge(
                session,
                prisoner=prisoner,
                money=money,
                frequency=frequency,
                email=email,
                locale=("en", "ru")[number % 2],
                client_key=f"bench-client-{number}",
                now=datetime.combine(starts_on, time(12), tzinfo=UTC).replace(tzinfo=None),  # naive UTC
            )
            donor = pledge.donor
        else:
            donor = make_donor(
                session,
                public_name=f"Bench Donor {number}" if number % 7 == 0 else None,
                email=email,
                locale=("en", "ru")[number % 2],
            )
            pledge = create_pledge(
                session,
                prisoner=prisoner,
                money=money,
                frequency=frequency,
                starts_on=starts_on,
                ends_on=ends_on,
                donor=donor,
            )
        # faithful: every instalment; late: one missed (overdue); gone: stopped (lapsed)
        habit = rng.choices(("faithful", "late", "gone", "never"), (55, 20, 20, 5))[0]
        count = 1 if frequency == "one_off" else 0
        if frequency == "monthly":
            while due_date(starts_on, count) <= min(ends_on or today, today):
                count += 1
        paid = list(range(count))
        if habit == "late" and paid:
            paid.remove(count // 2)
        elif habit == "gone":
            paid = paid[: count // 3]
        elif habit == "never":
            paid = []
        for index in paid:
            on = due_date(starts_on, index) + timedelta(days=rng.randint(0, 3))
            if on > today:
                continue
            record_donation(
                session,
                DonationDraft(
                    received_on=on,
                    money=money,
                    asset=bank,
                    method="bank",
                    prisoner=prisoner,
                    donor=donor,
                    pledge=pledge,
                    memo=f"Bank transfer {pledge.reference}",
                ),
            )
            made["donations"] += 1
            batches.tick()
        if frequency == "monthly" and ends_on is None and number % 10 == 3:
            pause_pledge(session, pledge, today=today)
        elif number % 10 == 7:
            cancel_pledge(session, pledge)
        made["pledges"] += 1
        batches.tick()
    session.commit()
    report = update_pledges(session, today=today)
    session.commit()
    made["pledge status changes"] = report.changed
    for status in session.scalars(select(Pledge.status)):
        made[f"pledges {status}"] += 1
    return made


def _approvals(
    session: Session, rng: random.Random, prisoners: list[Prisoner], end: date, author, signer
) -> Counter:
    """Thresholds, then spending items at or above them: most left pending, some signed off."""
    set_approval_thresholds(
        session,
        {
            "RUB": _rub(THRESHOLD_RUB),
            "EUR": Money.from_minor(50_000, "EUR"),
            "USD": Money.from_minor(50_000, "USD"),
        },
    )
    bank = get_or_create_account(session, BANKS["RUB"], currency="RUB")
    wanted = max(4, len(prisoners) // 20)
    balances = _fund_balances(session)
    by_id = {prisoner.id: prisoner for prisoner in prisoners}
    rich = sorted((pid for pid in balances if pid in by_id), key=lambda pid: -balances[pid])
    made: Counter = Counter()
    for number, pid in enumerate(rich[:wanted]):
        amount = THRESHOLD_RUB + rng.randint(0, 15_000) * 100
        if balances[pid] < amount:
            break
        category = rng.choice(("food", "clothing", "commissary", "letters"))
        approval = record_disbursement(
            session,
            prisoner=by_id[pid],
            money=_rub(amount),
            category=category,
            paid_from=bank,
            spent_on=end - timedelta(days=rng.randint(0, 20)),
            memo=f"Bench item {number}: {category} for the quarter",
            recorded_by=author,
        )
        fate = ("pending", "approved", "pending", "rejected", "pending")[number % 5]
        if fate == "approved":
            approve(session, approval.id, approver=signer)
        elif fate == "rejected":
            reject(session, approval.id, user=signer, reason="Not agreed with the family")
        made[f"approvals {fate}"] += 1
    session.commit()
    return made


def _lifecycle_and_parcels(
    session: Session,
    rng: random.Random,
    prisoners: list[Prisoner],
    facilities: list[Facility],
    end: date,
    author,
    batches: _Batches,
    storage_root: Path | None,
) -> Counter:
    made: Counter = Counter()
    bank = get_or_create_account(session, BANKS["RUB"], currency="RUB")
    # Prisoners with neither a pledge (every fifth) nor a pending item (the richest).
    pending = set(
        session.scalars(select(Account.prisoner_id).join(ApprovalHold, ApprovalHold.account_id == Account.id))
    )
    free = [p for n, p in enumerate(prisoners) if n % 5 and p.id not in pending]
    for number, prisoner in enumerate(free[::3]):
        if number % 3 == 0:
            update_prisoner(session, prisoner, {"conditions": CONDITIONS[number % len(CONDITIONS)]})
        others = [f for f in facilities if f.id != prisoner.facility_id]
        record_event(
            session,
            prisoner,
            type="transferred",
            on=end - timedelta(days=rng.randint(100, 300)),
            facility=rng.choice(others),
            note="Transferred after the sentence came into force",
        )
        made["transfers"] += 1
        batches.tick()
    session.commit()
    balances = _fund_balances(session)
    senders = [p for p in free if balances.get(p.id, 0) >= 600_000]
    for number, prisoner in enumerate(senders[: max(3, len(prisoners) // 10)]):
        cost = rng.randint(2000, 5000) * 100
        sent_on = end - timedelta(days=rng.randint(20, 90))
        items = [
            ParcelItemDraft("Tea, 250 g", 4, 260, _rub(cost // 4)),
            ParcelItemDraft("Warm socks", 3, 120, _rub(cost // 4)),
            ParcelItemDraft("Notebooks and envelopes", 2, 400, _rub(cost // 4)),
        ]
        entry = record_disbursement(
            session,
            prisoner=prisoner,
            money=_rub(cost),
            category="parcels",
            paid_from=bank,
            spent_on=sent_on,
            parcel=ParcelDraft(sent_on=sent_on, items=items, tracking_number=f"RB{number:09d}RU"),
            recorded_by=author,
        )
        assert isinstance(entry, JournalEntry)  # below the sign-off threshold: posted at once
        made["parcels"] += 1
        if storage_root is not None and number % 2 == 0:
            attach_receipt(
                session,
                entry,
                _receipt_png(number),
                original_name=f"parcel-{number}.png",
                storage_root=storage_root,
                max_bytes=RECEIPT_MAX_BYTES,
                uploaded_by=author,
            )
            made["receipts"] += 1
        from ledger.spending.models import Parcel

        parcel = session.scalar(select(Parcel).where(Parcel.entry_id == entry.id))
        assert parcel is not None
        outcome = ("delivered", "returned", "delivered", "confiscated", "delivered", None)[number % 6]
        if outcome is not None:
            record_outcome(
                session, parcel, outcome=outcome, on=sent_on + timedelta(days=12), recorded_by=author
            )
            made[f"parcels {outcome}"] += 1
        if outcome == "returned" and number % 12 == 1:
            record_parcel_refund(
                session,
                parcel,
                money=_rub(cost),
                received_into=bank,
                on=sent_on + timedelta(days=20),
                recorded_by=author,
            )
            made["parcel refunds"] += 1
        batches.tick()
    session.commit()
    leaving = free[::-1]  # after their parcels
    for number, prisoner in enumerate(leaving[: max(3, len(prisoners) // 50)]):
        if number == 0:
            record_event(session, prisoner, type="whereabouts_unknown", on=end - timedelta(days=30))
            made["whereabouts unknown"] += 1
            continue
        policy = ("keep", "general")[number % 2]
        record_event(
            session,
            prisoner,
            type="released",
            on=end - timedelta(days=rng.randint(0, 60)),
            fund_policy=policy,
        )
        made[f"released ({policy})"] += 1
    session.commit()
    return made


def _catch_up(session: Session, world: World) -> None:
    """The stream goes on after the features: the next id, and every balance less its holds."""
    world.next_id = (session.scalar(select(func.max(JournalEntry.id))) or 0) + 1
    held = {
        (account_id, currency): int(minor)
        for account_id, currency, minor in session.execute(
            select(
                ApprovalHold.account_id, ApprovalHold.currency, func.sum(ApprovalHold.amount_minor)
            ).group_by(ApprovalHold.account_id, ApprovalHold.currency)
        )
    }
    rows = session.execute(
        select(
            Account.id, Account.name, Account.type, AccountBalance.currency, AccountBalance.balance_minor
        ).join(Account, Account.id == AccountBalance.account_id)
    )
    for account_id, name, kind, currency, minor in rows:
        sign = 1 if kind in ("asset", "expense") else -1  # Account.normal_sign
        world.balances[(name, currency)] = int(minor) - held.get((account_id, currency), 0) * sign


def add_features(
    session: Session,
    world: World,
    sizes: Sizes,
    *,
    receipts: Path | None = None,
    today: date | None = None,
) -> Counter:
    """Everything above; commits per batch.  Returns what was made, by kind.  ``receipts``:
    the app's receipt store (``instance/receipts``), for a receipt on every other parcel."""
    rng = random.Random(sizes.seed * 7919 + 17)
    today = today or utcnow().date()
    end = min(START + timedelta(days=max(1, sizes.years * 365) - 1), today)
    author = create_user(session, "bench-author@example.org", PASSWORD, "coordinator")
    signer = create_user(session, "bench-signer@example.org", PASSWORD, "coordinator")
    batches = _Batches(session)
    prisoners = list(session.scalars(select(Prisoner).order_by(Prisoner.id)))
    facilities = _facilities(session, rng)
    session.commit()
    made = _pledges(session, rng, prisoners, end, today, batches)
    made += _approvals(session, rng, prisoners, end, author, signer)
    made += _lifecycle_and_parcels(session, rng, prisoners, facilities, end, author, batches, receipts)
    _catch_up(session, world)
    return made
