"""Bank import, as a coordinator uses it from an empty database: rows that can't be read show
the value as it was written and every format the import accepts; each bank account keeps the
columns of its last import, filled in at the next one and changeable."""

import io
import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from ledger.books.models import JournalEntry
from ledger.funds.bank_import import DATE_FORMATS
from ledger.funds.models import ImportMapping

RUB_COLUMNS = {
    "date_column": "Дата операции",
    "amount_column": "Сумма",
    "reference_column": "Назначение платежа",
    "currency_column": "",
    "default_currency": "RUB",
    "payer_column": "",
    "decimal_comma": "y",
}


def _open_accounts(client, auth):
    auth.login("admin")
    for name, currency in (("assets:bank:rub-main", "RUB"), ("assets:bank:eur-main", "EUR")):
        opened = client.post("/admin/accounts", data={"name": name, "currency": currency, "label": currency})
        assert opened.status_code == 302
    auth.logout()
    auth.login("coordinator")


def _upload(client, csv_text, asset, columns, language="en"):
    data = {"file": (io.BytesIO(csv_text.encode()), "statement.csv"), "asset": asset, **columns}
    return client.post(
        "/imports/bank", data=data, content_type="multipart/form-data", headers={"Accept-Language": language}
    )


def _value(page, name):
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    return match.group(1) if match else None


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_bad_rows_show_what_was_written_and_every_accepted_format(client, auth, session):
    _open_accounts(client, auth)
    csv_text = (
        "Дата операции;Сумма;Назначение платежа\n"
        "2026-31-12;1 500,00;Пожертвование\n"
        "05.03.2026;12,3,4;Пожертвование\n"
        ";100,00;Без даты\n"
    )
    preview = _upload(client, csv_text, "assets:bank:rub-main", RUB_COLUMNS)
    assert preview.status_code == 200, preview.text
    text = preview.text.replace("&#34;", '"').replace("&amp;", "&")
    # The bad date and the bad amount are shown as typed, in their cells and in the message.
    assert '<span class="as-typed">2026-31-12</span>' in text
    assert '<span class="as-typed">12,3,4</span>' in text
    assert "“2026-31-12” is not a date the import can read" in text
    assert "“12,3,4” is not an amount the import can read" in text
    assert "1 234,50" in text
    assert "The date is empty" in text
    # Every format the parser reads is named, and each example given is one it reads.
    for label, example in re.findall(r"([DMY./-]{8,10}) \(([\d./-]+)\)", text.split("is not a date")[1])[:4]:
        assert any(_parses(example, pattern) for pattern in DATE_FORMATS), (label, example)
    message = text.split("is not a date the import can read.")[1].split("</span>")[0]
    for label in ("YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "DD.MM.YY"):
        assert label in message
    assert len(re.findall(r"\(\d[\d./-]+\)", message)) == len(DATE_FORMATS)
    assert _count(session, JournalEntry) == 0

    russian = _upload(client, csv_text, "assets:bank:rub-main", RUB_COLUMNS, language="ru")
    assert "«2026-31-12» — не дата" in russian.text
    assert "ДД.ММ.ГГГГ (31.01.2026)" in russian.text
    assert "«12,3,4» — не сумма" in russian.text


def _parses(text, pattern):
    try:
        datetime.strptime(text, pattern).replace(tzinfo=UTC)
    except ValueError:
        return False
    return True


def test_each_bank_account_keeps_its_columns_for_the_next_import(client, auth, session):
    _open_accounts(client, auth)
    first = client.get("/imports/bank?asset=assets:bank:rub-main")
    assert _value(first.text, "date_column") == "date"
    assert "Saved columns" not in first.text
    assert _count(session, ImportMapping) == 0  # a GET writes nothing

    # A file whose columns don't match saves nothing.
    wrong = _upload(client, "a;b\n1;2\n", "assets:bank:rub-main", RUB_COLUMNS)
    assert "Columns not found" in wrong.text
    assert _count(session, ImportMapping) == 0

    csv_text = "Дата операции;Сумма;Назначение платежа\n05.03.2026;1 500,00;Пожертвование\n"
    assert _upload(client, csv_text, "assets:bank:rub-main", RUB_COLUMNS).status_code == 200
    assert _count(session, ImportMapping) == 1

    again = client.get("/imports/bank?asset=assets:bank:rub-main").text
    assert _value(again, "date_column") == "Дата операции"
    assert _value(again, "reference_column") == "Назначение платежа"
    assert _value(again, "currency_column") == ""
    assert re.search(r'<option selected value="RUB">|<option value="RUB" selected>', again)
    assert re.search(r'name="decimal_comma"[^>]*checked|checked[^>]*name="decimal_comma"', again)
    assert "last import into RUB" in again
    # The other account has its own (none yet): the defaults.
    eur = client.get("/imports/bank?asset=assets:bank:eur-main").text
    assert _value(eur, "date_column") == "date"
    assert "decimal_comma" in eur
    assert not re.search(r'name="decimal_comma"[^>]*checked', eur)

    # Changed columns replace the saved ones, for that account only.
    changed = {**RUB_COLUMNS, "date_column": "Date", "decimal_comma": ""}
    csv_text = "Date;Сумма;Назначение платежа\n2026-03-05;1500.00;Пожертвование\n"
    assert _upload(client, csv_text, "assets:bank:rub-main", changed).status_code == 200
    assert _count(session, ImportMapping) == 1
    later = client.get("/imports/bank?asset=assets:bank:rub-main").text
    assert _value(later, "date_column") == "Date"
    assert not re.search(r'name="decimal_comma"[^>]*checked', later)
    russian = client.get("/imports/bank?asset=assets:bank:rub-main", headers={"Accept-Language": "ru"})
    assert "Сохранённые столбцы" in russian.text
