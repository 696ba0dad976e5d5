"""Several processes write at once: no fund goes below zero, nothing is lost or doubled."""

from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from tests.reliability.workers import post_with_key, process_pool, record_parcels, spend_repeatedly

PROCESSES = 4
TRIES = 60


def _pool():
    return process_pool(PROCESSES)


def test_racing_spenders_never_overdraw_a_fund(
    app, session, database_url, tmp_path, create_prisoner, create_donation
):
    prisoner = create_prisoner()
    create_donation(prisoner, "100.00")
    session.commit()
    fund_name = fund_account_for(session, prisoner).name
    session.remove()

    with _pool() as pool:
        futures = [
            pool.submit(spend_repeatedly, database_url, str(tmp_path), fund_name, TRIES, seed)
            for seed in range(PROCESSES)
        ]
        outcomes = [outcome for future in futures for outcome in future.result()]

    accepted = [(entry_id, amount) for entry_id, amount in outcomes if entry_id is not None]
    assert len(outcomes) == PROCESSES * TRIES
    assert accepted
    assert len(accepted) < len(outcomes)
    fund = fund_account_for(session, prisoner)
    left = available_in(session, fund).get("EUR")
    assert (left.minor if left else 0) == 10000 - sum(amount for _, amount in accepted)
    recorded = set(session.scalars(select(JournalEntry.id).where(JournalEntry.description == "Parcel")))
    assert recorded == {entry_id for entry_id, _ in accepted}
    result = verify_ledger(session)
    assert result.ok, result.problems
    assert result.entries == 1 + len(accepted)


def test_the_same_event_racing_itself_is_recorded_once(
    app, session, database_url, tmp_path, create_prisoner, create_donation
):
    prisoner = create_prisoner()
    create_donation(prisoner, "1.00")
    session.commit()
    fund_name = fund_account_for(session, prisoner).name
    session.remove()
    for attempt in range(5):
        key = f"stripe:txn_race_{attempt}"
        with _pool() as pool:
            ids = list(
                pool.map(
                    post_with_key,
                    *zip(*[(database_url, str(tmp_path), fund_name, key)] * PROCESSES, strict=True),
                )
            )
        assert len([i for i in ids if i is not None]) == 1
        assert (
            session.scalar(
                select(func.count()).select_from(JournalEntry).where(JournalEntry.idempotency_key == key)
            )
            == 1
        )
    assert verify_ledger(session).ok


def test_racing_parcels_never_pass_the_quota_twice(
    app, session, database_url, tmp_path, create_prisoner, create_donation, create_facility
):
    """A facility takes one parcel a month: processes recording parcels for the same months
    at once get exactly one in each month (the quota is checked under the write lock)."""
    facility = create_facility("СИЗО-3 (test)", kind="other", max_parcels_per_month=1)
    prisoner = create_prisoner("race", facility=facility)
    create_donation(prisoner, "100.00")
    session.commit()
    months = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
    session.remove()

    with _pool() as pool:
        futures = [
            pool.submit(record_parcels, database_url, str(tmp_path), "race", months) for _ in range(PROCESSES)
        ]
        taken = sorted(month for future in futures for month in future.result())

    assert taken == months
    assert verify_ledger(session).ok
