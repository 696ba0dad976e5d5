"""A visitor reads the home page in English and switches to Russian in a real browser."""

from selenium.webdriver.common.by import By

from tests.browser.helpers import click_and_wait
from tests.helpers import seal


def test_visitor_switches_language_and_signs_in(
    app, session, users, live_server, browser, screenshot, create_prisoner, create_donation
):
    prisoner = create_prisoner()
    entry_hash = create_donation(prisoner, "25.00").hash
    session.commit()
    seal(session)  # the public home page shows the latest checkpoint's head
    session.remove()

    browser.get(live_server + "/")
    assert entry_hash in browser.page_source
    screenshot("home-en")

    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, ".language-switch [lang=ru]"), "html[lang=ru]"
    )
    screenshot("home-ru")

    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "email").send_keys("auditor@example.org")
    browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
    who = click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"), ".who"
    )
    assert "auditor@example.org" in who.text
    screenshot("signed-in")
