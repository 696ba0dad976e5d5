"""Where a page's time goes: in-process request latency, without the server and the network.

``python -m bench.pages DATABASE_URL`` times ``/healthz``, ``/api/v1/ledger/head``
and ``/`` through Flask's test client (production settings, CSRF on), then the
same with ``pool_pre_ping`` off, and a bare template render, so the gap between
the home page and the trivial endpoint can be split into database and template.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

from flask import render_template

from ledger import create_app


def _app(url: str, instance: str, pre_ping: bool):
    app = create_app(
        "production",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": pre_ping},
        },
        instance_path=instance,
    )
    app.add_url_rule("/healthz", "healthz", lambda: ("ok", 200, {"Content-Type": "text/plain"}))
    app.add_url_rule(
        "/bench-render",
        "bench_render",
        lambda: render_template("web/home.html", entry_count=440193, head_hash="ab" * 32),
    )
    return app


def _median_ms(client, path: str, count: int = 400) -> float:
    for _ in range(30):
        client.get(path)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, base_url="https://localhost")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings)


def main(url: str) -> None:
    with tempfile.TemporaryDirectory() as instance:
        for pre_ping in (True, False):
            client = _app(url, instance, pre_ping).test_client()
            figures = {
                path: _median_ms(client, path)
                for path in ("/healthz", "/bench-render", "/api/v1/ledger/head", "/")
            }
            print(
                f"pool_pre_ping={pre_ping}: "
                + ", ".join(f"{p} {ms:.2f} ms" for p, ms in figures.items())
                + " (median per request, in process)",
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1])
