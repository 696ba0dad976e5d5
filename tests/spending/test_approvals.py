"""Two-person sign-off (issue #15): thresholds, pending items holding money back, approve,
reject, withdraw, receipts, the approver in the journal, the exports and the hash chain."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from ledger.access.models import AuditEvent, User
from ledger.access.users import create_token, create_user
from ledger.books.accounts import fund_account_for, general_fund, get_or_create_account
from ledger.books.balances import available_in
from ledger.books.errors import InsufficientFunds, OwnApproval
from ledger.books.hashchain import GENESIS_HASH, EntryFacts, canonical_entry, chain_hash, entry_hash
from ledger.books.holds import Approval, held_in, spendable_in
from ledger.books.models import JournalEntry
from ledger.books.posting import EntryDraft, PostingDraft, post_entry
from ledger.books.verify import verify_ledger
from ledger.money import Money, parse_amount
from ledger.platform.database import utc_today
from ledger.signoff.decisions import ApprovalNotPending, approve
from ledger.signoff.thresholds import set_approval_thresholds
from ledger.spending.cash import cash_account_for, move_cash
from ledger.spending.models import Receipt
from tests.factories import minimal_pdf
from tests.helpers import PASSWORD, bearer

RUB = "RUB"


def _entries(session) -> int:
    return session.scalar(select(func.count()).select_from(JournalEntry)) or 0


def _rub(amount: str) -> Money:
    return parse_amount(amount, RUB)


@pytest.fixture
def signers(client, session, tokens, parcel_setup):
    """Coordinators A and B (A is the fixture's coordinator), an admin, and a RUB threshold of 10,000.00."""
    second = create_user(session, "coordinator-b@example.org", PASSWORD, "coordinator")
    token_b = create_token(session, second)
    session.commit()
    answer = client.put(
        "/api/v1/settings/approval-thresholds",
        json={"thresholds": {"RUB": "10000.00"}},
        headers=bearer(tokens["admin"]),
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"thresholds": {"RUB": "10000.00"}}
    return {"A": tokens["coordinator"], "B": token_b, "admin": tokens["admin"], "auditor": tokens["auditor"]}


def _disbursement(amount: str = "15000.00", **overrides) -> dict:
    body = {
        "prisoner": "vera",
        "money": {"amount": amount, "currency": RUB},
        "category": "food",
        "paid_from": "assets:bank:rub-main",
        "spent_on": "2026-03-01",
    }
    body.update(overrides)
    return body


def _fund(session, prisoner):
    return fund_account_for(session, prisoner)


def test_the_issue_walk_through(client, session, signers, parcel_setup):
    """RUB threshold 10,000.00: A's 15,000.00 food disbursement waits, B signs it off once."""
    fund = _fund(session, parcel_setup)
    before_entries = _entries(session)
    assert available_in(session, fund)[RUB].minor == 2_000_000

    response = client.post("/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["A"]))
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending"
    assert isinstance(body["approval"], int)
    approval_id = body["approval"]

    # Nothing in the journal; the balance is the books' balance; 15,000.00 is held back.
    assert _entries(session) == before_entries
    assert available_in(session, fund)[RUB].minor == 2_000_000
    assert spendable_in(session, fund)[RUB].minor == 500_000
    assert held_in(session, fund)[RUB].minor == 1_500_000

    queue = client.get("/api/v1/approvals", headers=bearer(signers["B"])).get_json()
    assert [item["id"] for item in queue["items"]] == [approval_id]
    item = queue["items"][0]
    assert item["status"] == "pending"
    assert item["prisoner"] == "vera"
    assert item["kind"] == "disbursement"
    assert item["money"] == {"amount": "15000.00", "currency": RUB}
    assert {"account": fund.name, "money": {"amount": "15000.00", "currency": RUB}} in queue["held"]

    # A's own approval is refused, in English and Russian.
    own = client.post(
        f"/api/v1/approvals/{approval_id}/approve",
        headers={**bearer(signers["A"]), "Accept-Language": "ru"},
    )
    assert own.status_code == 403
    assert own.get_json()["error"]["code"] == "own_approval"
    assert "второй" in own.get_json()["error"]["message"]
    assert _entries(session) == before_entries

    # B's approval posts one entry naming both people.
    approved = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["B"]))
    assert approved.status_code == 201, approved.get_json()
    entry_json = approved.get_json()["entry"]
    a_id = session.scalar(select(User.id).where(User.email == "coordinator@example.org"))
    b_id = session.scalar(select(User.id).where(User.email == "coordinator-b@example.org"))
    assert entry_json["recorded_by"] == a_id
    assert entry_json["approved_by"] == b_id
    assert _entries(session) == before_entries + 1
    assert available_in(session, fund)[RUB].minor == 500_000
    assert spendable_in(session, fund)[RUB].minor == 500_000
    assert held_in(session, fund) == {}
    entry = session.get(JournalEntry, entry_json["id"])
    assert (entry.recorded_by_id, entry.approved_by_id) == (a_id, b_id)

    # A second approval of the same item changes nothing.
    again = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["admin"]))
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "approval_not_pending"
    assert _entries(session) == before_entries + 1
    result = verify_ledger(session)
    assert result.ok, result.problems

    # The journal (JSON) shows both people.
    journal = client.get("/api/v1/journal", headers=bearer(signers["auditor"])).get_json()
    line = next(e for e in journal["entries"] if e["id"] == entry.id)
    assert line["author"] == "coordinator@example.org"
    assert line["approver"] == "coordinator-b@example.org"

    # Every step is in the audit log with who did it.
    events = {
        event.action: event.user_id
        for event in session.scalars(select(AuditEvent).where(AuditEvent.target == f"approval:{approval_id}"))
    }
    assert events == {"approval.requested": a_id, "approval.approved": b_id}


