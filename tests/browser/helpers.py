"""Waiting for the browser: an element to appear, a click to load the next page."""

from __future__ import annotations


def _wait(browser, timeout: float):
    """A wait that polls again when Chrome answers mid-navigation with an error of its
    own (``Node with given id does not belong to the document``): the next poll sees
    the new page, or the stale element, and decides."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,))


def wait_for_css(browser, selector: str, timeout: float = 15):
    """Wait until ``selector`` matches on the current page (a click that submits a form
    returns before the next page has loaded)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    return _wait(browser, timeout).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector))
    )


def click_and_wait(browser, element, selector: str, timeout: float = 15):
    """Click ``element`` and wait for the page it leads to, recognised by ``selector``."""
    from selenium.webdriver.support import expected_conditions

    element.click()
    _wait(browser, timeout).until(expected_conditions.staleness_of(element))
    return wait_for_css(browser, selector, timeout)
