"""Two-person sign-off through the pages, from an empty threshold table: an admin sets the
RUB threshold, coordinator A's spending waits, A cannot sign it off, B does; a refusal."""

import re

from sqlalchemy import func, select

from ledger.access.users import create_user
from ledger.books.accounts import fund_account_for
from ledger.books.holds import Approval, held_in, spendable_in
from ledger.books.models import JournalEntry
from ledger.books.verify import verify_ledger
from tests.factories import bank_donation
from tests.helpers import PASSWORD


def _entries(session):
    return session.scalar(select(func.count()).select_from(JournalEntry))


def _spend(client, amount="15000.00"):
    return client.post(
        "/disbursements/new",
        data={
            "prisoner": "vera",
            "amount": amount,
            "currency": "RUB",
            "category": "food",
            "paid_from": "assets:bank:rub-main",
            "spent_on": "2026-03-02",
            "memo": "Продукты на месяц",
        },
    )


def test_sign_off_through_the_pages(client, auth, session, parcel_setup):
    create_user(session, "coordinator-b@example.org", PASSWORD, "coordinator")
    session.commit()

    auth.login("admin")
    page = client.get("/admin/approval-thresholds", headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    assert "Пороги подтверждения" in page.text
    bad = client.post("/admin/approval-thresholds", data={"currency": "RUB", "amount": "10 000,5"})
    assert bad.status_code == 200
    assert session.scalar(select(func.count()).select_from(Approval)) == 0
    assert "Enter the amount" in bad.text
    saved = client.post("/admin/approval-thresholds", data={"currency": "RUB", "amount": "10000.00"})
    assert saved.status_code == 302
    assert "10,000.00" in client.get("/admin/approval-thresholds").text
    auth.logout()

    auth.login("coordinator")
    before = _entries(session)
    response = _spend(client)
    assert response.status_code == 302
    match = re.fullmatch(r"/manage/approvals/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    approval_id = int(match.group(1))
    page = client.get(response.headers["Location"])
    assert "needs a second person" in page.text
    assert "Withdraw" in page.text
    assert "Approve and record" not in page.text
    assert _entries(session) == before
    fund = fund_account_for(session, parcel_setup)
    assert spendable_in(session, fund)["RUB"].minor == 500_000
    assert held_in(session, fund)["RUB"].minor == 1_500_000
    funds = client.get("/manage/funds").text
    assert "5,000.00" in funds
    assert "15,000.00" in funds
    queue = client.get("/manage/approvals").text
    assert "Продукты на месяц" in queue
    assert "15,000.00" in queue

    own = client.post(f"/manage/approvals/{approval_id}/approve", headers={"Accept-Language": "ru"})
    assert own.status_code == 302
    assert "второй человек" in client.get(own.headers["Location"], headers={"Accept-Language": "ru"}).text
    assert _entries(session) == before
    # Too much for what is left after the hold: the form says so, with 5,000.00 available.
    short = _spend(client, "6000.00")
    assert short.status_code == 200
    assert "5,000.00" in short.text
    auth.logout()

    auth.login("coordinator-b")
    page = client.get(f"/manage/approvals/{approval_id}")
    assert "Approve and record" in page.text
    approved = client.post(f"/manage/approvals/{approval_id}/approve")
    assert approved.status_code == 302
    assert approved.headers["Location"].startswith("/entries/")
    entry_page = client.get(approved.headers["Location"]).text
    assert "Signed off by" in entry_page
    assert "coordinator-b@example.org" in entry_page
    assert _entries(session) == before + 1
    journal = client.get("/reports/journal").text
    assert "signed off by coordinator-b@example.org" in journal
    csv = client.get("/reports/journal.csv", headers={"Accept-Language": "en"}).text
    assert "Signed off by" in csv.splitlines()[0]
    assert "coordinator-b@example.org" in csv

    # B's own item, refused by A with a reason: nothing posted, nothing held.
    bank_donation(session, parcel_setup, "20000.00", "RUB")
    session.commit()
    waiting = _spend(client, "12000.00")
    second_id = int(waiting.headers["Location"].rsplit("/", 1)[1])
    auth.logout()
    auth.login("coordinator")
    no_reason = client.post(f"/manage/approvals/{second_id}/reject", data={"reason": ""})
    assert no_reason.status_code == 302
    assert session.get(Approval, second_id).status == "pending"
    refused = client.post(f"/manage/approvals/{second_id}/reject", data={"reason": "Не та сумма"})
    assert refused.status_code == 302
    session.expire_all()
    assert session.get(Approval, second_id).status == "rejected"
    assert held_in(session, fund) == {}
    assert _entries(session) == before + 2  # the signed-off entry and the donation
    assert "Не та сумма" in client.get(f"/manage/approvals/{second_id}").text
    assert verify_ledger(session).ok


def test_the_author_withdraws_on_the_page(client, auth, session, parcel_setup):
    from ledger.money import parse_amount
    from ledger.signoff.thresholds import set_approval_thresholds

    set_approval_thresholds(session, {"RUB": parse_amount("10000.00", "RUB")})
    session.commit()
    auth.login("coordinator")
    approval_id = int(_spend(client).headers["Location"].rsplit("/", 1)[1])
    withdrawn = client.post(f"/manage/approvals/{approval_id}/withdraw", data={"reason": "Ошибка"})
    assert withdrawn.status_code == 302
    session.expire_all()
    assert session.get(Approval, approval_id).status == "withdrawn"
    assert "withdrawn" in client.get("/manage/approvals").text