def test_a_refused_item_posts_nothing_and_frees_the_hold(client, session, signers, parcel_setup):
    fund = _fund(session, parcel_setup)
    approval_id = client.post(
        "/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["A"])
    ).get_json()["approval"]
    before = _entries(session)
    # A reason is required; the author cannot refuse their own item either.
    no_reason = client.post(f"/api/v1/approvals/{approval_id}/reject", json={}, headers=bearer(signers["B"]))
    assert no_reason.status_code == 422
    assert no_reason.get_json()["error"]["field"] == "reason"
    own = client.post(
        f"/api/v1/approvals/{approval_id}/reject", json={"reason": "no"}, headers=bearer(signers["A"])
    )
    assert own.status_code == 403
    assert own.get_json()["error"]["code"] == "own_approval"
    assert spendable_in(session, fund)[RUB].minor == 500_000

    refused = client.post(
        f"/api/v1/approvals/{approval_id}/reject",
        json={"reason": "Передача не принята в СИЗО"},
        headers=bearer(signers["B"]),
    )
    assert refused.status_code == 200, refused.get_json()
    assert refused.get_json()["approval"]["status"] == "rejected"
    assert refused.get_json()["approval"]["reason"] == "Передача не принята в СИЗО"
    assert _entries(session) == before
    assert spendable_in(session, fund)[RUB].minor == 2_000_000
    assert held_in(session, fund) == {}
    # Refused is final: no approval afterwards.
    late = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["B"]))
    assert late.status_code == 409
    assert _entries(session) == before
    events = [
        e.action
        for e in session.scalars(select(AuditEvent).where(AuditEvent.target == f"approval:{approval_id}"))
    ]
    assert "approval.rejected" in events


