from datetime import date

from sqlalchemy import func, select

from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from ledger.funds.models import Donation, Prisoner
from ledger.operations.demo import load_demo


def test_demo_loads_a_verified_year_into_an_empty_database_only(runner, session):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "20 prisoners" in result.output
    assert verify_ledger(session).ok
    assert session.scalar(select(func.count()).select_from(Prisoner).where(Prisoner.public.is_(False))) == 1
    assert (
        session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.reverses_id.isnot(None))
        )
        == 1
    )
    methods = set(session.scalars(select(Donation.method).distinct()))
    assert {"bank", "card", "cash"} <= methods
    entries = session.scalar(select(func.count()).select_from(JournalEntry))
    # The demo's women are recorded as women, so Russian pages say «Осуждена», not «Осуждён».
    genders = dict(session.execute(select(Prisoner.name, Prisoner.gender)).all())
    assert genders["Анна Зимородкова"] == "female"
    assert genders["Вера Черничкина"] == "female"
    assert genders["Борис Облепихин"] == "male"
    assert None not in genders.values()

    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "already has data" in again.output
    assert runner.invoke(args=["demo"]).exit_code == 1
    assert session.scalar(select(func.count()).select_from(JournalEntry)) == entries


def test_demo_is_deterministic(session):
    summary = load_demo(session, today=date(2026, 11, 25))
    session.commit()
    assert summary["entries"] == session.scalar(select(func.count()).select_from(JournalEntry))
    assert verify_ledger(session).ok
