"""One command per write (issue #31): a parcel recorded from the page's form, from the API's
JSON and from a stored approval is the same ``RecordSpending`` and the same entry."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ledger.access.models import User
from ledger.books.holds import Approval
from ledger.books.models import JournalEntry
from ledger.money import Money
from ledger.signoff.thresholds import set_approval_thresholds
from ledger.spending.disbursements import ParcelDraft, ParcelItemDraft, RecordSpending
from ledger.spending.kinds import ParcelKind
from ledger.spending.models import Parcel
from tests.helpers import bearer

OVERRIDE = "Решение начальника ИК"


def _form() -> dict[str, str]:
    return {
        "prisoner": "vera",
        "amount": "1500.00",
        "currency": "RUB",
        "category": "parcels",
        "paid_from": "assets:bank:rub-main",
        "spent_on": "2026-03-02",
        "memo": "Посылка к зиме",
        "parcel_sent_on": "2026-03-03",
        "parcel_kind": "small_parcel",
        "parcel_tracking": "RA123456789RU",
        "parcel_total_grams": "1200",
        "parcel_override_reason": OVERRIDE,
        "items-0-name": "Тёплые носки",
        "items-0-quantity": "3",
        "items-0-grams": "100",
        "items-0-cost": "300.00",
        "items-1-name": "Чай",
        "items-1-quantity": "2",
        "items-1-grams": "250",
        "items-1-cost": "400.00",
    }


def _json() -> dict[str, object]:
    return {
        "prisoner": "vera",
        "money": {"amount": "1500.00", "currency": "RUB"},
        "category": "parcels",
        "paid_from": "assets:bank:rub-main",
        "spent_on": "2026-03-02",
        "memo": "Посылка к зиме",
        "parcel": {
            "sent_on": "2026-03-03",
            "kind": "small_parcel",
            "tracking_number": "RA123456789RU",
            "total_grams": 1200,
            "override_reason": OVERRIDE,
            "items": [
                {
                    "name": "Тёплые носки",
                    "quantity": 3,
                    "grams": 100,
                    "cost": {"amount": "300.00", "currency": "RUB"},
                },
                {"name": "Чай", "quantity": 2, "grams": 250, "cost": {"amount": "400.00", "currency": "RUB"}},
            ],
        },
    }


def _recorded(session, entry_id: int) -> dict[str, object]:
    """What an entry and its parcel say, without the ids, hashes and times that differ."""
    session.expire_all()
    entry = session.get_one(JournalEntry, entry_id)
    parcel = session.scalar(select(Parcel).where(Parcel.entry_id == entry_id))
    assert parcel is not None
    return {
        "date": entry.entry_date,
        "description": entry.description,
        "postings": sorted(
            (p.account.name, p.amount_minor, p.currency, p.category, p.memo) for p in entry.postings
        ),
        "parcel": (
            parcel.prisoner_id,
            parcel.facility_id,
            parcel.sent_on,
            parcel.kind,
            parcel.medical,
            parcel.tracking_number,
            parcel.total_grams,
            parcel.override_reason,
            sorted((i.name, i.quantity, i.grams, i.cost_minor, i.currency) for i in parcel.items),
        ),
    }


def test_a_parcel_from_the_page_the_api_and_sign_off_is_one_entry(
    client, auth, session, tokens, parcel_setup
):
    auth.login("coordinator")
    page = client.post("/disbursements/new", data=_form())
    assert page.status_code == 302, page.text
    from_page = int(page.headers["Location"].rsplit("/", 1)[1])

    answer = client.post("/api/v1/disbursements", json=_json(), headers=bearer(tokens["coordinator"]))
    assert answer.status_code == 201, answer.get_json()
    from_api = answer.get_json()["entry"]["id"]

    admin = session.scalar(select(User).where(User.email == "admin@example.org"))
    set_approval_thresholds(session, {"RUB": Money.from_minor(100_000, "RUB")}, user=admin)
    session.commit()
    pending = client.post("/api/v1/disbursements", json=_json(), headers=bearer(tokens["coordinator"]))
    assert pending.status_code == 202, pending.get_json()
    approval_id = pending.get_json()["approval"]
    approved = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(tokens["admin"]))
    assert approved.status_code == 201, approved.get_json()
    from_sign_off = approved.get_json()["entry"]["id"]

    assert len({from_page, from_api, from_sign_off}) == 3
    expected = _recorded(session, from_page)
    assert expected["parcel"][3] == ParcelKind.SMALL_PARCEL
    assert len(expected["parcel"][8]) == 2
    assert _recorded(session, from_api) == expected
    assert _recorded(session, from_sign_off) == expected
    assert session.get_one(JournalEntry, from_sign_off).approved_by_id == admin.id


def test_the_stored_payload_round_trips_through_the_command(session, parcel_setup):
    from ledger.books.accounts import find_account

    paid_from = find_account(session, "assets:bank:rub-main")
    assert paid_from is not None
    money = Money.from_minor(150_000, "RUB")
    command = RecordSpending(
        prisoner=parcel_setup,
        money=money,
        category="parcels",
        paid_from=paid_from,
        spent_on=date(2026, 3, 2),
        memo="Посылка",
        parcel=ParcelDraft(
            sent_on=date(2026, 3, 3),
            items=[ParcelItemDraft(name="Чай", quantity=2, grams=250, cost=Money.from_minor(40_000, "RUB"))],
            tracking_number="RA1",
            total_grams=600,
            kind=ParcelKind.SMALL_PARCEL,
            medical=True,
            override_reason=OVERRIDE,
        ),
        idempotency_key="key-1",
    )
    assert RecordSpending.from_payload(session, command.to_payload(), money) == command
    without = RecordSpending(
        prisoner=parcel_setup, money=money, category="food", paid_from=paid_from, spent_on=date(2026, 3, 2)
    )
    assert RecordSpending.from_payload(session, without.to_payload(), money) == without


def test_a_payload_stored_before_parcel_kinds_loads_as_a_parcel(session, parcel_setup):
    from ledger.books.accounts import find_account

    paid_from = find_account(session, "assets:bank:rub-main")
    assert paid_from is not None
    stored = {
        "prisoner_id": parcel_setup.id,
        "category": "parcels",
        "paid_from_id": paid_from.id,
        "spent_on": "2026-03-02",
        "memo": None,
        "idempotency_key": None,
        "parcel": {"sent_on": "2026-03-03", "tracking_number": None, "total_grams": 500, "items": []},
    }
    command = RecordSpending.from_payload(session, stored, Money.from_minor(1000, "RUB"))
    assert command.parcel is not None
    assert command.parcel.kind == ParcelKind.PARCEL
    assert command.parcel.medical is False
    assert command.parcel.override_reason is None
    assert command.paid_from == paid_from
    assert command.prisoner == parcel_setup


def test_unknown_names_are_refused_alike_on_every_edge(client, auth, tokens, session, parcel_setup):
    """The page and the API find the prisoner and the account paid from the same way."""
    before = session.scalar(select(Approval.id).order_by(Approval.id.desc()).limit(1))
    body = _json()
    body["paid_from"] = "assets:bank:nowhere"
    answer = client.post("/api/v1/disbursements", json=body, headers=bearer(tokens["coordinator"]))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "bad_paid_from"
    assert answer.get_json()["error"]["field"] == "paid_from"
    body = _json()
    body["prisoner"] = "nobody"
    answer = client.post("/api/v1/disbursements", json=body, headers=bearer(tokens["coordinator"]))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "unknown_prisoner"
    assert answer.get_json()["error"]["field"] == "prisoner"
    assert session.scalar(select(Approval.id).order_by(Approval.id.desc()).limit(1)) == before


def test_every_approvable_kind_has_one_handler():
    """Sign-off records an item through the registry: a kind without a handler could wait for ever."""
    from ledger.books.kinds import ApprovalKind
    from ledger.signoff.registry import HANDLERS

    assert set(HANDLERS) == set(ApprovalKind)
    assert len({id(handler) for handler in HANDLERS.values()}) == len(HANDLERS)


def _entry_facts(session, entry_id: int) -> dict[str, object]:
    session.expire_all()
    entry = session.get_one(JournalEntry, entry_id)
    return {
        "date": entry.entry_date,
        "description": entry.description,
        "postings": sorted(
            (p.account.name, p.amount_minor, p.currency, p.category, p.memo) for p in entry.postings
        ),
    }


def test_a_transfer_from_the_page_the_api_and_sign_off_is_one_entry(
    client, auth, session, tokens, parcel_setup
):
    auth.login("coordinator")
    page = client.post(
        "/transfers/new",
        data={
            "from_fund": "vera",
            "to_fund": "general",
            "amount": "1500.00",
            "currency": "RUB",
            "on": "2026-03-02",
            "memo": "Back to the pot",
        },
    )
    assert page.status_code == 302, page.text
    from_page = int(page.headers["Location"].rsplit("/", 1)[1])
    body = {
        "from": "vera",
        "to": "general",
        "money": {"amount": "1500.00", "currency": "RUB"},
        "on": "2026-03-02",
        "memo": "Back to the pot",
    }
    answer = client.post("/api/v1/transfers", json=body, headers=bearer(tokens["coordinator"]))
    assert answer.status_code == 201, answer.get_json()
    from_api = answer.get_json()["entry"]["id"]

    admin = session.scalar(select(User).where(User.email == "admin@example.org"))
    set_approval_thresholds(session, {"RUB": Money.from_minor(100_000, "RUB")}, user=admin)
    session.commit()
    pending = client.post("/api/v1/transfers", json=body, headers=bearer(tokens["coordinator"]))
    assert pending.status_code == 202, pending.get_json()
    approved = client.post(
        f"/api/v1/approvals/{pending.get_json()['approval']}/approve", headers=bearer(tokens["admin"])
    )
    assert approved.status_code == 201, approved.get_json()
    from_sign_off = approved.get_json()["entry"]["id"]

    assert len({from_page, from_api, from_sign_off}) == 3
    expected = _entry_facts(session, from_page)
    assert len(expected["postings"]) == 2
    assert _entry_facts(session, from_api) == expected
    assert _entry_facts(session, from_sign_off) == expected


def test_a_transfer_names_an_unknown_fund_on_each_edges_own_field(client, tokens, parcel_setup):
    body = {"from": "vera", "to": "nobody", "money": {"amount": "1.00", "currency": "RUB"}}
    answer = client.post("/api/v1/transfers", json=body, headers=bearer(tokens["coordinator"]))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "not_a_fund"
    assert answer.get_json()["error"]["field"] == "to"


def test_a_cash_advance_from_the_page_and_from_sign_off_is_one_entry(client, auth, session, parcel_setup):
    from ledger.signoff.decisions import approve

    auth.login("coordinator")
    form = {"bank": "assets:bank:rub-main", "direction": "advance", "amount": "1500.00", "currency": "RUB"}
    form |= {"on": "2026-03-02", "memo": "For parcels"}
    assert client.post("/cash", data=form).status_code == 302
    from_page = session.scalar(select(JournalEntry.id).order_by(JournalEntry.id.desc()).limit(1))

    admin = session.scalar(select(User).where(User.email == "admin@example.org"))
    set_approval_thresholds(session, {"RUB": Money.from_minor(100_000, "RUB")}, user=admin)
    session.commit()
    assert client.post("/cash", data=form).status_code == 302
    approval = session.scalar(select(Approval).order_by(Approval.id.desc()).limit(1))
    assert approval is not None
    assert approval.kind == "cash"
    from_sign_off = approve(session, approval.id, approver=admin).id
    session.commit()

    assert from_sign_off != from_page
    assert _entry_facts(session, from_sign_off) == _entry_facts(session, from_page)
