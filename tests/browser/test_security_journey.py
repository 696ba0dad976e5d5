"""An admin signs in, is sent to enrol in two-factor, scans nothing but types the key's
code, keeps the recovery codes, makes an API token and looks at users and the audit log
— in a real browser under the strict Content-Security-Policy."""

import pyotp
from selenium.webdriver.common.by import By

from tests.browser.helpers import wait_for_css
from tests.helpers import PASSWORD


def click_to(browser, element, selector: str):
    """Click and wait for ``selector``, found only on the next page (no staleness check,
    which chromedriver sometimes answers with an inspector error mid-navigation)."""
    element.click()
    return wait_for_css(browser, selector)


def test_admin_enrols_in_two_factor_and_manages_tokens(app, session, users, live_server, browser, screenshot):
    app.config["REQUIRE_2FA_ROLES"] = ("admin", "coordinator", "auditor")
    session.remove()

    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "email").send_keys("admin@example.org")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_to(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"), "img.qr")
    qr = browser.find_element(By.CSS_SELECTOR, "img.qr")
    assert browser.execute_script("return arguments[0].naturalWidth", qr) > 0  # the SVG loaded under the CSP
    screenshot("enrol")

    secret = browser.find_element(By.CSS_SELECTOR, "dl.facts code.secret").text
    browser.find_element(By.NAME, "code").send_keys(pyotp.TOTP(secret).now())
    click_to(
        browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"), ".recovery-codes"
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, ".recovery-codes li")) == 10
    screenshot("recovery-codes")

    browser.get(live_server + "/settings/")
    browser.find_element(By.NAME, "name").send_keys("backup script")
    click_to(
        browser,
        browser.find_element(By.CSS_SELECTOR, "form[action='/settings/tokens'] button"),
        "code.secret",
    )
    assert browser.find_element(By.CSS_SELECTOR, "code.secret").text.startswith("sl_")
    browser.get(live_server + "/settings/")
    wait_for_css(browser, "table")
    screenshot("settings")

    browser.get(live_server + "/admin/users")
    wait_for_css(browser, "table.users")
    screenshot("users")
    browser.get(live_server + "/audit")
    wait_for_css(browser, "table.audit")
    assert "Two-factor sign-in set up" in browser.page_source
    screenshot("audit")
    console = [
        entry for entry in browser.get_log("browser") if "Content Security Policy" in entry.get("message", "")
    ]
    assert console == []
