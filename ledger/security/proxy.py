"""Behind a reverse proxy, take the client address and scheme from its headers.

Login throttling counts failures per client; without this, every visitor would
share the proxy's address and twenty wrong passwords would lock everyone out.
Set ``LEDGER_TRUSTED_PROXY_HOPS`` to the number of proxies in front of the app
(0, the default, trusts no forwarding header).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_proxy(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
