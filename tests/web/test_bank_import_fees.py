"""A bank statement as the bank writes it, in English and in Russian conventions: the import
page's proposed columns read it (no currency column: the account's currency), its two gifts
and the bank's fee are recorded, and the account's balance in the books ends equal to the
statement's closing balance."""

import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.books.accounts import find_account, general_fund
from ledger.books.balances import available_in
from ledger.books.models import JournalEntry, Posting
from ledger.books.verify import verify_ledger
from ledger.funds.models import Pledge

PRISONER = {
    "slug": "oleg-s",
    "name": "Олег С.",
    "name_latin": "Oleg S.",
    "status": "awaiting_trial",
    "address": "СИЗО-1, ул. Вымышленная, 1",
    "region": "Тверская обл.",
    "need_amount": "12000",
    "need_currency": "RUB",
    "public": "y",
}

# language, account, currency, the statement (the reference is filled in), closing balance
STATEMENTS = [
    (
        "en",
        "assets:bank:eur-main",
        "EUR",
        "Date,Payer,Payment purpose,Amount\n"
        '2026-03-05,J. Smith,Monthly gift {reference},"1,500.00"\n'
        "2026-03-06,A. Jones,For parcels,700.00\n"
        "2026-03-31,,Account maintenance fee,-12.50\n",
        Decimal("2187.50"),
    ),
    (
        "ru",
        "assets:bank:rub-main",
        "RUB",
        "Дата;Плательщик;Назначение платежа;Сумма\n"
        "05.03.2026;Иванов И.;Пожертвование {reference};1 500,00\n"
        "06.03.2026;Сидорова А.;На посылки;700,00\n"
        "31.03.2026;;Комиссия за обслуживание счёта;-12,50\n",
        Decimal("2187.50"),
    ),
]


def _proposed(page: str) -> dict[str, str]:
    """The values the upload form proposes: its text inputs, chosen options and ticked boxes."""
    form = page.split('enctype="multipart/form-data"')[1].split("</form>")[0]
    values = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="file"' in tag:
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                values[name.group(1)] = "y"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)" selected', body)
        values[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    return values


def _row_choices(preview: str) -> dict[str, str]:
    """What the preview proposes for each row (the option each row's select has chosen)."""
    choices = {}
    for name, body in re.findall(r'<select name="(row-\d+)"[^>]*>(.*?)</select>', preview, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        choices[name] = chosen.group(1) if chosen else ""
    return choices


@pytest.mark.parametrize(("language", "account", "currency", "statement", "closing"), STATEMENTS)
def test_a_statement_with_gifts_and_a_bank_fee_reconciles(
    client, auth, session, language, account, currency, statement, closing
):
    headers = {"Accept-Language": language}
    auth.login("admin")
    for name, code in (("assets:bank:rub-main", "RUB"), ("assets:bank:eur-main", "EUR")):
        client.post("/admin/accounts", data={"name": name, "currency": code, "label": f"Main {code}"})
    auth.logout()
    auth.login("coordinator")
    assert client.post("/manage/prisoners/new", data=PRISONER).status_code == 302
    pledge = {"fund": "oleg-s", "amount": "1500", "currency": currency, "frequency": "monthly"}
    assert client.post("/manage/pledges/new", data={**pledge, "starts_on": "2026-01-01"}).status_code == 302
    reference = session.scalar(select(Pledge.reference))

    page = client.get(f"/imports/bank?asset={account}", headers=headers)
    proposed = _proposed(page.text)
    assert proposed["asset"] == account
    upload = {**proposed, "file": (io.BytesIO(statement.format(reference=reference).encode()), "s.csv")}
    preview = client.post("/imports/bank", data=upload, content_type="multipart/form-data", headers=headers)
    assert preview.status_code == 200, preview.text
    text = preview.text.replace("&#34;", '"')
    assert "Columns not found" not in text
    assert "Столбцы не найдены" not in text
    if language == "en":
        assert "1 matched, 1 to assign, 1 outgoing, 0 already recorded, 0 unreadable" in text
        assert "bank fee: General fund" in text
    else:
        assert "сопоставлено: 1, распределить: 1, исходящих: 1, уже записано: 0, не прочитано: 0" in text
        assert "комиссия банка: Общий фонд" in text
    proposed_rows = _row_choices(text)
    # The gift by reference goes to its pledge's fund, the fee to the general fund.
    assert proposed_rows == {"row-1": "oleg-s", "row-2": "", "row-3": "general"}

    hidden = dict(re.findall(r'name="(statement|asset|mapping)" value="([^"]*)"', preview.text))
    hidden["mapping"] = hidden["mapping"].replace("&#34;", '"')
    decisions = {**proposed_rows, "row-2": "general"}  # the coordinator assigns the other gift
    posted = client.post("/imports/bank/post", data={**hidden, **decisions}, headers=headers)
    assert posted.status_code == 200
    if language == "en":
        assert "2 donations recorded." in posted.text
        assert "1 bank fee recorded." in posted.text
        assert "Bank fee" in posted.text
    else:
        assert "Записано 2 пожертвования." in posted.text
        assert "Записана 1 комиссия банка." in posted.text
        assert "Комиссия банка" in posted.text

    session.expire_all()
    bank = find_account(session, account)
    assert available_in(session, bank)[currency].amount == closing
    assert available_in(session, general_fund(session))[currency].amount == Decimal("687.50")
    fee = session.scalars(select(Posting).where(Posting.category == "fee")).all()
    assert sorted(p.amount_minor for p in fee) == [-1250, 1250]
    assert verify_ledger(session).ok

    # The same statement again records nothing more: the fee is known too.
    upload["file"] = (io.BytesIO(statement.format(reference=reference).encode()), "s.csv")
    again = client.post("/imports/bank", data=upload, content_type="multipart/form-data")
    assert "3 already recorded" in again.text.replace("&#34;", '"')
    entries = session.scalars(select(JournalEntry)).all()
    assert len(entries) == 3


def test_a_fee_the_fund_cannot_cover_is_refused_with_its_reason(client, auth, session):
    auth.login("admin")
    client.post("/admin/accounts", data={"name": "assets:bank:eur-main", "currency": "EUR", "label": "Main"})
    auth.logout()
    auth.login("coordinator")
    upload = {
        "asset": "assets:bank:eur-main",
        "date_column": "date",
        "amount_column": "amount",
        "reference_column": "reference",
        "currency_column": "currency",
        "payer_column": "payer",
        "file": (io.BytesIO(b"date,amount,reference\n2026-03-31,-12.50,Bank charges\n"), "s.csv"),
    }
    preview = client.post("/imports/bank", data=upload, content_type="multipart/form-data")
    hidden = dict(re.findall(r'name="(statement|asset|mapping)" value="([^"]*)"', preview.text))
    hidden["mapping"] = hidden["mapping"].replace("&#34;", '"')
    posted = client.post("/imports/bank/post", data={**hidden, **_row_choices(preview.text)})
    assert "Row 1:" in posted.text
    assert "Not enough money in General fund" in posted.text
    assert "liabilities:funds" not in posted.text
    assert session.scalar(select(JournalEntry.id)) is None
