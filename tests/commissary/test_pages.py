"""The commissary pages: send, credit, return, the personal account and top-up, the run with
its second person, the watch and the auditors' CSV; in English and Russian."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ledger.books.accounts import fund_account_for, get_or_create_account
from ledger.books.balances import available_in
from ledger.commissary.models import CommissaryRun, CommissaryTransfer
from ledger.platform.database import utc_today
from tests.helpers import AuthActions


@pytest.fixture
def setup(session, create_prisoner, create_donation, create_facility):
    get_or_create_account(session, "assets:bank:rub-main")
    facility = create_facility("ИК-2 (test)", kind="colony", regime="general")
    vera = create_prisoner("vera", facility=facility)
    create_donation(vera, "20000.00", "RUB")
    session.commit()
    return vera


def _transfers(session):
    session.expire_all()
    return session.scalars(select(CommissaryTransfer).order_by(CommissaryTransfer.id)).all()


def _send(client, headers=None, **more):
    form = {
        "prisoner": "vera",
        "amount": "5000",
        "currency": "RUB",
        "fee": "150",
        "channel": "zonatelecom",
        "paid_from": "assets:bank:rub-main",
        "sent_on": (utc_today() - timedelta(days=9)).isoformat(),
        **more,
    }
    return client.post("/manage/commissary/send", data=form, headers=headers or {})


def test_send_credit_and_return_through_the_pages(client, auth, session, setup):
    auth.login("coordinator")
    page = client.get("/manage/commissary/send?prisoner=vera")
    assert page.status_code == 200
    sent = _send(client)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    transfer = _transfers(session)[0]
    assert transfer.status == "in_transit"
    watch = client.get("/manage/commissary").get_data(as_text=True)
    assert "over 7 days" in watch
    assert "5,000.00" in watch
    home = client.get("/manage/commissary/prisoners/vera").get_data(as_text=True)
    assert "In transit" in home
    on = utc_today().isoformat()
    done = client.post(f"/manage/commissary/transfers/{transfer.id}/credited?next=prisoner", data={"on": on})
    assert done.status_code == 302
    assert _transfers(session)[0].status == "credited"
    assert available_in(session, fund_account_for(session, setup))["RUB"].minor == 1485000

    _send(client, amount="3000", fee="")
    second = _transfers(session)[1]
    back = client.post(
        f"/manage/commissary/transfers/{second.id}/returned", data={"on": on, "reason": "этап"}
    )
    assert back.status_code == 302
    assert _transfers(session)[1].status == "returned"
    assert available_in(session, fund_account_for(session, setup))["RUB"].minor == 1485000
    csv = client.get("/manage/commissary/transfers.csv").get_data(as_text=True)
    assert "этап" in csv
    assert csv.count("\r\n") == 3


def test_over_the_limit_asks_for_a_reason_in_russian(client, auth, session, setup):
    auth.login("coordinator")
    today = utc_today().isoformat()
    refused = _send(client, {"Accept-Language": "ru"}, amount="9500", fee="", sent_on=today)
    assert refused.status_code == 200
    text = refused.get_data(as_text=True)
    assert 'id="over-limit"' in text
    assert "9\xa0000,00\xa0₽" in text
    assert "Сверх месячного лимита" in text
    assert _transfers(session) == []
    allowed = _send(
        client, amount="9500", fee="", sent_on=today, allow_over_limit="y", over_limit_reason="поощрение"
    )
    assert allowed.status_code == 302
    assert _transfers(session)[0].over_limit_reason == "поощрение"


def test_run_prepared_by_one_approved_by_another(client, session, setup, users):
    coordinator, admin = AuthActions(client), AuthActions(client)
    coordinator.login("coordinator")
    saved = client.post(
        "/manage/commissary/prisoners/vera/top-up",
        data={
            "amount": "2000",
            "currency": "RUB",
            "fee": "60",
            "channel": "post",
            "paid_from": "assets:bank:rub-main",
        },
    )
    assert saved.status_code == 302
    prepared = client.post("/manage/commissary/runs", data={"month": "2026-12"})
    assert prepared.status_code == 302
    run_id = session.scalar(select(CommissaryRun.id))
    page = client.get(f"/manage/commissary/runs/{run_id}").get_data(as_text=True)
    assert "A second person must approve this run" in page
    client.post(f"/manage/commissary/runs/{run_id}/approve")
    assert _transfers(session) == []
    coordinator.logout()
    admin.login("admin")
    approved = client.post(f"/manage/commissary/runs/{run_id}/approve")
    assert approved.status_code == 302
    client.post(f"/manage/commissary/runs/{run_id}/approve")
    assert len(_transfers(session)) == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(CommissaryRun)) == 1
    assert "approved" in client.get(f"/manage/commissary/runs/{run_id}").get_data(as_text=True)


def test_auditors_read_but_cannot_write(client, auth, session, setup):
    auth.login("auditor")
    assert client.get("/manage/commissary").status_code == 200
    assert client.get("/manage/commissary/runs").status_code == 200
    assert client.get("/manage/commissary/prisoners/vera").status_code == 200
    assert _send(client).status_code == 403
    assert client.post("/manage/commissary/runs", data={"month": "2026-12"}).status_code == 403


def test_admins_edit_a_limit_and_the_next_transfer_follows_it(client, auth, session, setup):
    from ledger.access.models import AuditEvent
    from ledger.commissary.models import CommissaryLimit

    limit = session.scalar(
        select(CommissaryLimit).where(
            CommissaryLimit.facility_kind == "colony",
            CommissaryLimit.regime == "general",
            CommissaryLimit.conditions == "ordinary",
        )
    )
    auth.login("coordinator")
    assert client.get(f"/manage/commissary/limits/{limit.id}").status_code == 403
    auth.logout()
    auth.login("admin")
    page = client.get("/manage/commissary/limits", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "ст. 121" in page
    saved = client.post(
        f"/manage/commissary/limits/{limit.id}",
        data={"amount": "12 000,00", "legal_basis": "УИК РФ ст. 121 ч. 1 п. «а» (новая ред.)"},
        headers={"Accept-Language": "ru"},
    )
    assert saved.status_code == 302
    session.expire_all()
    assert session.get(CommissaryLimit, limit.id).amount_minor == 1_200_000
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "commissary_limit.updated"))
    today = utc_today().isoformat()
    assert _send(client, amount="11000", fee="", sent_on=today).status_code == 302
    assert _send(client, amount="1001", fee="", sent_on=today).status_code == 200
    assert len(_transfers(session)) == 1
