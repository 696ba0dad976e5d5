"""PostgreSQL plans each statement for its own values, on every pooled connection, also
after a rollback (a generic plan made the prisoner report 20 times slower at 1M, #17)."""

import pytest
from sqlalchemy import text

from ledger.extensions import db
from tests.helpers import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="a PostgreSQL setting")


def test_every_connection_plans_for_its_own_values(session):
    assert session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    session.rollback()
    assert session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    with db.engine.connect() as first, db.engine.connect() as second:  # two pooled connections
        for connection in (first, second):
            assert connection.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
