"""The app as gunicorn serves it for the benchmark, plus a trivial ``/healthz``.

The route exists only here: it is the floor the real pages are compared with
(the same server, workers and middleware, but no template and no query).
``BENCH_PAGE_CACHE=0`` turns the public page cache off: what a signed-in
coordinator gets (the cache serves anonymous readers only).
"""

import os

from ledger import create_app

app = create_app(None, {"PAGE_CACHE": os.environ.get("BENCH_PAGE_CACHE", "1") != "0"})


@app.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain"}
