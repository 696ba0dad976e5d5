"""The staff menu in a real browser: one row at 1,280 px, a single "Menu" (a plain
<details>, no script) under 60 px tall at 390 px, in English and Russian, for the role with
the most entries; a skip link first for keyboard users."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_coordinator_journey import sign_in

# Every item of the header's one row: its top and bottom, to say whether they share a line.
ROW = """
const header = document.querySelector("header.site-header");
const items = [header.querySelector(".brand"), ...header.querySelectorAll(".staff-nav > details > summary"),
               header.querySelector(".language-switch")];
const shown = items.filter(e => e && e.getBoundingClientRect().width > 0);
return {height: header.getBoundingClientRect().height,
        tops: shown.map(e => Math.round(e.getBoundingClientRect().top)),
        right: Math.max(...shown.map(e => e.getBoundingClientRect().right)),
        count: shown.length,
        phone: document.querySelector(".phone-menu").getBoundingClientRect().width > 0};
"""


def _screen(browser, width: int) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_staff_menu_is_one_row_wide_and_one_button_on_a_phone(
    session, users, live_server, browser, language
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    session.remove()
    sign_in(browser, live_server, "admin", language)
    browser.get(live_server + "/manage/prisoners")

    _screen(browser, 1280)
    browser.save_screenshot(str(ARTIFACTS / f"staff-menu-{language}-1280.png"))
    wide = browser.execute_script(ROW)
    assert not wide["phone"]
    assert wide["count"] >= 7  # brand, five groups, the account, the languages
    assert max(wide["tops"]) - min(wide["tops"]) <= 8, wide
    assert wide["right"] <= 1280
    assert wide["height"] < 60, wide
    # A group opens as a list of its pages, without script.
    record = browser.find_element(By.CSS_SELECTOR, ".staff-nav details[data-group=record] summary")
    record.click()
    links = browser.find_elements(By.CSS_SELECTOR, ".staff-nav details[data-group=record] .menu-items a")
    assert len(links) >= 5
    assert all(link.is_displayed() for link in links)
    record.click()

    _screen(browser, 390)
    browser.save_screenshot(str(ARTIFACTS / f"staff-menu-{language}-390.png"))
    narrow = browser.execute_script(ROW)
    assert narrow["phone"]
    assert narrow["height"] < 60, narrow
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.find_element(By.CSS_SELECTOR, ".phone-menu summary").click()
    panel = browser.find_elements(By.CSS_SELECTOR, ".phone-panel a")
    assert len(panel) >= 15
    assert all(link.is_displayed() for link in panel)
    assert browser.find_element(By.CSS_SELECTOR, ".phone-panel button.link").is_displayed()  # sign out
    browser.save_screenshot(str(ARTIFACTS / f"staff-menu-{language}-390-open.png"))

    # The first Tab reaches the skip link, which leads to the page's content.
    browser.get(live_server + "/manage/prisoners")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip-link"
    assert focused.is_displayed()
    assert focused.get_attribute("href").endswith("#main")
    assert focused.text == ("Skip to content" if language == "en" else "Перейти к содержанию")
