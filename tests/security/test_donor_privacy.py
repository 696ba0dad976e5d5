"""No public response reveals a donor: seeded emails, card customer ids and the
donors who chose no public name stay out of every page and JSON answer an anonymous
visitor can fetch, and out of the request logs."""

from __future__ import annotations

import logging
import threading
import urllib.request

from sqlalchemy import select

from ledger.funds.models import Donor
from ledger.security.logs import RequestLogScrubber
from tests.helpers import PASSWORD, SHUTDOWN_POLL
from tests.security.helpers import build_url, url_values, walkable_rules

PRIVATE_MARK = "Zlatoyarskaya"  # an invented surname, only ever in private donor data


def _seed_private_donors(session) -> list[str]:
    secrets = []
    for number, donor in enumerate(session.scalars(select(Donor).order_by(Donor.id))):
        donor.email = f"olga.{PRIVATE_MARK.lower()}{number}@example.net"
        donor.stripe_customer_id = f"cus_private{number:04d}"
        secrets += [donor.email, donor.stripe_customer_id]
    hidden = Donor(email=f"{PRIVATE_MARK}@example.org", stripe_customer_id="cus_hiddenhidden")
    session.add(hidden)
    session.commit()
    return secrets + [hidden.email, PRIVATE_MARK, PRIVATE_MARK.lower(), "cus_private"]


def test_no_public_response_contains_private_donor_data(app, session, demo):
    secrets = _seed_private_donors(session)
    assert session.scalar(select(Donor).where(Donor.public_name.is_not(None))) is not None
    values = url_values(session)
    client = app.test_client()
    leaks, fetched = [], 0
    for rule, method in walkable_rules(app):
        if method != "GET":
            continue
        url = build_url(app, rule, values)
        for query in ("", "?format=json", "?page=2"):
            response = client.get(url + query, headers={"Accept": "text/html,application/json"})
            fetched += 1
            # Binary answers (the month report's PNG) are read as bytes too.
            body = response.get_data().decode("utf-8", "replace").lower()
            leaks += [f"{url}{query}: {secret}" for secret in secrets if secret.lower() in body]
    assert fetched > 10
    assert leaks == []


def test_request_logs_keep_no_email_and_no_client_address(app, users, caplog):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL}, daemon=True
    )
    thread.start()
    werkzeug_logger = logging.getLogger("werkzeug")
    # Alembic's fileConfig (the migrations ran earlier in this process) disables existing loggers.
    was_disabled, werkzeug_logger.disabled = werkzeug_logger.disabled, False
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with caplog.at_level(logging.DEBUG):
            urllib.request.urlopen(f"{base}/?email=donor.secret%40example.net&next=x").read()
            data = f"email=donor.secret@example.net&password={PASSWORD}".encode()
            try:
                urllib.request.urlopen(urllib.request.Request(f"{base}/login", data=data)).read()
            except urllib.error.HTTPError:
                pass
            logging.getLogger("werkzeug").info(
                '%s - - [%s] "%s" %s %s', "192.0.2.1", "now", "GET /?e=a@b.org HTTP/1.1", "200", "-"
            )
    finally:
        server.shutdown()
        thread.join(timeout=5)
        werkzeug_logger.disabled = was_disabled
    messages = [record.getMessage() for record in caplog.records]
    assert any('"GET /' in message for message in messages)
    text = "\n".join(messages)
    assert "donor.secret" not in text
    assert "a@b.org" not in text
    assert "127.0.0.1" not in text


def test_gunicorn_access_log_atoms_lose_the_address():
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s"', None, None)
    record.args = {"h": "192.0.2.1", "r": "GET /?email=x@example.org HTTP/1.1"}
    RequestLogScrubber().filter(record)
    assert record.getMessage() == '- "GET /?email=[email] HTTP/1.1"'
