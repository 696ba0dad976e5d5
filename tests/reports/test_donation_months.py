"""Gifts by month in the open books: oldest month first; in a month the general fund, then
the public prisoners by name, then one line for every prisoner not named publicly; per
currency. They are read a month at a time, so the whole journal's download stays flat."""

from __future__ import annotations

from datetime import date

from ledger.checkpoints.as_of import public_as_of
from ledger.reports.public_journal import donation_months
from tests.helpers import seal


def test_months_in_order_and_the_hidden_prisoners_as_one_line(session, create_prisoner, create_donation):
    boris = create_prisoner("boris", name="Борис")
    anna = create_prisoner("anna", name="Анна")
    hidden = [create_prisoner(f"hidden-{n}", public=False, name=f"Скрытый {n}") for n in (1, 2)]
    march, january = date(2026, 3, 4), date(2026, 1, 9)
    create_donation(boris, "10.00", on=march)
    create_donation(hidden[0], "7.00", on=march)
    create_donation(hidden[1], "8.00", on=march)
    create_donation(None, "1.00", "RUB", on=march)
    create_donation(anna, "2.00", on=january)
    create_donation(anna, "3.00", "RUB", on=january)
    create_donation(boris, "4.00", on=january)
    session.commit()
    seal(session)  # the tests' rules make a cell of every month's gifts

    lines = donation_months(session, public_as_of(session))
    assert iter(lines) is lines  # a stream, not a list of the whole journal
    got = [(line.month, line.place.key, line.place.name, line.currency, line.received) for line in lines]
    assert got == [
        (date(2026, 1, 1), "prisoner", "Анна", "EUR", 200),
        (date(2026, 1, 1), "prisoner", "Анна", "RUB", 300),
        (date(2026, 1, 1), "prisoner", "Борис", "EUR", 400),
        (date(2026, 3, 1), "general_fund", None, "RUB", 100),
        (date(2026, 3, 1), "prisoner", "Борис", "EUR", 1000),
        (date(2026, 3, 1), "hidden_prisoner", None, "EUR", 1500),
    ]
    only_march = list(
        donation_months(session, public_as_of(session), start=date(2026, 2, 1), end=date(2026, 3, 31))
    )
    assert [line.month for line in only_march] == [date(2026, 3, 1)] * 3
    assert sum(line.received for line in only_march) == 2600
