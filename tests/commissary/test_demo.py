"""The demo organisation's commissary support."""

from datetime import date

from sqlalchemy import select

from ledger.books.verify import verify_ledger
from ledger.commissary.models import CommissaryRun, CommissaryTransfer
from ledger.commissary.transfers import transfer_rows
from ledger.operations.demo import load_demo


def test_demo_has_transfers_in_every_state_and_two_runs(session):
    today = date(2026, 11, 25)
    load_demo(session, today=today)
    session.commit()
    assert verify_ledger(session).ok
    rows = transfer_rows(session, today=today)
    by_status = {}
    for row in rows:
        by_status.setdefault(row.transfer.status, []).append(row)
    assert len(by_status["credited"]) >= 3
    assert [row.days_in_transit for row in by_status["in_transit"]] == [12]
    assert by_status["in_transit"][0].overdue
    [back] = by_status["returned"]
    assert back.transfer.return_reason
    assert back.transfer.fee_minor > 0
    runs = session.scalars(select(CommissaryRun).order_by(CommissaryRun.id)).all()
    assert [run.status for run in runs] == ["approved", "prepared"]
    assert runs[0].prepared_by_id != runs[0].approved_by_id
    assert session.scalars(
        select(CommissaryTransfer.run_month).where(CommissaryTransfer.run_month.is_not(None))
    ).all()


def test_the_migration_seeds_the_limits_the_code_names(session):
    from ledger.commissary.limits import DEFAULT_LIMITS, all_limits

    seeded = {
        (limit.facility_kind, limit.regime, limit.conditions, limit.amount_minor, limit.legal_basis)
        for limit in all_limits(session)
    }
    assert seeded == {
        (kind, regime, conditions, None if rubles is None else rubles * 100, basis)
        for kind, regime, conditions, rubles, basis in DEFAULT_LIMITS
    }