def test_amounts_under_the_threshold_post_at_once(client, session, signers, parcel_setup):
    before = _entries(session)
    response = client.post(
        "/api/v1/disbursements", json=_disbursement("9999.99"), headers=bearer(signers["A"])
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["entry"]["approved_by"] is None
    assert _entries(session) == before + 1
    # Exactly the threshold waits ("at or above").
    at = client.post("/api/v1/disbursements", json=_disbursement("10000.00"), headers=bearer(signers["A"]))
    assert at.status_code == 202
    # Other currencies have no threshold.
    eur = client.post(
        "/api/v1/disbursements",
        json=_disbursement(money={"amount": "400.00", "currency": "EUR"}, paid_from="assets:bank:eur-main"),
        headers=bearer(signers["A"]),
    )
    assert eur.status_code == 201


def test_pending_items_and_new_spending_can_never_overdraw_the_fund(client, session, signers, parcel_setup):
    """20,000.00 in the fund: 15,000.00 pending leaves 5,000.00 for everything else."""
    assert (
        client.post("/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["A"])).status_code
        == 202
    )
    before = _entries(session)
    second = client.post(
        "/api/v1/disbursements", json=_disbursement("10000.00"), headers=bearer(signers["B"])
    )
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "insufficient_funds"
    small = client.post("/api/v1/disbursements", json=_disbursement("5000.01"), headers=bearer(signers["B"]))
    assert small.status_code == 409
    assert small.get_json()["error"]["code"] == "insufficient_funds"
    assert "5" in small.get_json()["error"]["message"]  # 5,000.00 available, not 20,000.00
    assert _entries(session) == before
    assert session.scalar(select(func.count()).select_from(Approval)) == 1
    fits = client.post("/api/v1/disbursements", json=_disbursement("5000.00"), headers=bearer(signers["B"]))
    assert fits.status_code == 201
    # A transfer out of the fund counts the hold too.
    transfer = client.post(
        "/api/v1/transfers",
        json={"from": "vera", "to": "general", "money": {"amount": "1.00", "currency": RUB}},
        headers=bearer(signers["B"]),
    )
    assert transfer.status_code == 409
    assert transfer.get_json()["error"]["code"] == "insufficient_funds"


def test_approval_is_refused_when_the_fund_can_no_longer_cover_it(client, session, signers, parcel_setup):
    """An admin's flagged advance ignores holds; the item then stays pending, nothing posted."""
    approval_id = client.post(
        "/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["A"])
    ).get_json()["approval"]
    fund = _fund(session, parcel_setup)
    admin = session.scalar(select(User).where(User.email == "admin@example.org"))
    bank = get_or_create_account(session, "assets:bank:rub-main")
    money = _rub("10000.00")
    post_entry(
        session,
        EntryDraft(
            date(2026, 3, 2),
            "Urgent lawyer",
            [PostingDraft(fund, money, "other"), PostingDraft(bank, -money)],
            is_advance=True,
        ),
        recorded_by=admin,
    )
    session.commit()
    before = _entries(session)
    refused = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["B"]))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "insufficient_funds"
    assert _entries(session) == before
    assert session.get(Approval, approval_id, populate_existing=True).status == "pending"


def test_the_author_may_withdraw_and_nobody_else(client, session, signers, parcel_setup):
    fund = _fund(session, parcel_setup)
    approval_id = client.post(
        "/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["A"])
    ).get_json()["approval"]
    other = client.post(f"/api/v1/approvals/{approval_id}/withdraw", headers=bearer(signers["B"]))
    assert other.status_code == 403
    assert other.get_json()["error"]["code"] == "not_author"
    mine = client.post(
        f"/api/v1/approvals/{approval_id}/withdraw",
        json={"reason": "Wrong amount"},
        headers=bearer(signers["A"]),
    )
    assert mine.status_code == 200
    assert mine.get_json()["approval"]["status"] == "withdrawn"
    assert spendable_in(session, fund)[RUB].minor == 2_000_000
    late = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["B"]))
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "approval_not_pending"


def test_admins_go_through_the_same_flow(client, session, signers, parcel_setup):
    approval_id = client.post(
        "/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["admin"])
    ).get_json()["approval"]
    own = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["admin"]))
    assert own.status_code == 403
    assert own.get_json()["error"]["code"] == "own_approval"
    auditor = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["auditor"]))
    assert auditor.status_code == 403
    assert (
        client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["A"])).status_code
        == 201
    )


