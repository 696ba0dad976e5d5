"""Commissary support through the API, from an empty database: transfers in transit, credited
and returned, with the books checked by every tool at each step; monthly limits; the run."""

import pytest
from sqlalchemy import func, select

from ledger.access.models import AuditEvent
from ledger.books.models import JournalEntry
from ledger.commissary.models import CommissaryTransfer
from tests.commissary.helpers import BANK, TRANSIT, Org, books_agree, days_ago, ok


@pytest.fixture
def org(client, tokens):
    return Org(client, tokens).start()


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _report(org, slug):
    return ok(org.call("GET", f"/prisoners/{slug}/report", "auditor"), 200)


def test_in_transit_then_credited_and_another_returned_after_a_move(org, session, runner, tmp_path):
    org.prisoner("vera", "20000.00")
    start = books_agree(session, runner, tmp_path, org)
    assert start["liabilities:funds:prisoner:vera"] == "-20000.00"

    sent = ok(org.send("vera", "5000.00", fee="150.00", sent_on=days_ago(6)))["transfer"]
    assert sent["status"] == "in_transit"
    assert sent["money"] == {"amount": "5000.00", "currency": "RUB"}
    trial = books_agree(session, runner, tmp_path, org)
    # The fee is spent at once; the amount is on its way, still the fund's but held back.
    assert trial["liabilities:funds:prisoner:vera"] == "-19850.00"
    assert trial[TRANSIT] == "5000.00"
    assert trial[BANK] == "14850.00"
    public = ok(org.call("GET", "/reports/balance-sheet", "coordinator"), 200)
    assert any(line["account"] == TRANSIT for line in public["lines"])
    # Money in transit cannot be spent again: 15,000 is more than the 14,850 left to spend.
    spend = {
        "prisoner": "vera",
        "money": {"amount": "14850.01", "currency": "RUB"},
        "category": "food",
        "paid_from": BANK,
    }
    refused = org.call("POST", "/disbursements", **spend)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "insufficient_funds"

    listed = ok(org.call("GET", "/commissary/transfers?status=in_transit", "auditor"), 200)["transfers"]
    assert [(t["id"], t["days_in_transit"], t["overdue"]) for t in listed] == [(sent["id"], 6, False)]

    credited = ok(org.call("POST", f"/commissary/transfers/{sent['id']}/credited", on=days_ago(2)), 200)
    assert credited["transfer"]["status"] == "credited"
    assert credited["transfer"]["settled_on"] == days_ago(2)
    trial = books_agree(session, runner, tmp_path, org)
    assert trial["liabilities:funds:prisoner:vera"] == "-14850.00"
    assert trial.get(TRANSIT, "0.00") == "0.00"
    report = _report(org, "vera")["currencies"]["RUB"]
    assert report["spent"]["commissary"] == {"amount": "5000.00", "currency": "RUB"}
    assert report["fees"] == {"amount": "150.00", "currency": "RUB"}
    again = org.call("POST", f"/commissary/transfers/{sent['id']}/credited")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "transfer_not_in_transit"

    second = ok(org.send("vera", "3000.00", fee="100.00", sent_on=days_ago(5)))["transfer"]
    ok(
        org.call(
            "POST", "/prisoners/vera/events", type="transferred", on=days_ago(4), facility="ИК-7 Карелия"
        )
    )
    flagged = ok(org.call("GET", "/commissary/transfers?prisoner=vera&status=in_transit", "auditor"), 200)
    assert flagged["transfers"][0]["moved_on"] == days_ago(4)
    books_agree(session, runner, tmp_path, org)

    returned = ok(
        org.call("POST", f"/commissary/transfers/{second['id']}/returned", on=days_ago(1), reason="этап"), 200
    )
    assert returned["transfer"]["status"] == "returned"
    trial = books_agree(session, runner, tmp_path, org)
    # The fund has its money again, less the fee the service kept.
    assert trial["liabilities:funds:prisoner:vera"] == "-14750.00"
    assert trial[BANK] == "14750.00"
    assert trial.get(TRANSIT, "0.00") == "0.00"
    report = _report(org, "vera")["currencies"]["RUB"]
    assert report["spent"]["commissary"] == {"amount": "5000.00", "currency": "RUB"}
    # All of it can be spent now.
    ok(org.call("POST", "/disbursements", **{**spend, "money": {"amount": "14750.00", "currency": "RUB"}}))
    books_agree(session, runner, tmp_path, org)


