"""A donor gives to a prisoner by card, and an auditor downloads the journal and checks it
with hledger — in a real browser, in English and in Russian."""

import shutil
import subprocess
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from ledger.books.models import LedgerHead
from tests.browser.helpers import click_and_wait, wait_for_css
from tests.browser.test_coordinator_journey import sign_in
from tests.helpers import seal
from tests.payments.fake_stripe import FakeStripe
from tests.payments.helpers import WEBHOOK_SECRET, Webhooks

TEXT = {
    "en": {"give": "Continue to payment", "thanks": "Thank you"},
    "ru": {"give": "Перейти к оплате", "thanks": "Спасибо"},
}


@pytest.fixture
def fake_stripe(app):
    fake = FakeStripe().start()
    app.config.update(
        STRIPE_API_BASE=fake.url,
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        DONATION_CURRENCIES=("EUR", "USD", "RUB"),
    )
    yield fake
    fake.stop()


def switch_language(browser, language):
    if language != "en":
        click_and_wait(
            browser,
            browser.find_element(By.CSS_SELECTOR, f".language-switch [lang={language}]"),
            f"html[lang={language}]",
        )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_donor_gives_to_a_prisoner_by_card(
    app, session, client, live_server, browser, screenshot, fake_stripe, language, create_prisoner
):
    prisoner = create_prisoner("vera", name="Вера Черничкина")
    prisoner.name_latin = "Vera Chernichkina"
    session.commit()
    session.remove()

    browser.get(live_server + "/prisoners/vera")
    switch_language(browser, language)
    assert ("Вера Черничкина" if language == "ru" else "Vera Chernichkina") in browser.find_element(
        By.TAG_NAME, "h1"
    ).text
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "a.donate"), "form.donate-form")
    assert (
        Select(browser.find_element(By.NAME, "prisoner")).first_selected_option.get_attribute("value")
        == "vera"
    )
    browser.find_element(By.NAME, "amount").send_keys("25.00")
    Select(browser.find_element(By.NAME, "currency")).select_by_value("EUR")
    browser.find_element(By.NAME, "public_name").send_keys("Друг из Вильнюса")
    screenshot(f"donate-{language}")
    button = browser.find_element(By.CSS_SELECTOR, "form.donate-form button[type=submit]")
    assert TEXT[language]["give"] in button.text
    button.click()
    # The browser is sent to Stripe's Checkout page (unreachable from here: no internet).
    WebDriverWait(browser, 15).until(lambda b: "checkout.stripe.com" in b.current_url)
    checkout_id = browser.current_url.rsplit("/", 1)[1]
    sent = fake_stripe.requests_to("POST", "/v1/checkout/sessions")[-1]
    assert "Друг" not in str(sent)  # Stripe gets ids, never the donor's name

    # The donor pays on Stripe; Stripe signs and sends the event, then returns the donor to us.
    charge = fake_stripe.paid_charge(2500, "eur", fee=98, metadata=sent["metadata"])
    event = fake_stripe.event(
        "checkout.session.completed", fake_stripe.complete_checkout(checkout_id, charge)
    )
    assert Webhooks(client).deliver(event).status_code == 200
    browser.get(fake_stripe.objects[checkout_id]["success_url"].replace("{CHECKOUT_SESSION_ID}", checkout_id))
    assert TEXT[language]["thanks"] in browser.find_element(By.TAG_NAME, "h1").text
    screenshot(f"thanks-{language}")

    seal(session)  # the gift shows on public pages with the next checkpoint
    browser.get(live_server + "/prisoners/vera")
    page = browser.page_source
    assert "Друг из Вильнюса" in page
    assert ("24.02" in page) or ("24,02" in page)  # €25.00 received, €0.98 Stripe fee
    screenshot(f"prisoner-after-gift-{language}")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_auditor_downloads_the_journal_and_checks_it(
    session, users, live_server, browser, screenshot, language, create_prisoner, create_donation
):
    prisoner = create_prisoner("vera")
    create_donation(prisoner, "120.00", "EUR")
    create_donation(prisoner, "9000.00", "RUB")
    session.commit()
    head = session.get(LedgerHead, 1)
    entry_count, head_hash = head.entry_count, head.head_hash
    session.remove()

    sign_in(browser, live_server, "auditor", language)
    browser.get(live_server + "/reports/exports")
    wait_for_css(browser, "ul.report-links")
    assert head_hash in browser.page_source
    screenshot(f"exports-{language}")
    browser.find_element(By.CSS_SELECTOR, "ul.report-links li:first-child a").click()

    deadline = time.time() + 15
    files = []
    while time.time() < deadline:
        files = [f for f in browser.download_dir.iterdir() if f.suffix == ".journal"]
        if files:
            break
        time.sleep(0.2)
    assert files, list(browser.download_dir.iterdir())
    journal = files[0]
    assert journal.name.endswith(f"-{entry_count}.journal")
    if shutil.which("hledger"):
        check = subprocess.run(["hledger", "-f", str(journal), "check", "-s"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
