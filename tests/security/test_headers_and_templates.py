"""Security headers on every response, cookie flags, no inline script or style in
templates, the request size limit, and HTML in names shown as text."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import PASSWORD
from tests.security.helpers import build_url, url_values, walkable_rules

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REQUIRED = {
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
}


def _check_headers(response, where: str) -> list[str]:
    problems = [f"{where}: no {name}" for name in REQUIRED if name not in response.headers]
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in (
        "default-src 'self'",
        "frame-ancestors 'none'",
        "script-src 'self'",
        "style-src 'self'",
    ):
        if directive not in csp:
            problems.append(f"{where}: CSP lacks {directive}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{where}: CSP allows inline code")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: X-Content-Type-Options")
    if response.headers.get("Referrer-Policy") != "no-referrer":
        problems.append(f"{where}: Referrer-Policy")
    return problems


def test_every_route_sends_the_security_headers_to_everyone(app, session, role_clients):
    values = url_values(session)
    problems = []
    for rule, method in walkable_rules(app):
        url = build_url(app, rule, values)
        for who in ("anonymous", "auditor", "admin"):
            if rule.endpoint == "auth.logout":
                response = role_clients.copy_of(who).open(url, method=method)
            else:
                response = role_clients.request(who, method, url)
            problems += _check_headers(response, f"{method} {url} as {who} ({response.status_code})")
    for url in ("/no-such-page", "/api/v1/no-such-thing"):
        problems += _check_headers(role_clients.request("anonymous", "GET", url), url)
    problems += _check_headers(role_clients.request("anonymous", "DELETE", "/"), "DELETE /")
    assert problems == []


def test_signed_in_pages_are_not_cached(client, auth):
    auth.login("auditor")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_hsts_and_secure_cookies_in_production(make_app, tmp_path, users):
    instance = tmp_path / "prod-instance"
    app = make_app(
        "production",
        instance=instance,
        PUBLIC_BASE_URL="https://ledger.example.org",
        SECRET_KEY="production-test-secret",
        MAIL_DISABLED=True,
    )
    app.config["WTF_CSRF_ENABLED"] = False  # the cookie flags are under test here, not CSRF
    client = app.test_client()
    assert "max-age=" in client.get("/login").headers["Strict-Transport-Security"]
    response = client.post("/login", data={"email": "auditor@example.org", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert (instance / "two_factor_key").exists()


def test_no_hsts_and_no_secure_flag_over_plain_http_in_testing(client, users):
    assert "Strict-Transport-Security" not in client.get("/").headers
    cookie = client.post("/login", data={"email": "auditor@example.org", "password": PASSWORD}).headers[
        "Set-Cookie"
    ]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_templates_have_no_inline_scripts_styles_or_event_handlers():
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for pattern, what in (
            (r"<script\b(?![^>]*\ssrc=)", "an inline <script> element"),
            (r"<script\b[^>]*\ssrc=\"(?!\{\{ url_for\('static')", "a script from elsewhere than /static"),
            (r"<style\b", "a <style> element"),
            (r"\sstyle\s*=", "a style= attribute"),
            (r"\son[a-z]+\s*=", "an event-handler attribute"),
            (r"javascript:", "a javascript: URL"),
            (r"\|\s*safe\b", "the |safe filter (autoescape off)"),
            (r"autoescape\s+false", "autoescaping switched off"),
        ):
            if re.search(pattern, text, re.IGNORECASE):
                problems.append(f"{path.relative_to(TEMPLATES)}: {what}")
    assert problems == []


def test_csrf_is_required_on_forms_outside_testing(make_app, users):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"email": "auditor@example.org", "password": PASSWORD})
    assert response.status_code == 400
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/login", data={"email": "auditor@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    for form in re.findall(
        r"<form[^>]*method=\"post\".*?</form>", client.get("/settings/").get_data(as_text=True), re.S
    ):
        assert 'name="csrf_token"' in form


def test_too_large_requests_get_a_413_page(app, client, tokens):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 4096})
    assert response.status_code == 413
    assert "The request is too large." in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    api = client.post(
        "/api/v1/conversions",
        data=b"{" + b" " * 4096 + b"}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['coordinator']}"},
    )
    assert api.status_code == 413
    assert api.get_json()["error"]["code"] == "too_large"


def test_html_in_names_and_memos_is_shown_as_text(
    app, session, role_clients, create_prisoner, create_donation
):
    """Script in a prisoner's name, an entry's memo, a token's name or an audit detail never runs."""
    from ledger.access.audit import record_audit

    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    prisoner = create_prisoner("html-test", name=payload)
    entry = create_donation(prisoner, "5.00")
    record_audit(session, "test.html", target=payload[:200], note=payload)
    session.commit()
    role_clients.request("admin", "POST", "/settings/tokens", data={"name": payload[:120]})
    values = {**url_values(session), "entry_id": entry.id, "slug": prisoner.slug, "prisoner_id": prisoner.id}
    problems = []
    for rule, method in walkable_rules(app):
        if method != "GET":
            continue
        url = build_url(app, rule, values)
        for who in ("anonymous", "auditor", "admin"):
            response = role_clients.request(who, "GET", url)
            if response.mimetype == "text/html" and (
                "<script>alert" in response.get_data(as_text=True)
                or "<img src=x" in response.get_data(as_text=True)
            ):
                problems.append(f"{url} as {who}")
    audit = role_clients.request("admin", "GET", "/audit").get_data(as_text=True)
    assert "&lt;script&gt;alert" in audit  # it is there, as text
    assert problems == []


def test_api_writes_need_a_bearer_token_not_a_session_cookie(client, auth, tokens):
    auth.login("coordinator")
    response = client.post("/api/v1/conversions", json={})
    assert response.status_code == 401
    assert client.get("/api/v1/entries/999").status_code == 404  # reads with the cookie are fine
    assert (
        client.post(
            "/api/v1/conversions", json={}, headers={"Authorization": f"Bearer {tokens['coordinator']}"}
        ).status_code
        == 422
    )


def test_the_donate_form_may_send_the_browser_to_stripe_checkout_only(client):
    """Chrome applies form-action to the redirect after a form is sent: the donate page
    must allow Stripe Checkout, and no other page may."""
    donate = client.get("/donate").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com;" in donate
    assert "form-action 'self';" in client.get("/login").headers["Content-Security-Policy"]