def test_refusals_write_nothing(org, session):
    org.prisoner("vera", "1000.00")
    entries = _count(session, JournalEntry)
    cases = [
        (org.send("vera", "2000.00", fee=None), 409, "insufficient_funds"),
        (org.send("vera", "900.00", fee="150.00"), 409, "insufficient_funds"),
        (org.send("vera", "100.00", channel="pigeon", fee=None), 422, "unknown_channel"),
        (org.send("vera", "100.00", fee="100.00"), 422, "bad_fee"),
        (org.send("vera", "100.00", paid_from="assets:stripe", fee=None), 422, "bad_paid_from"),
        (org.send("nobody", "100.00", fee=None), 422, "unknown_prisoner"),
        (org.send("vera", "100.00", sent_on="2099-01-01", fee=None), 422, "date_in_future"),
        (org.send("vera", "100.00", colour="red", fee=None), 422, "unknown_field"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    ok(org.call("POST", "/prisoners/vera/events", type="whereabouts_unknown", on=days_ago(3)))
    unreachable = org.send("vera", "100.00", fee=None)
    assert (unreachable.status_code, unreachable.get_json()["error"]["code"]) == (409, "prisoner_unreachable")
    assert _count(session, JournalEntry) == entries
    assert _count(session, CommissaryTransfer) == 0
    assert org.call("POST", "/commissary/transfers", "auditor", prisoner="vera").status_code == 403


def test_over_the_monthly_limit_is_refused_unless_allowed_with_a_reason(org, session, tokens):
    org.prisoner("vera", "30000.00")  # ИК-2: a general-regime colony, 9,000 ₽ a month (УИК ст. 121)
    today = days_ago(0)
    ok(org.send("vera", "6000.00", fee=None, sent_on=today))
    view = ok(org.call("GET", "/prisoners/vera/personal-account", "auditor"), 200)["personal_account"]
    assert view["in_transit"] == {"amount": "6000.00", "currency": "RUB"}
    assert view["limit"] == {"amount": "9000.00", "currency": "RUB"}
    assert view["left"] == {"amount": "3000.00", "currency": "RUB"}
    assert "121" in view["legal_basis"]

    over = org.send("vera", "4000.00", fee=None, sent_on=today)
    assert over.status_code == 409
    error = over.get_json()["error"]
    assert error["code"] == "over_monthly_limit"
    assert error["details"]["limit"] == {"amount": "9000.00", "currency": "RUB"}
    assert error["details"]["left"] == {"amount": "3000.00", "currency": "RUB"}
    assert "9,000.00" in error["message"]
    assert "3,000.00" in error["message"]
    russian = org.client.post(
        "/api/v1/commissary/transfers",
        json={
            "prisoner": "vera",
            "money": {"amount": "4000.00", "currency": "RUB"},
            "channel": "post",
            "paid_from": BANK,
            "sent_on": today,
        },
        headers={"Authorization": f"Bearer {tokens['coordinator']}", "Accept-Language": "ru"},
    )
    assert "лимит" in russian.get_json()["error"]["message"]
    no_reason = org.send("vera", "4000.00", fee=None, sent_on=today, allow_over_limit=True)
    assert no_reason.get_json()["error"]["code"] == "over_limit_reason_required"

    reason = "Начальник колонии разрешил дополнительную покупку (ст. 88 ч. 4)"
    allowed = ok(
        org.send("vera", "4000.00", fee=None, sent_on=today, allow_over_limit=True, over_limit_reason=reason)
    )["transfer"]
    assert allowed["over_limit_reason"] == reason
    listed = ok(org.call("GET", "/commissary/transfers", "auditor"), 200)["transfers"]
    assert [t["over_limit_reason"] for t in listed] == [reason, None]
    session.expire_all()
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "commissary.sent").order_by(AuditEvent.id.desc())
    )
    assert reason in event.details
    view = ok(org.call("GET", "/prisoners/vera/personal-account", "auditor"), 200)["personal_account"]
    assert view["left"] == {"amount": "0.00", "currency": "RUB"}


