"""A donor opens the donate page in a real browser and is told clearly what to fix."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.helpers import click_and_wait


def test_donor_sees_the_form_and_a_clear_error(
    app, session, live_server, browser, screenshot, create_prisoner
):
    create_prisoner("vera", name="Вера Иванова")
    session.commit()
    session.remove()

    browser.get(live_server + "/donate?prisoner=vera")
    assert (
        Select(browser.find_element(By.NAME, "prisoner")).first_selected_option.get_attribute("value")
        == "vera"
    )
    screenshot("donate-form")

    amount = browser.find_element(By.NAME, "amount")
    amount.send_keys("12.345")
    browser.find_element(By.CSS_SELECTOR, "input[value=monthly]").click()
    error = click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form.donate-form button[type=submit]"), ".field-error"
    )
    assert "EUR has at most 2 decimal places." in error.text
    screenshot("donate-error")