def test_transfers_between_funds_and_cash_wait_too(client, session, signers, parcel_setup):
    general = general_fund(session)
    response = client.post(
        "/api/v1/transfers",
        json={"from": "vera", "to": "general", "money": {"amount": "12000.00", "currency": RUB}},
        headers=bearer(signers["A"]),
    )
    assert response.status_code == 202, response.get_json()
    approval_id = response.get_json()["approval"]
    assert spendable_in(session, _fund(session, parcel_setup))[RUB].minor == 800_000
    approved = client.post(f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["B"]))
    assert approved.status_code == 201
    assert available_in(session, general)[RUB].minor == 1_200_000

    # A cash handover to a coordinator at the threshold waits; its return holds the cash box.
    coordinator = session.scalar(select(User).where(User.email == "coordinator@example.org"))
    bank = get_or_create_account(session, "assets:bank:rub-main")
    cash = cash_account_for(session, coordinator, RUB)
    handover = move_cash(
        session,
        from_account=bank,
        to_account=cash,
        money=_rub("10000.00"),
        on=date(2026, 3, 3),
        recorded_by=coordinator,
    )
    assert isinstance(handover, Approval)
    assert handover.status == "pending"
    session.commit()
    assert available_in(session, cash) == {}
    second = session.scalar(select(User).where(User.email == "coordinator-b@example.org"))
    entry = approve(session, handover.id, approver=second)
    session.commit()
    assert entry.approved_by_id == second.id
    assert available_in(session, cash)[RUB].minor == 1_000_000
    back = move_cash(
        session,
        from_account=cash,
        to_account=bank,
        money=_rub("10000.00"),
        on=date(2026, 3, 4),
        recorded_by=coordinator,
    )
    session.commit()
    assert isinstance(back, Approval)
    assert spendable_in(session, cash) == {}
    with pytest.raises(OwnApproval):
        approve(session, back.id, approver=coordinator)
    session.rollback()
    assert verify_ledger(session).ok


def test_receipts_attached_while_pending_become_the_entrys(client, session, signers, parcel_setup):
    approval_id = client.post(
        "/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["A"])
    ).get_json()["approval"]
    import io

    uploaded = client.post(
        f"/api/v1/approvals/{approval_id}/receipts",
        data={"file": (io.BytesIO(minimal_pdf()), "check.pdf")},
        headers=bearer(signers["A"]),
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    shown = client.get(f"/api/v1/approvals/{approval_id}", headers=bearer(signers["B"])).get_json()
    assert len(shown["approval"]["receipts"]) == 1
    entry_id = client.post(
        f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["B"])
    ).get_json()["entry"]["id"]
    receipts = list(session.scalars(select(Receipt).where(Receipt.entry_id == entry_id)))
    assert [r.sha256 for r in receipts] == [shown["approval"]["receipts"][0]["sha256"]]
    late = client.post(
        f"/api/v1/approvals/{approval_id}/receipts",
        data={"file": (io.BytesIO(minimal_pdf() + b" "), "again.pdf")},
        headers=bearer(signers["A"]),
        content_type="multipart/form-data",
    )
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "approval_not_pending"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"thresholds": {"RUB": 10000.5}}, "float_amount", "thresholds.RUB"),
        ({"thresholds": {"RUB": "0"}}, "zero_amount", "thresholds.RUB"),
        ({"thresholds": {"RUB": "10.001"}}, "too_many_decimals", "thresholds.RUB"),
        ({"thresholds": {"XYZ": "10.00"}}, "unknown_currency", "thresholds.XYZ"),
        ({"thresholds": {"RUB": "-5"}}, "invalid_amount", "thresholds.RUB"),
    ],
)
def test_bad_thresholds_are_refused_and_change_nothing(client, session, signers, body, code, field):
    response = client.put(
        "/api/v1/settings/approval-thresholds",
        json=body,
        headers={**bearer(signers["admin"]), "Accept-Language": "ru"},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert client.get("/api/v1/settings/approval-thresholds", headers=bearer(signers["A"])).get_json() == {
        "thresholds": {"RUB": "10000.00"}
    }


def test_only_admins_set_thresholds_and_an_empty_set_clears_them(client, session, signers, parcel_setup):
    refused = client.put(
        "/api/v1/settings/approval-thresholds", json={"thresholds": {}}, headers=bearer(signers["A"])
    )
    assert refused.status_code == 403
    cleared = client.put(
        "/api/v1/settings/approval-thresholds", json={"thresholds": {}}, headers=bearer(signers["admin"])
    )
    assert cleared.get_json() == {"thresholds": {}}
    assert (
        client.post("/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["A"])).status_code
        == 201
    )
    audit = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "settings.approval_thresholds")
        .order_by(AuditEvent.id.desc())
    )
    assert json.loads(audit.details) == {"after": {}, "before": {"RUB": "10000.00"}}