def test_a_run_sends_one_line_skips_two_and_never_twice(org, session, client, tokens, users):
    org.prisoner("anna", "20000.00")
    org.prisoner("boris", "500.00")  # too little money for the top-up
    org.prisoner("vera", "20000.00")
    ok(org.call("POST", "/prisoners/vera/events", type="whereabouts_unknown", on=days_ago(3)))
    for slug in ("anna", "boris", "vera"):
        ok(
            org.call(
                "PUT",
                f"/prisoners/{slug}/top-up",
                money={"amount": "3000.00", "currency": "RUB"},
                fee={"amount": "90.00", "currency": "RUB"},
                channel="zonatelecom",
                paid_from=BANK,
            ),
            200,
        )
    run = ok(org.call("POST", "/commissary/runs", month="2026-12"))["run"]
    lines = {line["prisoner"]: line["skip_reason"] for line in run["lines"]}
    assert lines == {"anna": None, "boris": "fund_short", "vera": "whereabouts_unknown"}
    assert (run["to_send"], run["skipped"], run["sent"]) == (1, 2, 0)
    assert _count(session, CommissaryTransfer) == 0

    own = org.call("POST", f"/commissary/runs/{run['id']}/approve")
    assert (own.status_code, own.get_json()["error"]["code"]) == (403, "own_approval")
    approved = ok(org.call("POST", f"/commissary/runs/{run['id']}/approve", "admin"), 200)["run"]
    assert approved["status"] == "approved"
    assert approved["sent"] == 1
    assert [event["event"] for event in approved["log"]] == ["prepared", "sent", "approved"]
    assert _count(session, CommissaryTransfer) == 1
    again = org.call("POST", f"/commissary/runs/{run['id']}/approve", "admin")
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "run_already_approved")
    # A second run for the same month leaves out who was already sent, and sends nothing twice.
    second = ok(org.call("POST", "/commissary/runs", "coordinator", month="2026-12"))["run"]
    assert "anna" not in {line["prisoner"] for line in second["lines"]}
    ok(org.call("POST", f"/commissary/runs/{second['id']}/approve", "admin"), 200)
    assert _count(session, CommissaryTransfer) == 1
    transfer = session.scalar(select(CommissaryTransfer))
    assert (transfer.prisoner.slug, transfer.run_month, transfer.amount_minor) == ("anna", "2026-12", 300000)
    bad = org.call("POST", "/commissary/runs", month="2026-13")
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (422, "invalid_month")


def test_above_the_threshold_a_transfer_waits_for_a_second_person(org, session, runner, tmp_path):
    org.prisoner("vera", "20000.00")
    ok(org.call("PUT", "/settings/approval-thresholds", "admin", thresholds={"RUB": "5000.00"}), 200)
    small = ok(org.send("vera", "3000.00", fee="100.00"))
    assert small["transfer"]["status"] == "in_transit"
    pending = org.send("vera", "4950.00", fee="100.00")  # 5,050 with the fee
    assert pending.status_code == 202, pending.get_json()
    approval = pending.get_json()["approval"]
    assert _count(session, CommissaryTransfer) == 1
    # Held back meanwhile: 20,000 − 3,100 sent − 5,050 waiting = 11,850 left to spend.
    spend = {"prisoner": "vera", "category": "food", "paid_from": BANK}
    refused = org.call("POST", "/disbursements", **spend, money={"amount": "11850.01", "currency": "RUB"})
    assert refused.status_code == 409, (refused.status_code, refused.get_json())
    own = org.call("POST", f"/approvals/{approval}/approve")
    assert own.status_code == 403
    assert org.call("POST", f"/approvals/{approval}/approve", "admin").status_code in (200, 201)
    transfers = ok(org.call("GET", "/commissary/transfers?status=in_transit", "auditor"), 200)["transfers"]
    assert sorted(t["money"]["amount"] for t in transfers) == ["3000.00", "4950.00"]
    trial = books_agree(session, runner, tmp_path, org)
    assert trial[TRANSIT] == "7950.00"
    assert trial["liabilities:funds:prisoner:vera"] == "-19800.00"
