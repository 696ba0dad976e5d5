"""Fictional demo data: a small organisation's year, recorded through the domain layer.

Every name here is invented (surnames made from words for birds, berries and
trees, towns that do not exist), so nothing points at a real person.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.access.audit import record_audit
from ledger.books.accounts import (
    ensure_standard_accounts,
    fund_account_for,
    general_fund,
    get_or_create_account,
    trading_account,
)
from ledger.books.balances import available_in
from ledger.books.descriptions import describe
from ledger.books.errors import InsufficientFunds
from ledger.books.models import JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, post_entry, reverse_entry
from ledger.funds.kinds import PledgeStatus
from ledger.funds.models import BankDetails, Donation, Donor, Facility, Pledge, Prisoner
from ledger.funds.pledges import REFERENCE_ALPHABET, REFERENCE_PREFIX
from ledger.money import Money
from ledger.platform.database import utc_today

FACILITIES = [
    # name, address, region, the facility's own weight and monthly limits, kind, regime
    (
        "ИК-7, Северогорск",
        "ул. Лесная, 1, Северогорск, 169001",
        "Северогорская область",
        30000,
        1,
        "colony",
        "general",
    ),
    (
        "СИЗО-2, Ясногорье",
        "ул. Тюремная, 5, Ясногорье, 300099",
        "Ясногорский край",
        30000,
        2,
        "pre_trial",
        "none",
    ),
    ("ИК-12, Краснобор", "пос. Краснобор, 423888", "Красноборская область", 20000, 1, "colony", "strict"),
    (
        "СИЗО-1, Малая Верея",
        "пр. Речной, 14, Малая Верея, 600777",
        "Верейская область",
        30000,
        4,
        "pre_trial",
        "none",
    ),
]
# Where letters go, in Latin letters, for each facility above (fictional, like the rest).
LATIN_POSTAL = {
    "ИК-7, Северогорск": "169001, Severogorsk, ul. Lesnaya 1, FKU IK-7 FSIN of Russia",
    "СИЗО-2, Ясногорье": "300099, Yasnogorye, ul. Tyuremnaya 5, FKU SIZO-2 FSIN of Russia",
    "ИК-12, Краснобор": "423888, pos. Krasnobor, FKU IK-12 FSIN of Russia",
    "СИЗО-1, Малая Верея": "600777, Malaya Vereya, pr. Rechnoy 14, FKU SIZO-1 FSIN of Russia",
}
PRISONERS = [
    ("Анна Зимородкова", "Anna Zimorodkova"),
    ("Борис Облепихин", "Boris Oblepikhin"),
    ("Вера Черничкина", "Vera Chernichkina"),
    ("Глеб Кедровский", "Gleb Kedrovsky"),
    ("Дарья Подснежникова", "Darya Podsnezhnikova"),
    ("Егор Свиристелев", "Yegor Sviristelev"),
    ("Жанна Брусничкина", "Zhanna Brusnichkina"),
    ("Захар Можжевелов", "Zakhar Mozhzhevelov"),
    ("Ирина Клюквенская", "Irina Klyukvenskaya"),
    ("Кирилл Дроздовиков", "Kirill Drozdovikov"),
    ("Лидия Рябинкина", "Lidiya Ryabinkina"),
    ("Марк Снегирёв-Лесной", "Mark Snegiryov-Lesnoy"),
    ("Нина Голубикина", "Nina Golubikina"),
    ("Олег Пихтовников", "Oleg Pikhtovnikov"),
    ("Полина Ежевичкина", "Polina Yezhevichkina"),
    ("Роман Чечёткин-Луговой", "Roman Chechyotkin-Lugovoy"),
    ("Софья Морошкина", "Sofya Moroshkina"),
    ("Тимур Лиственников", "Timur Listvennikov"),
    ("Ульяна Щеглова-Полевая", "Ulyana Shcheglova-Polevaya"),
    ("Фёдор Калиновский-Ручей", "Fyodor Kalinovsky-Ruchey"),
]
STATUSES = ["awaiting_trial", "sentenced", "sentenced", "sentenced", "released"]
CHARGES = [
    ("«Дискредитация армии» (ст. 207.3 УК)", "“Discrediting the army” (art. 207.3)"),
    ("«Госизмена» (ст. 275 УК)", "“High treason” (art. 275)"),
    ("«Оправдание терроризма» (ст. 205.2 УК)", "“Justifying terrorism” (art. 205.2)"),
    ("«Участие в экстремистском сообществе» (ст. 282.2 УК)", "“Extremist community” (art. 282.2)"),
]
PUBLIC_DONOR_NAMES = [
    "Friends in Tbilisi",
    "М. из Еревана",
    "A reader from Riga",
    "Choir of St. Nowhere",
    "Лена К.",
]
SPENDING = [
    ("food", "Продуктовая передача", "Food parcel"),
    ("clothing", "Тёплые вещи", "Warm clothes"),
    ("parcels", "Посылка и почтовый сбор", "Parcel and postage"),
    ("commissary", "Зачисление на лицевой счёт", "Commissary deposit"),
    ("letters", "Письма через ФСИН-письмо", "Letters via the prison e-mail service"),
]


def database_is_empty(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Prisoner)) or 0) == 0 and (
        session.scalar(select(func.count()).select_from(JournalEntry)) or 0
    ) == 0


def _money(amount: str | int | Decimal, currency: str) -> Money:
    return Money(Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN), currency)


def load_demo(session: Session, *, today: date | None = None, seed: int = 2026) -> dict:
    """Record a year of a fictional organisation's books.  The caller commits."""
    rng = random.Random(seed)
    today = today or utc_today()
    start = date(today.year - 1, today.month, 1)
    ensure_standard_accounts(session)
    banks = {
        "EUR": get_or_create_account(session, "assets:bank:eur-main", label="Bank EUR"),
        "USD": get_or_create_account(session, "assets:bank:usd-main", label="Bank USD"),
        "RUB": get_or_create_account(session, "assets:bank:rub-main", label="Bank RUB"),
    }
    cash = get_or_create_account(session, "assets:cash:coordinator-olga", label="Olga's cash", currency="RUB")
    stripe = get_or_create_account(session, "assets:stripe")
    general = general_fund(session)
    trading = trading_account(session)

    # Fictional bank details, so that the bank-transfer pledge page works in the demo.
    demo_details = [
        BankDetails(
            currency="EUR",
            details_en="Beneficiary: Demo Solidarity e.V. (fictional)\nIBAN: DE00 0000 0000 0000 0000 00\n"
            "BIC: DEMODEFFXXX",
            details_ru="Получатель: Demo Solidarity e.V. (вымышленный)\nIBAN: DE00 0000 0000 0000 0000 00\n"
            "BIC: DEMODEFFXXX",
        ),
        BankDetails(
            currency="RUB",
            details_en="Beneficiary: demo account (fictional)\nAccount: 40817 810 0 0000 0000000",
            details_ru="Получатель: демонстрационный счёт (вымышленный)\nСчёт: 40817 810 0 0000 0000000",
        ),
    ]
    session.add_all(d for d in demo_details if session.get(BankDetails, d.currency) is None)
    facilities = []
    for name, address, region, grams, per_month, kind, regime in FACILITIES:
        facility = Facility(
            name=name,
            address=address,
            region=region,
            max_parcel_grams=grams,
            max_parcels_per_month=per_month,
            kind=kind,
            regime=regime,
            postal_address_ru=f"{address}, {region}, ФКУ {name.split(',')[0]} ФСИН России",
            postal_address_latin=LATIN_POSTAL.get(name),
        )
        session.add(facility)
        facilities.append(facility)
    session.flush()

    prisoners = []
    for index, (name, latin) in enumerate(PRISONERS):
        facility = facilities[index % len(facilities)]
        charge_ru, charge_en = CHARGES[index % len(CHARGES)]
        slug = latin.lower().replace(" ", "-")
        prisoner = Prisoner(
            slug=slug,
            name=name,
            name_latin=latin,
            # The demo's names alternate: women (Анна, Вера …) at even places, men at odd ones.
            gender="female" if index % 2 == 0 else "male",
            facility=facility,
            # Letters go to the facility's postal address; a few families agreed to the birth date.
            birth_date=date(1975 + index % 25, 1 + index % 12, 1 + index % 27),
            letter_birth_date_consent=index % 3 == 0,
            channel_url=f"https://example.org/support/{slug}" if index % 4 == 0 else None,
            region=facility.region,
            charges=charge_ru,
            sentence=None if index % 5 == 0 else f"{3 + index % 7} лет",
            status=STATUSES[index % len(STATUSES)],
            bio_ru=f"{name.split()[0]} — учитель и волонтёр. Обвинение: {charge_ru}.",
            bio_en=f"{latin.split()[0]} is a teacher and volunteer. Charged with {charge_en}.",
            monthly_need_minor=rng.choice([15000, 20000, 25000, 30000]) * 100,
            monthly_need_currency="RUB",
            public=index != 19,  # one hidden prisoner: the family asked us not to publish
        )
        session.add(prisoner)
        session.flush()
        fund_account_for(session, prisoner)
        # as ledger.funds.prisoners.create_prisoner does: the public flag is an audited fact
        record_audit(session, "prisoner.created", target=f"prisoner:{prisoner.slug}", public=prisoner.public)
        prisoners.append(prisoner)

    donors = [Donor(public_name=name) for name in PUBLIC_DONOR_NAMES] + [Donor() for _ in range(25)]
    session.add_all(donors)
    session.flush()
    pledges = []
    for number, donor in enumerate(donors[:18]):
        pledged_to = prisoners[number % 12] if number % 6 else None
        currency = ["EUR", "USD", "RUB", "EUR"][number % 4]
        amount = {"EUR": 2000, "USD": 2500, "RUB": 150000}[currency] * (1 + number % 3)
        pledge = Pledge(
            reference=REFERENCE_PREFIX + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6)),
            donor=donor,
            prisoner=pledged_to,
            amount_minor=amount,
            currency=currency,
            frequency="monthly" if number % 5 else "one_off",
            starts_on=start + timedelta(days=number * 9),
            status=PledgeStatus.ACTIVE,
        )
        session.add(pledge)
        pledges.append(pledge)
    session.flush()

    counts = {"entries": 0}

    def post(draft: EntryDraft) -> JournalEntry | None:
        try:
            entry = post_entry(session, draft)
        except InsufficientFunds:
            return None
        counts["entries"] += 1
        return entry

    def donation(when, prisoner, money, method, asset, donor=None, pledge=None, fee=None):
        fund = fund_account_for(session, prisoner) if prisoner else general
        postings = [
            PostingDraft(asset, money if fee is None else money - fee),
            PostingDraft(fund, -money, "donation"),
        ]
        if fee is not None:
            postings.append(PostingDraft(fund, fee, "fee"))
        description = describe(f"{method}_donation")
        entry = post(EntryDraft(when, description, postings, source_type="demo"))
        session.add(
            Donation(
                entry_id=entry.id,
                donor=donor,
                pledge=pledge,
                prisoner=prisoner,
                method=method,
                amount_minor=money.minor,
                currency=money.currency,
                received_on=when,
            )
        )
        return entry

    first_donation = None
    month = start
    while month <= today:
        for pledge in pledges:
            if pledge.starts_on > month + timedelta(days=27) or (
                pledge.frequency == "one_off"
                and (pledge.starts_on.year, pledge.starts_on.month) != (month.year, month.month)
            ):
                continue
            if rng.random() < 0.12:  # some months a pledge is missed
                continue
            when = min(month + timedelta(days=rng.randint(1, 25)), today)
            money = Money.from_minor(pledge.amount_minor, pledge.currency)
            if pledge.currency == "EUR" and rng.random() < 0.5:
                fee = _money(money.amount * Decimal("0.029") + Decimal("0.25"), "EUR")
                entry = donation(when, pledge.prisoner, money, "card", stripe, pledge.donor, pledge, fee)
            else:
                entry = donation(
                    when, pledge.prisoner, money, "bank", banks[pledge.currency], pledge.donor, pledge
                )
            first_donation = first_donation or entry
        for _ in range(6):  # one-off gifts without a pledge
            prisoner = rng.choice(prisoners)
            when = min(month + timedelta(days=rng.randint(1, 27)), today)
            if rng.random() < 0.4:
                donation(when, prisoner, _money(rng.choice([3000, 5000, 10000]), "RUB"), "cash", cash)
            else:
                donation(
                    when,
                    prisoner,
                    _money(rng.choice([10, 25, 50, 100]), "EUR"),
                    "bank",
                    banks["EUR"],
                    rng.choice(donors),
                )
        # allocate the general fund to whoever needs it most
        for currency in ("EUR", "USD", "RUB"):
            held = available_in(session, general).get(currency)
            if held is None or held.minor < 1000:
                continue
            share = Money.from_minor(held.minor // 2, currency)
            target = fund_account_for(session, rng.choice(prisoners))
            post(
                EntryDraft(
                    min(month + timedelta(days=27), today),
                    "Allocation from the general fund",
                    [PostingDraft(general, share, "transfer"), PostingDraft(target, -share, "transfer")],
                    source_type="demo",
                )
            )
        # Stripe pays out the month's card donations to the euro account
        payout = available_in(session, stripe).get("EUR")
        if payout is not None and payout.minor > 0:
            post(
                EntryDraft(
                    min(month + timedelta(days=25), today),
                    "Stripe payout",
                    [
                        PostingDraft(banks["EUR"], payout, "transfer"),
                        PostingDraft(stripe, -payout, "transfer"),
                    ],
                    source_type="demo",
                )
            )
        # convert foreign money to roubles and spend it on parcels, food and commissary
        for prisoner in prisoners:
            fund = fund_account_for(session, prisoner)
            fund_holds = available_in(session, fund)
            for currency, rate in (("EUR", Decimal("98.40")), ("USD", Decimal("91.10"))):
                foreign = fund_holds.get(currency)
                if foreign is None or foreign.minor < 2000:
                    continue
                rate += Decimal(rng.randint(-300, 300)) / 100
                received = _money(foreign.amount * rate, "RUB")
                when = min(month + timedelta(days=26), today)
                post(
                    EntryDraft(
                        when,
                        describe("fund_conversion", source=currency, target="RUB", rate=rate),
                        [
                            PostingDraft(fund, foreign, "conversion"),
                            PostingDraft(trading, -foreign, "conversion"),
                            PostingDraft(trading, received, "conversion"),
                            PostingDraft(fund, -received, "conversion"),
                        ],
                        conversion_rate=str(rate),
                        source_type="demo",
                    )
                )
                # the bank converts the pooled money too, when it holds enough
                in_bank = available_in(session, banks[currency]).get(currency)
                if in_bank is None or in_bank.minor < foreign.minor:
                    continue
                post(
                    EntryDraft(
                        when,
                        f"Bank conversion {currency}→RUB at {rate}",
                        [
                            PostingDraft(banks[currency], -foreign, "conversion"),
                            PostingDraft(trading, foreign, "conversion"),
                            PostingDraft(trading, -received, "conversion"),
                            PostingDraft(banks["RUB"], received, "conversion"),
                        ],
                        conversion_rate=str(rate),
                        source_type="demo",
                    )
                )
            roubles = available_in(session, fund).get("RUB")
            if roubles is None:
                continue
            for category, ru, en in rng.sample(SPENDING, 2):
                amount = min(roubles.minor // 3, rng.randint(1500, 9000) * 100)
                if amount < 10000:
                    continue
                spend = Money.from_minor(amount, "RUB")
                asset = cash if category in ("food", "commissary") and rng.random() < 0.5 else banks["RUB"]
                when = min(month + timedelta(days=rng.randint(2, 28)), today)
                post(
                    EntryDraft(
                        when,
                        f"{ru} / {en}",
                        [PostingDraft(fund, spend, category), PostingDraft(asset, -spend)],
                        source_type="demo",
                    )
                )
        month = (month + timedelta(days=32)).replace(day=1)

    _demo_letters(session, rng, prisoners[:8], banks["RUB"], today, post)

    richest = max(
        prisoners,
        key=lambda p: (
            available_in(session, fund_account_for(session, p)).get("RUB", Money.from_minor(0, "RUB")).minor
        ),
    )
    mistake = post(
        EntryDraft(
            today,
            "Продуктовая передача (ошибка: не тот получатель)",
            [
                PostingDraft(fund_account_for(session, richest), _money(1000, "RUB"), "food"),
                PostingDraft(banks["RUB"], -_money(1000, "RUB")),
            ],
            source_type="demo",
        )
    )
    if mistake is not None:
        reverse_entry(session, mistake, reason="recorded for the wrong prisoner", entry_date=today)
        counts["entries"] += 1
    # Called first: its gifts count themselves through post().
    added = _demo_commissary(session, prisoners, facilities, banks["RUB"], today, donation)
    counts["entries"] += added
    return {"prisoners": len(prisoners), "entries": counts["entries"], "first_donation": first_donation}


def _demo_letters(session: Session, rng: random.Random, prisoners, bank, today: date, post) -> None:
    """A few letters in the last two months: free ones through RosUznik, paid ones through
    FSIN-pismo (a letter, two images, a reply form: 180 ₽ of letters spending), some answered."""
    from ledger.letters.letters import service_cost
    from ledger.letters.models import Letter
    from ledger.letters.services import service_by_key

    free, paid = service_by_key(session, "rosuznik"), service_by_key(session, "fsin_pismo")
    if free is None or paid is None:  # a database the migrations did not seed
        return
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    span = (today - first).days
    for prisoner in prisoners:
        for number in range(rng.randint(1, 4)):
            sent_on = first + timedelta(days=rng.randint(0, span))
            service = paid if number == 0 else free
            cost = service_cost(service, images=2 if service is paid else 0, reply_form=service is paid)
            entry = None
            if cost is not None and cost.minor:
                fund = fund_account_for(session, prisoner)
                entry = post(
                    EntryDraft(
                        sent_on,
                        describe("spending", category="letters"),
                        [PostingDraft(fund, cost, "letters"), PostingDraft(bank, -cost, "letters")],
                        source_type="demo",
                    )
                )
                if entry is None:
                    continue
            replied = sent_on + timedelta(days=rng.randint(7, 20))
            session.add(
                Letter(
                    prisoner_id=prisoner.id,
                    service_id=service.id,
                    facility_id=prisoner.facility_id,
                    sent_on=sent_on,
                    pages=rng.randint(1, 3),
                    images=2 if service is paid else 0,
                    reply_form=service is paid,
                    cost_minor=cost.minor if cost is not None else 0,
                    currency="RUB",
                    paid_from_id=bank.id if entry is not None else None,
                    entry_id=entry.id if entry is not None else None,
                    replied_on=replied if replied <= today and rng.random() < 0.5 else None,
                )
            )
    session.flush()


def _demo_users(session: Session):
    """Two fictional coordinators who prepared and approved the demo's runs; they cannot sign in."""
    import secrets

    from ledger.access.models import User
    from ledger.access.users import create_user

    users = []
    for email in ("anna.demo@example.org", "boris.demo@example.org"):
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(session, email, secrets.token_urlsafe(24), "coordinator")
            user.active = False
        users.append(user)
    session.flush()
    return users


def _demo_commissary(session: Session, prisoners: list, facilities: list, bank, today: date, donation) -> int:
    """Commissary support: transfers credited, one in transit for 12 days, one returned after
    a transfer to another colony, monthly top-ups, an approved run last month and a prepared
    one this month.  Returns the number of entries posted."""
    from ledger.commissary.runs import approve_run, prepare_run, set_top_up
    from ledger.commissary.transfers import credit_transfer, return_transfer, send_now
    from ledger.funds.lifecycle import record_event

    preparer, approver = _demo_users(session)
    able = [p for p in prisoners if p.public and p.status == "sentenced"][:6]
    entries = 0
    for prisoner in able:  # gifts for commissary, two months ago
        donation(
            today - timedelta(days=60), prisoner, _money(20000, "RUB"), "bank", bank
        )  # counted by post()
    for number, prisoner in enumerate(able[:3]):
        sent_on = today - timedelta(days=40 - number * 3)
        transfer = send_now(
            session,
            prisoner=prisoner,
            money=_money(3000 + 500 * number, "RUB"),
            fee=_money(90, "RUB"),
            channel=("zonatelecom", "fsin_transfer", "post")[number],
            paid_from=bank,
            sent_on=sent_on,
        )
        credit_transfer(session, transfer, on=sent_on + timedelta(days=4 + number))
        entries += 2
    send_now(
        session,
        prisoner=able[3],
        money=_money(2500, "RUB"),
        fee=_money(75, "RUB"),
        channel="zonatelecom",
        paid_from=bank,
        sent_on=today - timedelta(days=12),
        memo="Перевод на лицевой счёт",
    )
    entries += 1
    moved = able[4]
    returned = send_now(
        session,
        prisoner=moved,
        money=_money(4000, "RUB"),
        fee=_money(120, "RUB"),
        channel="zonatelecom",
        paid_from=bank,
        sent_on=today - timedelta(days=20),
    )
    elsewhere = next(f for f in facilities if f.id != moved.facility_id and f.kind == "colony")
    record_event(session, moved, type="transferred", on=today - timedelta(days=18), facility=elsewhere)
    return_transfer(session, returned, on=today - timedelta(days=10), reason="Этап: адресат выбыл")
    entries += 2
    for prisoner in able[:5]:
        set_top_up(
            session,
            prisoner,
            money=_money(2000, "RUB"),
            fee=_money(60, "RUB"),
            channel="zonatelecom",
            paid_from=bank,
        )
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    run = prepare_run(session, last_month.isoformat()[:7], prepared_by=preparer, on=last_month)
    approved = approve_run(session, run.id, approver=approver, on=last_month + timedelta(days=2))
    entries += sum(1 for line in approved.lines if line.transfer_id is not None)
    for line in approved.lines:
        if line.transfer_id is not None:
            credit_transfer(session, line.transfer, on=last_month + timedelta(days=6))
            entries += 1
    prepare_run(session, today.isoformat()[:7], prepared_by=preparer, on=today)
    return entries