def test_old_hashes_still_verify():
    """An entry without an approver serialises exactly as before sign-off existed."""
    first = EntryFacts(
        id=1,
        entry_date=date(2026, 1, 10),
        description="Bank transfer",
        recorded_at=datetime(2026, 1, 10, 12, 0, 0),
        recorded_by_id=None,
        source_type="manual",
        source_ref=None,
        idempotency_key=None,
        reverses_id=None,
        is_advance=False,
        conversion_rate=None,
    )
    canonical = canonical_entry(
        first,
        [
            (1, "assets:bank:eur-main", "EUR", 10000, "donation", None),
            (2, "liabilities:funds:prisoner:test-prisoner", "EUR", -10000, "donation", None),
        ],
    )
    assert b"approved_by" not in canonical
    # Computed with the serialisation of the release before two-person sign-off.
    assert (
        chain_hash(GENESIS_HASH, canonical)
        == "5c636754e45a1555bc3759c5c739cd26e02ca16df604facc5c8b48cd0f772edd"
    )
    second = EntryFacts(
        id=2,
        entry_date=date(2026, 3, 1),
        description="Spending: food",
        recorded_at=datetime(2026, 3, 1, 9, 30, 0),
        recorded_by_id=2,
        source_type="manual",
        source_ref=None,
        idempotency_key=None,
        reverses_id=None,
        is_advance=False,
        conversion_rate=None,
    )
    postings = [
        (1, "liabilities:funds:prisoner:test-prisoner", "RUB", 1500000, "food", None),
        (2, "assets:bank:rub-main", "RUB", -1500000, "food", None),
    ]
    old = entry_hash("ab" * 32, second, postings)
    assert old == "9919b0cef133ca6fd4dfcd7ffcb373cb8947b023a8192bbb5124ceb186078a11"
    signed = entry_hash("ab" * 32, second._replace(approved_by_id=3), postings)
    assert signed != old  # the approver is covered by the hash


def test_the_approver_is_in_the_exports_and_the_chain(client, session, signers, parcel_setup, app):
    import sys
    from pathlib import Path

    from sqlalchemy import text

    from ledger.reports.beancount_export import export_beancount
    from ledger.reports.chain_export import export_chain_jsonl
    from ledger.reports.hledger_export import export_hledger

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    try:
        from verify_export import verify_lines
    finally:
        sys.path.pop(0)

    approval_id = client.post(
        "/api/v1/disbursements", json=_disbursement(), headers=bearer(signers["A"])
    ).get_json()["approval"]
    entry_id = client.post(
        f"/api/v1/approvals/{approval_id}/approve", headers=bearer(signers["B"])
    ).get_json()["entry"]["id"]
    entry = session.get(JournalEntry, entry_id)
    lines = "".join(export_chain_jsonl(session)).splitlines()
    problems, count, head = verify_lines(lines)
    assert problems == []
    assert count == entry_id
    assert head == entry.hash
    document = json.loads(lines[entry_id - 1])
    assert document["approved_by"] == entry.approved_by_id
    assert document["recorded_by"] == entry.recorded_by_id
    assert "approved_by" not in json.loads(lines[0])
    hledger = "".join(export_hledger(session))
    assert f"approved_by:{entry.approved_by_id}" in hledger
    assert f"recorded_by:{entry.recorded_by_id}" in hledger
    beancount = "".join(export_beancount(session))
    assert f"  approved_by: {entry.approved_by_id}\n" in beancount
    # Changing the approver afterwards breaks the chain.
    tampered = [line.replace(f'"approved_by":{entry.approved_by_id}', '"approved_by":1') for line in lines]
    assert verify_lines(tampered)[0]
    with app.app_context():
        assert (
            session.execute(
                text("SELECT approved_by_id FROM journal_entries WHERE id = :i"), {"i": entry_id}
            ).scalar()
            == entry.approved_by_id
        )


