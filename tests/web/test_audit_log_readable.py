"""The audit log reads as sentences: action names in the reader's language, targets as names
with links (a user to the users page, a prisoner to their page, an entry to the entry), the
details as a labelled list — never raw codes, `user:5` or JSON, and never a donor's identity."""

import ast
import re
from pathlib import Path

from sqlalchemy import select

from ledger.access.models import AuditEvent, User
from ledger.books.models import JournalEntry
from ledger.funds.models import EVENT_TYPES
from ledger.web.audit_words import ACTION_LABELS
from tests.helpers import PASSWORD

LEDGER = Path(__file__).resolve().parents[2] / "ledger"
ACTION = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")


def _recorded_actions() -> set[str]:
    """Every action code the code can record (the literal passed to record_audit, or to the
    sign-in failure counter that passes it on)."""
    found = set()
    for path in LEDGER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in ("record_audit", "_count_failure"):
                continue
            for arg in node.args:
                for constant in ast.walk(arg):
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                        if ACTION.match(constant.value):
                            found.add(constant.value)
    # ledger/funds/lifecycle.py records "prisoner.<event type>".
    return found | {f"prisoner.{kind}" for kind in EVENT_TYPES}


def test_every_recorded_action_has_a_name():
    actions = _recorded_actions()
    assert len(actions) > 40
    assert "user.created" in actions
    assert "auth.failed" in actions
    assert sorted(actions - set(ACTION_LABELS)) == []


def test_the_audit_log_names_and_links_what_happened(client, auth, session):
    auth.login("admin")
    made = client.post(
        "/admin/users", data={"email": "olga@example.org", "role": "coordinator", "password": PASSWORD}
    )
    assert made.status_code in (302, 303), made.text
    client.post(
        "/admin/accounts", data={"name": "assets:bank:rub-main", "currency": "RUB", "label": "Main RUB"}
    )
    auth.logout()
    auth.login("coordinator")
    client.post(
        "/manage/prisoners/new",
        data={
            "slug": "oleg-s",
            "name": "Олег С.",
            "name_latin": "Oleg S.",
            "status": "sentenced",
            "need_currency": "RUB",
        },
    )
    pledge = client.post(
        "/manage/pledges/new",
        data={
            "fund": "oleg-s",
            "amount": "1500",
            "currency": "RUB",
            "frequency": "monthly",
            "starts_on": "2026-01-01",
            "public_name": "Ivanka Secretova",
            "email": "ivanka.secret@example.net",
        },
    )
    assert pledge.status_code == 302, pledge.text
    gift = client.post(
        "/donations/new",
        data={
            "fund": "oleg-s",
            "amount": "1000",
            "currency": "RUB",
            "method": "bank",
            "asset": "assets:bank:rub-main",
            "received_on": "2026-03-01",
        },
    )
    assert gift.status_code == 302, gift.text
    entry_id = session.scalar(select(JournalEntry.id).order_by(JournalEntry.id.desc()))
    olga = session.scalar(select(User).where(User.email == "olga@example.org"))
    assert (
        session.scalar(
            select(AuditEvent.target)
            .where(AuditEvent.action == "user.created")
            .order_by(AuditEvent.id.desc())
        )
        == f"user:{olga.id}"
    )
    auth.logout()

    auth.login("admin")
    page = client.get("/audit").text
    assert f'<a href="/admin/users#user-{olga.id}">olga@example.org</a>' in page
    assert f'id="user-{olga.id}"' in client.get("/admin/users").text
    auth.logout()

    auth.login("auditor")
    page = client.get("/audit").text
    for readable in ("User created", "Prisoner added", "Gift recorded", "Pledge created", "Account opened"):
        assert f'<td data-label="Action">{readable}</td>' in page
    assert not re.search(r"<td[^>]*>\s*(<code>)?[a-z_0-9]+\.[a-z_]+(</code>)?\s*</td>", page)  # no raw codes
    assert f"user:{olga.id}" not in page
    assert "prisoner:oleg-s" not in page
    assert f"entry:{entry_id}" not in page
    assert "{&#34;" not in page
    assert '{"' not in page
    assert '<a href="/prisoners/oleg-s">Oleg S.</a>' in page
    assert f'<a href="/entries/{entry_id}">#{entry_id}</a>' in page
    assert "olga@example.org" in page
    assert "/admin/users" not in page
    assert "<dt>Amount</dt><dd>" in page
    assert "1,000.00" in page
    assert "<dt>Method</dt><dd>bank transfer</dd>" in page
    assert '<dt>Fund</dt><dd><a href="/prisoners/oleg-s">Oleg S.</a></dd>' in page
    # The donor stays unnamed, as everywhere an auditor reads.
    assert "Ivanka" not in page
    assert "ivanka.secret" not in page
    assert '<option value="donation.recorded">Gift recorded</option>' in page

    russian = client.get("/audit", headers={"Accept-Language": "ru"}).text
    for readable in ("Пользователь создан", "Заключённый добавлен", "Пожертвование записано", "Счёт открыт"):
        assert f'<td data-label="Действие">{readable}</td>' in russian
    assert '<a href="/prisoners/oleg-s">Олег С.</a>' in russian
    assert "<dt>Способ</dt><dd>банковский перевод</dd>" in russian
    assert "Ivanka" not in russian
    assert "ivanka.secret" not in russian


def test_a_page_of_the_audit_log_that_is_no_page_redirects_as_every_list_does(client, auth):
    """The audit log reads its page with the one parser of the web and the API
    (ledger/reports/filters.py): a bad number redirects without it, with the API's message,
    and a page past the end goes to the last page."""
    auth.login("auditor")
    refused = client.get("/audit?page=abc&action=user.created")
    assert refused.status_code == 302
    assert refused.headers["Location"] == "/audit?action=user.created"
    assert "Pages are numbered from 1" in client.get(refused.headers["Location"]).text
    past_the_end = client.get("/audit?page=999")
    assert (past_the_end.status_code, past_the_end.headers["Location"]) == (302, "/audit?page=1")
