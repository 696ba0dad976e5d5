"""``ledger verify`` covers every fact beside the journal that the public or the money depend on
(issue #27, and #26's deleted checkpoint): with the append-only triggers dropped and restored,
a donation's donor, amount or prisoner changed, a receipt moved to another entry, a fund's
guarded flag cleared, a hidden prisoner made public without an audited change, an audit event
deleted or edited, or the latest checkpoint deleted: each makes the command exit 1 naming what
changed. Untouched books, a forgotten donor and a prisoner published through the API pass."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from ledger.extensions import db
from tests.factories import jpeg_with_gps
from tests.helpers import bearer, seal

TABLES = (
    "donations",
    "receipts",
    "accounts",
    "prisoners",
    "audit_events",
    "checkpoints",
    "releases",
    "published_entries",
    "published_balances",
    "release_funds",
    "release_cells",
    "release_lines",
    "checkpoint_balances",
)


@contextmanager
def triggers_dropped(app):
    """What a tamperer with the database does: the guards off, the edit, the guards back on
    (so that ``ledger verify`` does not stop at a missing trigger)."""
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            names = ", ".join(f"'{table}'" for table in TABLES)
            saved = connection.execute(
                text(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({names})")
            ).all()
            for name, _sql in saved:
                connection.execute(text(f"DROP TRIGGER {name}"))
            yield connection
            for _name, sql in saved:
                connection.execute(text(sql))
        else:
            for table in TABLES:
                connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            yield connection
            for table in TABLES:
                connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


@pytest.fixture(autouse=True)
def restore_triggers(app):
    yield
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in TABLES:
                connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


@pytest.fixture
def books(app, client, tokens):
    """Through the API: Vera (public) and Anna (hidden), a gift to Vera from a named donor and
    an anonymous one, a disbursement with a receipt; two signed checkpoints."""
    admin, coordinator = bearer(tokens["admin"]), bearer(tokens["coordinator"])
    for slug, public in (("vera", True), ("anna", False)):
        response = client.post(
            "/api/v1/prisoners", json={"slug": slug, "name": slug.title(), "public": public}, headers=admin
        )
        assert response.status_code == 201, response.get_json()
    response = client.post(
        "/api/v1/accounts",
        json={"name": "assets:bank:eur-main", "kind": "bank", "currency": "EUR", "label": "Bank"},
        headers=admin,
    )
    assert response.status_code == 201, response.get_json()
    ids = {}
    for key, donor in (("named", {"public_name": "A friend"}), ("other", {"public_name": "Someone else"})):
        response = client.post(
            "/api/v1/donations",
            json={
                "prisoner": "vera",
                "money": {"amount": "120.00", "currency": "EUR"},
                "method": "bank",
                "asset": "assets:bank:eur-main",
                "received_on": "2026-02-01",
                "donor": donor,
            },
            headers=coordinator,
        )
        assert response.status_code == 201, response.get_json()
        ids[key] = response.get_json()["entry"]["id"]
    with app.app_context():
        seal(db.session)
        db.session.commit()
    spent = client.post(
        "/api/v1/disbursements",
        json={
            "prisoner": "vera",
            "money": {"amount": "15.00", "currency": "EUR"},
            "category": "food",
            "paid_from": "assets:bank:eur-main",
            "spent_on": "2026-03-01",
        },
        headers=coordinator,
    ).get_json()["entry"]["id"]
    response = client.post(
        f"/api/v1/disbursements/{spent}/receipts",
        headers=coordinator,
        data={"file": (io.BytesIO(jpeg_with_gps()), "receipt.jpg")},
    )
    assert response.status_code == 201
    ids["spent"] = spent
    with app.app_context():
        seal(db.session)
        db.session.commit()
        db.session.remove()
    return ids


def _verify(runner):
    return runner.invoke(args=["ledger", "verify"])


def _fails_naming(runner, code: str, *words: str) -> str:
    result = _verify(runner)
    assert result.exit_code == 1, result.output
    assert f"[{code}]" in result.output, result.output
    for word in words:
        assert word in result.output, result.output
    return result.output


def test_untouched_books_pass(runner, books):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "OK:" in result.output


def test_a_forgotten_donor_and_a_prisoner_published_through_the_api_pass(runner, client, tokens, books):
    from ledger.funds.models import Donor

    with runner.app.app_context():
        donor_id = db.session.scalar(db.select(Donor.id).where(Donor.public_name == "A friend"))
    # a donor forgotten: the guard lets donor_id become NULL, and nothing else
    with runner.app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE donations SET donor_id = NULL WHERE donor_id = :d"), {"d": donor_id})
    response = client.patch("/api/v1/prisoners/anna", json={"public": True}, headers=bearer(tokens["admin"]))
    assert response.status_code == 200, response.get_json()
    result = _verify(runner)
    assert result.exit_code == 0, result.output


def test_a_donations_donor_swapped(app, runner, books):
    with triggers_dropped(app) as connection:
        connection.execute(
            text(
                "UPDATE donations SET donor_id = (SELECT id FROM donors WHERE public_name = 'Someone else') "
                "WHERE entry_id = :e"
            ),
            {"e": books["named"]},
        )
    _fails_naming(runner, "donation_donor_changed", "donation #1", "not the donor recorded")


def test_a_donations_amount_changed(app, runner, books):
    with triggers_dropped(app) as connection:
        connection.execute(
            text("UPDATE donations SET amount_minor = 1000 WHERE entry_id = :e"), {"e": books["named"]}
        )
    _fails_naming(runner, "donation_changed", "10.00 EUR", "120.00 EUR")


def test_a_donations_prisoner_changed(app, runner, books):
    with triggers_dropped(app) as connection:
        connection.execute(
            text(
                "UPDATE donations SET prisoner_id = (SELECT id FROM prisoners WHERE slug = 'anna') WHERE entry_id = :e"
            ),
            {"e": books["named"]},
        )
    _fails_naming(runner, "donation_changed", "its amount, currency or prisoner was changed")


def test_a_receipt_moved_to_another_entry(app, runner, books):
    with triggers_dropped(app) as connection:
        connection.execute(text("UPDATE receipts SET entry_id = :e"), {"e": books["named"]})
    _fails_naming(runner, "receipt_moved", f"entry #{books['named']}")


def test_a_funds_guarded_flag_cleared(app, runner, books):
    with triggers_dropped(app) as connection:
        connection.execute(
            text("UPDATE accounts SET guarded = false WHERE name = 'liabilities:funds:prisoner:vera'")
        )
    _fails_naming(runner, "guard_flag_changed", "liabilities:funds:prisoner:vera", "cleared")


def test_a_hidden_prisoner_made_public_without_audit(app, runner, books):
    with triggers_dropped(app) as connection:
        connection.execute(text("UPDATE prisoners SET public = true WHERE slug = 'anna'"))
    _fails_naming(runner, "public_flag_changed", "prisoner anna is public")


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_an_audit_event_deleted(app, runner, books, which):
    with triggers_dropped(app) as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM audit_events ORDER BY id"))]
        chosen = {"first": ids[0], "middle": ids[len(ids) // 2], "last": ids[-1]}[which]
        connection.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": chosen})
    _fails_naming(runner, "audit_chain_broken", "removed")


def test_an_audit_event_edited(app, runner, books):
    with triggers_dropped(app) as connection:
        connection.execute(
            text(
                "UPDATE audit_events SET details = replace(details, 'false', 'true') WHERE target = 'prisoner:anna'"
            )
        )
    _fails_naming(runner, "audit_chain_broken", "edited")


def test_the_latest_checkpoint_deleted(app, runner, books):
    with triggers_dropped(app) as connection:
        connection.execute(text("DELETE FROM checkpoint_balances WHERE sequence = 2"))
        for table in (
            "published_entries",
            "published_balances",
            "release_funds",
            "release_cells",
            "release_lines",
        ):
            connection.execute(text(f"DELETE FROM {table} WHERE sequence = 2"))  # its release, too
        connection.execute(text("DELETE FROM releases WHERE sequence = 2"))
        connection.execute(text("DELETE FROM checkpoints WHERE sequence = 2"))
    _fails_naming(runner, "checkpoint_missing", "checkpoint #2", "deleted")


def test_audit_events_refuse_edits_and_deletes(app, books):
    from sqlalchemy.exc import DatabaseError

    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            app.app_context(),
            db.engine.begin() as connection,
        ):
            connection.execute(text(statement))