def test_two_approvals_in_one_session_post_once(session, signers, parcel_setup):
    """The decision re-reads the item under the ledger lock: a stale object cannot post twice."""
    coordinator_b = session.scalar(select(User).where(User.email == "coordinator-b@example.org"))
    admin = session.scalar(select(User).where(User.email == "admin@example.org"))
    coordinator = session.scalar(select(User).where(User.email == "coordinator@example.org"))
    from ledger.spending.disbursements import record_disbursement

    pending = record_disbursement(
        session,
        prisoner=parcel_setup,
        money=_rub("15000.00"),
        category="food",
        paid_from=get_or_create_account(session, "assets:bank:rub-main"),
        spent_on=date(2026, 3, 1),
        recorded_by=coordinator,
    )
    session.commit()
    approve(session, pending.id, approver=coordinator_b)
    session.commit()
    before = _entries(session)
    with pytest.raises(ApprovalNotPending):
        approve(session, pending.id, approver=admin)
    session.rollback()
    assert _entries(session) == before


def test_thresholds_need_positive_amounts_in_their_currency(session, signers):
    from ledger.books.errors import InvalidEntry

    with pytest.raises(InvalidEntry):
        set_approval_thresholds(session, {"RUB": Money.from_minor(100, "EUR")})
    session.rollback()


def test_pending_creation_is_refused_when_holds_already_use_the_fund(session, signers, parcel_setup):
    coordinator = session.scalar(select(User).where(User.email == "coordinator@example.org"))
    from ledger.spending.disbursements import record_disbursement

    kwargs = dict(
        prisoner=parcel_setup,
        category="food",
        paid_from=get_or_create_account(session, "assets:bank:rub-main"),
        spent_on=date(2026, 3, 1),
        recorded_by=coordinator,
    )
    record_disbursement(session, money=_rub("15000.00"), **kwargs)
    session.commit()
    with pytest.raises(InsufficientFunds):
        record_disbursement(session, money=_rub("10000.00"), **kwargs)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Approval)) == 1


def test_a_parcel_waiting_for_sign_off_keeps_its_kind_and_reason_and_meets_the_rules_again(
    client, session, signers, parcel_setup
):
    """Parcel rules (#16) and sign-off (#15): the pending parcel keeps its kind and the reason
    it is allowed beyond the limits; the rules are checked again when it is signed off."""
    from tests.factories import bank_donation

    bank_donation(session, parcel_setup, "30000.00", RUB)
    session.commit()
    tea = [{"name": "Чай", "quantity": 2, "grams": 250, "cost": {"amount": "400.00", "currency": RUB}}]
    plain = {"sent_on": "2026-03-02", "items": tea}
    allowed = {**plain, "kind": "small_parcel", "override_reason": "Решение начальника ИК"}
    pending = [
        client.post(
            "/api/v1/disbursements",
            json=_disbursement("10000.00", category="parcels", parcel=parcel),
            headers=bearer(signers["A"]),
        )
        for parcel in (plain, allowed)
    ]
    assert [answer.status_code for answer in pending] == [202, 202], [a.get_json() for a in pending]
    first, second = (answer.get_json()["approval"] for answer in pending)
    # Meanwhile a small parcel the facility's head allowed posts at once: with the second
    # pending parcel it uses the facility's one parcel a month twice over.
    small = client.post(
        "/api/v1/disbursements",
        json=_disbursement(
            "1000.00", category="parcels", parcel={**plain, "override_reason": "Разрешение начальника"}
        ),
        headers=bearer(signers["A"]),
    )
    assert small.status_code == 201, small.get_json()

    before = _entries(session)
    refused = client.post(f"/api/v1/approvals/{first}/approve", headers=bearer(signers["B"]))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "parcel_quota"
    assert _entries(session) == before
    still = client.get(f"/api/v1/approvals/{first}", headers=bearer(signers["B"])).get_json()
    assert still["approval"]["status"] == "pending"

    approved = client.post(f"/api/v1/approvals/{second}/approve", headers=bearer(signers["B"]))
    assert approved.status_code == 201, approved.get_json()
    parcel = approved.get_json()["entry"]["parcel"]
    assert parcel["kind"] == "small_parcel"
    assert parcel["override_reason"] == "Решение начальника ИК"
    assert _entries(session) == before + 1
    assert verify_ledger(session).ok


