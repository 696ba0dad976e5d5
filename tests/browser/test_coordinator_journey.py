"""A coordinator records a parcel bought with cash and attaches the receipt, in a real
browser, in English and in Russian."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from ledger.books.accounts import get_or_create_account
from ledger.funds.models import Facility
from tests.browser.helpers import click_and_wait
from tests.factories import jpeg_with_gps
from tests.helpers import PASSWORD

TEXT = {
    "en": {"recorded": "Recorded as entry", "attached": "Receipt attached."},
    "ru": {"recorded": "Записано проводкой", "attached": "Чек приложен."},
}


def sign_in(browser, live_server, role: str, language: str):
    browser.get(live_server + "/login")
    if language != "en":
        click_and_wait(
            browser,
            browser.find_element(By.CSS_SELECTOR, f".language-switch [lang={language}]"),
            f"html[lang={language}]",
        )
    browser.find_element(By.NAME, "email").send_keys(f"{role}@example.org")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"), ".who")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_coordinator_records_a_parcel_with_a_receipt(
    session, users, live_server, browser, screenshot, tmp_path, language, create_prisoner, create_donation
):
    prisoner = create_prisoner("vera")
    prisoner.facility = Facility(name="СИЗО-7 (fictional)", max_parcel_grams=30000, max_parcels_per_month=2)
    create_donation(prisoner, "20000.00", "RUB")
    get_or_create_account(session, "assets:bank:rub-main", label="Main rouble account")
    session.commit()
    session.remove()

    sign_in(browser, live_server, "coordinator", language)
    browser.get(live_server + "/disbursements/new?prisoner=vera")
    Select(browser.find_element(By.NAME, "category")).select_by_value("parcels")
    browser.find_element(By.NAME, "amount").send_keys("2450.00")
    Select(browser.find_element(By.NAME, "paid_from")).select_by_value("assets:bank:rub-main")
    browser.find_element(By.NAME, "memo").send_keys("Тёплые вещи и чай")
    browser.find_element(By.CSS_SELECTOR, "details.parcel summary").click()
    browser.find_element(By.NAME, "parcel_total_grams").send_keys("4200")
    browser.find_element(By.NAME, "parcel_tracking").send_keys("RA123456789RU")
    for row, (name, quantity, grams, cost) in enumerate(
        [("Носки шерстяные", "3", "300", "900"), ("Чай чёрный", "2", "500", "550")]
    ):
        browser.find_element(By.NAME, f"items-{row}-name").send_keys(name)
        browser.find_element(By.NAME, f"items-{row}-quantity").send_keys(quantity)
        browser.find_element(By.NAME, f"items-{row}-grams").send_keys(grams)
        browser.find_element(By.NAME, f"items-{row}-cost").send_keys(cost)
    screenshot(f"disbursement-form-{language}")
    flash = click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"), ".flash-success"
    )
    assert TEXT[language]["recorded"] in flash.text

    photo = tmp_path / "receipt.jpg"
    photo.write_bytes(jpeg_with_gps())
    browser.find_element(By.NAME, "file").send_keys(str(photo))
    upload = browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]")
    flash = click_and_wait(browser, upload, ".flash-success")
    assert TEXT[language]["attached"] in flash.text
    assert "Носки шерстяные" in browser.page_source
    assert browser.find_elements(By.CSS_SELECTOR, "ul.receipts li")
    screenshot(f"entry-with-receipt-{language}")
