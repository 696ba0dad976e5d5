"""The app as gunicorn serves it for the benchmark, plus a trivial ``/healthz``.

The route exists only here: it is the floor the real pages are compared with
(the same server, workers and middleware, but no template and no query).
"""

from ledger import create_app

app = create_app()


@app.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain"}
