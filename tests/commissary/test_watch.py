"""The transit watch: transfers in transit past N days on the staff's home page and in the
coordinators' daily digest."""

from datetime import timedelta

from sqlalchemy import select

from ledger.books.accounts import get_or_create_account
from ledger.commissary.transfers import send_transfer
from ledger.edge.mail_texts import render_message
from ledger.mail.models import MailMessage
from ledger.platform.database import utc_today
from tests.factories import money


def _transfer(session, create_prisoner, create_donation, create_facility, days: int):
    bank = get_or_create_account(session, "assets:bank:rub-main")
    facility = create_facility("СИЗО-1 (test)", kind="pre_trial")
    vera = create_prisoner("vera", facility=facility)
    create_donation(vera, "20000.00", "RUB")
    transfer = send_transfer(
        session,
        prisoner=vera,
        money=money("4000.00", "RUB"),
        channel="fsin_transfer",
        paid_from=bank,
        sent_on=utc_today() - timedelta(days=days),
    )
    session.commit()
    return transfer


def test_a_transfer_past_the_watch_days_is_flagged_for_staff_only(
    app, client, auth, session, create_prisoner, create_donation, create_facility
):
    _transfer(session, create_prisoner, create_donation, create_facility, 12)
    assert "transit-watch" not in client.get("/").get_data(as_text=True)  # the public sees nothing
    auth.login("coordinator")
    home = client.get("/").get_data(as_text=True)
    assert 'id="transit-watch"' in home
    assert "12 days" in home
    app.config["COMMISSARY_WATCH_DAYS"] = 14
    assert "transit-watch" not in client.get("/").get_data(as_text=True)
    russian = client.get("/manage/commissary", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Переводы в пути" in russian


def test_the_daily_digest_lists_late_transfers(
    app, runner, session, users, create_prisoner, create_donation, create_facility
):
    _transfer(session, create_prisoner, create_donation, create_facility, 9)
    result = runner.invoke(args=["pledges", "update"])
    assert result.exit_code == 0, result.output
    assert "1 digests" in result.output
    message = session.scalar(select(MailMessage).where(MailMessage.kind == "digest"))
    outgoing = render_message(session, message)
    assert outgoing is not None
    assert "in transit for more than 7 days" in outgoing.body
    assert "vera" in outgoing.body
    assert "9 days" in outgoing.body


def test_no_digest_for_a_fresh_transfer(
    app, runner, session, users, create_prisoner, create_donation, create_facility
):
    _transfer(session, create_prisoner, create_donation, create_facility, 3)
    result = runner.invoke(args=["pledges", "update"])
    assert "0 digests" in result.output


def test_the_public_balance_sheet_names_money_in_transit_in_plain_words(
    client, session, create_prisoner, create_donation, create_facility
):
    from tests.helpers import seal

    _transfer(session, create_prisoner, create_donation, create_facility, 2)
    seal(session)
    sheet = client.get("/api/v1/reports/balance-sheet").get_json()
    assert not sheet["detailed"]
    [line] = [line for line in sheet["lines"] if line["account"] == "in_transit"]
    assert line["label"] == "Money on its way to prisoners' personal accounts"
    assert line["amount"] == {"amount": "4000.00", "currency": "RUB"}
    assert sheet["balanced"]
