"""A visitor finds the prisoner most in need on the home page, reads their page and report,
and an auditor looks at the books — with the demo organisation, in a real browser."""

from datetime import date

from selenium.webdriver.common.by import By

from ledger.operations.demo import load_demo
from tests.browser.helpers import click_and_wait


def test_visitor_reads_a_prisoners_page_and_report(app, session, users, live_server, browser, screenshot):
    load_demo(session, today=date(2026, 11, 20))
    session.commit()
    from tests.helpers import seal

    seal(session)  # public pages show the books as of the latest checkpoint
    session.remove()

    browser.get(live_server + "/")
    cards = browser.find_elements(By.CSS_SELECTOR, ".prisoner-card")
    assert len(cards) == 19  # the hidden prisoner is not listed
    screenshot("home")

    click_and_wait(browser, cards[0].find_element(By.CSS_SELECTOR, "a.prisoner-name"), "svg.month-chart")
    assert (
        browser.find_element(By.CSS_SELECTOR, "a.donate")
        .get_attribute("href")
        .startswith(live_server + "/donate?prisoner=")
    )
    screenshot("prisoner")

    click_and_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Full report"), "table.report")
    screenshot("report")

    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "email").send_keys("auditor@example.org")
    browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"), ".who")
    browser.get(live_server + "/reports/journal")
    assert browser.find_elements(By.CSS_SELECTOR, "tbody.entry")
    screenshot("journal")
    browser.get(live_server + "/reports/pledges")
    screenshot("pledges")