def test_a_pending_parcel_holds_its_place_in_the_quota(client, auth, session, signers, parcel_setup):
    """A parcel waiting for sign-off counts as sent, as its money is held back: a second
    parcel the quota has no room for is refused when it is recorded (not later, when someone
    signs it off), and the pending one is not counted against itself when it is signed off."""
    from tests.factories import bank_donation

    bank_donation(session, parcel_setup, "30000.00", RUB)
    session.commit()
    tea = [{"name": "Чай", "quantity": 2, "grams": 250, "cost": {"amount": "400.00", "currency": RUB}}]
    today = utc_today().isoformat()  # the allowance below is this calendar year's
    parcel = {"sent_on": today, "items": tea}

    def record(amount: str):
        return client.post(
            "/api/v1/disbursements",
            json=_disbursement(amount, category="parcels", parcel=parcel, spent_on=today),
            headers=bearer(signers["A"]),
        )

    def allowance() -> dict:
        answer = client.get("/api/v1/prisoners/vera/parcels", headers=bearer(signers["B"]))
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["allowance"]["parcel"]

    assert (allowance()["used"], allowance()["pending"]) == (0, 0)
    waiting = record("10000.00")
    assert waiting.status_code == 202, waiting.get_json()
    assert (allowance()["used"], allowance()["pending"]) == (1, 1)
    plan = client.get("/api/v1/parcel-plan", headers=bearer(signers["B"])).get_json()["prisoners"]
    assert [row["parcels_used"] for row in plan if row["slug"] == "vera"] == [1]  # the plan counts alike
    auth.login("coordinator")  # the fund's page says which of the used ones wait
    assert "1 awaiting sign-off" in client.get("/manage/prisoners/vera/fund").text
    client.post("/language/ru", data={"next": "/"})
    assert "1 ждёт подписи" in client.get("/manage/prisoners/vera/fund").text

    entries, approvals = _entries(session), session.scalar(select(func.count()).select_from(Approval))
    for amount in ("12000.00", "1000.00"):  # one more to sign off, one that would post at once
        refused = record(amount)
        assert refused.status_code == 409, refused.get_json()
        assert refused.get_json()["error"]["code"] == "parcel_quota"
    assert _entries(session) == entries
    assert session.scalar(select(func.count()).select_from(Approval)) == approvals

    approval = waiting.get_json()["approval"]
    approved = client.post(f"/api/v1/approvals/{approval}/approve", headers=bearer(signers["B"]))
    assert approved.status_code == 201, approved.get_json()
    assert (allowance()["used"], allowance()["pending"]) == (1, 0)
    assert verify_ledger(session).ok


def test_a_refused_pending_parcel_frees_its_place(client, session, signers, parcel_setup):
    """Refused or withdrawn, a pending parcel no longer counts: the next one may go."""
    tea = [{"name": "Чай", "quantity": 1, "grams": 250, "cost": {"amount": "100.00", "currency": RUB}}]
    body = _disbursement("10000.00", category="parcels", parcel={"sent_on": "2026-03-02", "items": tea})
    waiting = client.post("/api/v1/disbursements", json=body, headers=bearer(signers["A"]))
    assert waiting.status_code == 202, waiting.get_json()
    cheaper = {**body, "money": {"amount": "900.00", "currency": RUB}}
    assert client.post("/api/v1/disbursements", json=cheaper, headers=bearer(signers["A"])).status_code == 409

    rejected = client.post(
        f"/api/v1/approvals/{waiting.get_json()['approval']}/reject",
        json={"reason": "Посылку соберём дешевле"},
        headers=bearer(signers["B"]),
    )
    assert rejected.status_code == 200, rejected.get_json()
    posted = client.post("/api/v1/disbursements", json=cheaper, headers=bearer(signers["A"]))
    assert posted.status_code == 201, posted.get_json()
