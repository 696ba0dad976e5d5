"""Every HTML page of the route walk, as every role that may see it, in English and Russian,
in headless Chromium at a desktop's width (1,280 px) and a phone's (390 px): nothing wider
than the screen, and no serious or critical axe-core violation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.helpers import PASSWORD
from tests.security.helpers import build_url, url_values
from tests.security.test_route_walk import ALLOWED, POLICY

AXE = Path(
    os.environ.get("AXE_CORE_JS")
    or Path(__file__).resolve().parents[2] / ".venv/axe/node_modules/axe-core/axe.min.js"
)
PHONE_WIDTH = 390
DESKTOP_WIDTH = 1280
# Pages reached only in a flow (a pending sign-in, a held event) or that end the session.
NOT_WALKED = {"auth.logout", "auth.second_factor", "web.set_language", "static"}
WHO = ("anonymous", "auditor", "coordinator", "admin")


@pytest.fixture
def walk_books(app, session, users):
    from ledger.access.users import create_token, create_user
    from ledger.operations.demo import load_demo
    from tests.security.helpers import WALK_TARGET_EMAIL

    load_demo(session)
    create_token(session, create_user(session, WALK_TARGET_EMAIL, PASSWORD, "auditor"), "walk")
    session.commit()
    return users


def _sign_in(client: FlaskClient, who: str) -> None:
    if who != "anonymous":
        response = client.post("/login", data={"email": f"{who}@example.org", "password": PASSWORD})
        assert response.status_code == 302, f"{who} could not sign in"


def html_pages(app, session, who: str) -> list[str]:
    """URLs of the GET routes that answer ``who`` with an HTML page."""
    values = url_values(session)
    client = app.test_client()
    _sign_in(client, who)
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_WALKED or rule.rule.startswith("/api/"):
            continue
        policy = POLICY[rule.endpoint]
        if isinstance(policy, dict):  # reads for some roles, writes for fewer
            policy = policy["GET"]
        if who not in ALLOWED[policy]:
            continue
        url = build_url(app, rule, values)
        response = client.get(url, buffered=True)
        if response.status_code == 200 and response.mimetype == "text/html":
            urls.append(url)
    return urls


def _browser_sign_in(browser, live_server: str, who: str) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    if who == "anonymous":
        return
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "email").send_keys(f"{who}@example.org")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    browser.find_element(By.CSS_SELECTOR, ".account-menu")


SCROLL_WIDTH = "return document.documentElement.scrollWidth"


def _screen(width: int) -> dict:
    return {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}


# The innermost elements that reach past the screen's right edge, to say what to fix.
WIDEST = """
const limit = arguments[0];
const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > limit + 0.5);
const innermost = wide.filter(e => ![...e.children].some(c => wide.includes(c)));
return innermost.slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
  + (e.name ? "[name=" + e.name + "]" : "")).join(", ");
"""

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(result => done(
  result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))
)).catch(error => done(["axe failed: " + error]));
"""


@pytest.mark.slow
def test_every_page_fits_a_phone_and_passes_axe_in_both_languages(
    app, session, walk_books, live_server, browser
):
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE} (make test installs it with npm)")
    axe_source = AXE.read_text()
    browser.implicitly_wait(10)
    problems: list[str] = []
    walked = 0
    for who in WHO:
        urls = html_pages(app, session, who)
        assert urls, f"no page for {who}"
        _browser_sign_in(browser, live_server, who)
        for language in ("en", "ru"):
            browser.get(f"{live_server}/language/{language}?next=/")
            for url in urls:
                browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", _screen(DESKTOP_WIDTH))
                browser.get(live_server + url)
                where = f"{url} as {who} in {language}"
                if browser.execute_script(SCROLL_WIDTH) > DESKTOP_WIDTH:
                    culprits = browser.execute_script(WIDEST, DESKTOP_WIDTH)
                    problems.append(f"{where}: wider than {DESKTOP_WIDTH} px ({culprits})")
                browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", _screen(PHONE_WIDTH))
                lang = browser.execute_script("return document.documentElement.lang")
                if lang != language:
                    problems.append(f"{where}: page language is {lang}")
                width = browser.execute_script(SCROLL_WIDTH)
                if width > PHONE_WIDTH:
                    culprits = browser.execute_script(WIDEST, PHONE_WIDTH)
                    problems.append(f"{where}: {width} px wide at {PHONE_WIDTH} px ({culprits})")
                browser.execute_script(axe_source)
                problems += [f"{where}: {violation}" for violation in browser.execute_async_script(AXE_RUN)]
                walked += 1
    assert walked > 40
    assert problems == [], "\n".join(problems)
