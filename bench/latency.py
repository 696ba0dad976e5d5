"""Every GET route of the web app and the API on the big ledger, as the role that uses it,
and the four whole-journal downloads as an auditor gets them.

``python -m bench.latency DATABASE_URL WORKDIR [REQUESTS [INSTANCE]]`` prints one JSON object: per route its
URL, role, status, size, p50 and p95 in milliseconds (in process, Flask's test client,
so no network or server in the figure), and per download its bytes, seconds and how far
the process's peak RSS grew while it streamed (flat memory: a few MB, whatever the size).
The downloads are written to WORKDIR for hledger and bean-check.

The role of a route comes from the route walk's policy table
(tests/security/test_route_walk.py): public pages as an anonymous visitor, readers'
pages as an auditor, forms as a coordinator, administration as an admin.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.db import end_session
from ledger import create_app
from ledger.extensions import db
from ledger.platform.gc_tuning import tune_for_serving

PASSWORD = "bench-password-1234"
# The route walk's classes of user -> who uses the page.
USER_OF = {
    "public": "anonymous",
    "signed-in": "auditor",
    "auditor+ read": "auditor",
    "auditors and admins": "auditor",
    "coordinator write": "coordinator",
    "admin only": "admin",
}
# Query strings that make a page show real data at scale (the route walk calls them bare).
QUERIES = {
    "reports.account_ledger_page": "?account=assets:bank:rub-main",
    "api.account_ledger": "?account=assets:bank:rub-main",
    "reports.journal": "?account=assets:bank:rub-main",
    "reports.account_ledger_csv": "?account=assets:bank:rub-main",
}
# Whole-journal downloads: streamed once each, by the role that uses them.
DOWNLOADS = {
    "hledger": ("/reports/exports/hledger", "ledger.journal", "auditor"),
    "beancount": ("/reports/exports/beancount", "ledger.beancount", "auditor"),
    "jsonl": ("/reports/exports/jsonl", "ledger.jsonl", "auditor"),
    "journal csv": ("/reports/journal.csv", "journal.csv", "auditor"),
    "open books csv": ("/open-books.csv", "open-books.csv", "anonymous"),
    "open books jsonl": ("/open-books.jsonl", "open-books.jsonl", "anonymous"),
}
SKIP = {"static", "auth.logout", "web.set_language", "settings.two_factor_qr", "donate.thanks"}
# Measured as downloads.
SKIP |= {"reports.journal_csv", "reports.export_download", "transparency.open_books_csv"}
SKIP |= {"transparency.open_books_jsonl"}


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _policy() -> dict:
    try:
        from tests.security.test_route_walk import POLICY
    except ImportError:  # the tests are not shipped: every route as a coordinator
        return {}
    return POLICY


def _prepare(session) -> dict[str, str]:
    """A user per role (and the route walk's spare user with a token); bearer tokens."""
    from ledger.access.models import User
    from ledger.access.users import create_token, create_user

    tokens = {}
    for role in ("admin", "coordinator", "auditor"):
        email = f"bench-{role}@example.org"
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(session, email, PASSWORD, role)
        tokens[role] = create_token(session, user, "bench")
    try:
        from tests.security.helpers import WALK_TARGET_EMAIL
    except ImportError:
        WALK_TARGET_EMAIL = "walk-target@example.org"
    target = session.scalar(select(User).where(User.email == WALK_TARGET_EMAIL))
    if target is None:
        target = create_user(session, WALK_TARGET_EMAIL, PASSWORD, "auditor")
        create_token(session, target, "walk")
    session.commit()
    return tokens


def _real_values(session, values: dict) -> dict:
    """The route walk's values, with its stand-ins for objects that may not exist (a pledge
    reference, approval, parcel, receipt, donor or mail id of 1) replaced by objects of the
    generated ledger (bench/features.py), or None: the route is then listed as skipped, not
    timed answering 404."""
    from flask import current_app

    from ledger.books.holds import Approval
    from ledger.books.kinds import ApprovalStatus
    from ledger.funds.donor_links import donor_token
    from ledger.funds.models import Pledge, Prisoner
    from ledger.funds.pledges import PUBLIC_REFERENCE_LENGTH, REFERENCE_PREFIX
    from ledger.mail.models import MailMessage
    from ledger.spending.models import Parcel, Receipt

    def first(statement):
        return session.scalar(statement.limit(1))

    public = first(
        select(Pledge)
        .where(func.length(Pledge.reference) == len(REFERENCE_PREFIX) + PUBLIC_REFERENCE_LENGTH)
        .order_by(Pledge.id)
    )
    pledge = public or first(select(Pledge).order_by(Pledge.id))
    real = dict(values)
    real["reference"] = pledge.reference if pledge is not None else None
    real["donor_id"] = pledge.donor_id if pledge is not None else None
    real["token"] = donor_token(current_app.config["SECRET_KEY"], pledge.donor_id) if pledge else None
    pending = first(select(Approval).where(Approval.status == ApprovalStatus.PENDING).order_by(Approval.id))
    real["approval_id"] = pending.id if pending is not None else None
    prisoner = session.get(Prisoner, pending.prisoner_id) if pending and pending.prisoner_id else None
    if prisoner is not None and prisoner.public:  # a fund with money held back for sign-off
        real.update(slug=prisoner.slug, prisoner_id=prisoner.id, prisoner_slug=prisoner.slug)
    real["parcel_id"] = first(select(Parcel.id).where(Parcel.outcome.has()).order_by(Parcel.id))
    real["receipt_id"] = first(select(Receipt.id).order_by(Receipt.id))
    real["message_id"] = first(select(MailMessage.id).order_by(MailMessage.id))
    return real


def _clients(app, tokens):
    clients = {"anonymous": app.test_client()}
    for role in tokens:
        client = app.test_client()
        response = client.post("/login", data={"email": f"bench-{role}@example.org", "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in ({response.status_code})"
        clients[role] = client
    return clients


def _time(client, url: str, headers: dict, count: int) -> dict:
    timings = []
    status = size = 0
    for attempt in range(count + 2):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        status, size = response.status_code, len(response.get_data())
        if attempt >= 2:  # two warm-up requests
            timings.append(elapsed)
    timings.sort()
    return {
        "status": status,
        "bytes": size,
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[min(len(timings) - 1, int(len(timings) * 0.95))],
    }


def _download(client, url: str, path: Path) -> dict:
    before = _peak_kb()
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    size = 0
    with path.open("wb") as handle:
        for chunk in response.iter_encoded():
            size += len(chunk)
            handle.write(chunk)
    response.close()
    seconds = time.perf_counter() - started
    return {
        "status": response.status_code,
        "bytes": size,
        "seconds": seconds,
        "mb_s": size / seconds / 1e6,
        "rss_growth_mb": (_peak_kb() - before) / 1024,
    }


def main(url: str, workdir: str, count: int = 20, instance_path: str | None = None) -> dict:
    """``instance_path``: the generated ledger's instance folder (its receipts), else a new one."""
    out = Path(workdir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as spare:
        instance = instance_path or spare
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url}, instance_path=instance)
        with app.app_context():
            tokens = _prepare(db.session)
            from tests.security.helpers import build_url, url_values

            values = _real_values(db.session, url_values(db.session))
            end_session()
        clients = _clients(app, tokens)
        app.load_routes()  # as gunicorn.conf.py does in post_worker_init
        tune_for_serving()  # as each gunicorn worker does once it has built the app
        downloads = {
            name: {"role": who, **_download(clients[who], path, out / filename)}
            for name, (path, filename, who) in DOWNLOADS.items()
        }
        policy = _policy()
        routes = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if not rule.methods or "GET" not in rule.methods or rule.endpoint in SKIP:
                continue
            kind = policy.get(rule.endpoint, "coordinator write")
            if isinstance(kind, dict):
                kind = kind.get("GET", "coordinator write")
            who = USER_OF.get(kind, "coordinator")
            missing = sorted(name for name in rule.arguments if values.get(name) is None)
            if missing:  # nothing of that kind in the generated ledger
                routes.append({"endpoint": rule.endpoint, "url": rule.rule, "role": who, "skipped": missing})
                continue
            link = build_url(app, rule, values) + QUERIES.get(rule.endpoint, "")
            api = rule.rule.startswith("/api/")
            headers = {"Authorization": f"Bearer {tokens[who]}"} if api and who != "anonymous" else {}
            client = clients["anonymous"] if api else clients[who]
            routes.append(
                {"endpoint": rule.endpoint, "url": link, "role": who, **_time(client, link, headers, count)}
            )
    return {"routes": routes, "downloads": downloads}


if __name__ == "__main__":
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    print(json.dumps(main(sys.argv[1], sys.argv[2], count, sys.argv[4] if len(sys.argv) > 4 else None)))
