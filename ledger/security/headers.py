"""Security headers on every response, HTML or JSON, success or error.

The Content-Security-Policy allows nothing inline: no ``<script>``, no ``style=``,
no event-handler attributes; templates keep styles in static/style.css.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Pages whose form sends the browser elsewhere: the donate form is answered with a
# redirect to Stripe Checkout, which ``form-action 'self'`` would block.
FORM_ACTION_ALSO = {"donate.donate": "https://checkout.stripe.com"}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)
STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def init_security_headers(app: Flask) -> None:
    hsts_seconds = app.config.get("HSTS_SECONDS")

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        also = FORM_ACTION_ALSO.get(request.endpoint or "")
        if also and response.headers.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY:
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", f"form-action 'self' {also}"
            )
        if hsts_seconds:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={int(hsts_seconds)}; includeSubDomains"
            )
        # Pages for signed-in people may show private data: no shared or disk caches.
        if (
            request.endpoint != "static"
            and request.cookies.get(app.config.get("SESSION_COOKIE_NAME", "session"))
            or request.headers.get("Authorization")
        ):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
