"""Issue 27: an uploaded bank statement never rests in plain form.  It is kept, encrypted, only
while its preview lives; posting, cancelling or the end of its hour deletes it (by the request,
``flask imports clean`` or ``flask pledges update``); nothing else of it is written anywhere.
The attack replayed: upload, abandon, expire, then look for the payers in ``instance/`` and
in the whole database."""

from __future__ import annotations

import gzip
import io
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text, update

from ledger.books.accounts import get_or_create_account
from ledger.funds.models import StatementPreview
from ledger.funds.statement_previews import expire_statement_previews, keep_statement, open_statement
from ledger.platform.database import utcnow

PAYER = "Zinaida Payerova-Tajnaya"
PAYER_RU = "Зинаида Плательщикова"
ACCOUNT = "40817810099910004312"
CSV = (
    "date,amount,currency,reference,payer,account\n"
    f"2026-11-05,25.00,EUR,gift,{PAYER},{ACCOUNT}\n"
    f"2026-11-06,40.00,EUR,help,{PAYER_RU},{ACCOUNT}\n"
)
SECRETS = [PAYER, PAYER_RU, ACCOUNT, "Payerova", "Плательщикова"]


@pytest.fixture
def bank(session):
    get_or_create_account(session, "assets:bank:eur-main", label="Bank EUR")
    session.commit()


def _upload(client, language="en"):
    data = {
        "file": (io.BytesIO(CSV.encode()), "statement.csv"),
        "asset": "assets:bank:eur-main",
        "date_column": "date",
        "amount_column": "amount",
        "reference_column": "reference",
        "currency_column": "currency",
        "default_currency": "",
        "payer_column": "payer",
    }
    return client.post(
        "/imports/bank", data=data, content_type="multipart/form-data", headers={"Accept-Language": language}
    )


def _hidden(page: str) -> dict:
    hidden = dict(re.findall(r'name="(statement|asset|mapping)" value="([^"]*)"', page))
    hidden["mapping"] = hidden["mapping"].replace("&#34;", '"')
    return hidden


def _previews(session) -> int:
    session.expire_all()
    return len(session.scalars(select(StatementPreview)).all())


def _expire_all(session) -> None:
    session.execute(update(StatementPreview).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()


def _database_dump(session) -> str:
    """Every row of every table, as text (what a copy of the database shows)."""
    metadata = MetaData()
    metadata.reflect(bind=session.get_bind())
    lines = []
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)):
            lines.append(f"{table.name}: " + " | ".join(str(value) for value in row))
    return "\n".join(lines)


def _readable_anywhere(app, session) -> list[str]:
    """The payers' names or account number wherever they can be read: files under instance/,
    the SQLite file itself (freed pages and WAL included), and a dump of the database."""
    found = []
    places = [path for path in Path(app.instance_path).rglob("*") if path.is_file()]
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        database = Path(url.removeprefix("sqlite:///"))
        places += [p for p in database.parent.glob(database.name + "*") if p.is_file()]
    for path in places:
        data = path.read_bytes()
        for secret in SECRETS:
            for encoded in {secret.encode("utf-8"), secret.encode("cp1251")}:
                if encoded in data:
                    found.append(f"{secret} in {path}")
    dump = _database_dump(session)
    found += [f"{secret} in the database" for secret in SECRETS if secret in dump]
    return found


def test_upload_abandon_expire_leaves_nothing_readable(app, client, session, auth, runner, bank, caplog):
    caplog.set_level(logging.DEBUG)
    auth.login("coordinator")
    first = _upload(client)
    assert first.status_code == 200
    assert PAYER in first.text  # shown to help the coordinator…
    assert "kept encrypted for this preview only, for at most 60 minutes" in first.text
    assert _previews(session) == 1
    # …and while the preview lives, only ciphertext is kept: nothing readable, not even with the
    # instance's keys alone (the page holds the other half of the key)
    assert _readable_anywhere(app, session) == []
    token = _hidden(first.text)["statement"]
    assert token not in _database_dump(session)
    # a backup taken meanwhile does not carry the preview at all
    backup = Path(app.instance_path).parent / "while-previewing.backup.gz"
    made = runner.invoke(args=["ledger", "backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert b"statement_previews" not in gzip.decompress(backup.read_bytes())
    # abandoned; its hour passes; the next request that touches previews deletes it
    _expire_all(session)
    late = client.post("/imports/bank/post", data={**_hidden(first.text), "row-1": "general"})
    assert late.status_code == 302
    assert _previews(session) == 0
    assert "This preview has expired" in client.get("/imports/bank").text
    # another abandoned preview, deleted by the scheduled clean-up instead
    assert _upload(client, "ru").status_code == 200
    _expire_all(session)
    cleaned = runner.invoke(args=["imports", "clean"])
    assert cleaned.exit_code == 0, cleaned.output
    assert "Deleted 1 expired statement preview(s)" in cleaned.output
    assert _previews(session) == 0
    # and by the pledge job that cron already runs
    assert _upload(client).status_code == 200
    _expire_all(session)
    job = runner.invoke(args=["pledges", "update"])
    assert job.exit_code == 0, job.output
    assert "1 expired statement previews deleted" in job.output
    assert _previews(session) == 0
    assert _readable_anywhere(app, session) == []
    # nothing went to the logs or the audit log either
    assert not [secret for secret in SECRETS if secret in caplog.text]
    audit = " ".join(str(v) for row in session.execute(text("SELECT * FROM audit_events")) for v in row)
    assert not [secret for secret in SECRETS if secret in audit]


def test_cancel_deletes_the_statement_and_post_deletes_it_too(app, client, session, auth, bank):
    auth.login("coordinator")
    page = _upload(client, "ru")
    assert page.status_code == 200
    assert "не дольше 60 минут" in page.text
    assert "Отменить и удалить файл" in page.text
    hidden = _hidden(page.text)
    cancelled = client.post("/imports/bank/cancel", data={"statement": hidden["statement"]})
    assert cancelled.status_code == 303
    assert _previews(session) == 0
    after = client.post("/imports/bank/post", data={**hidden, "row-1": "general"}, follow_redirects=True)
    assert "This preview has expired" in after.text
    assert "0 donations" not in after.text
    # a preview that is posted is deleted with the post
    page = _upload(client)
    posted = client.post(
        "/imports/bank/post", data={**_hidden(page.text), "row-1": "general", "row-2": "general"}
    )
    assert posted.status_code == 200
    assert "2 donations recorded" in posted.text
    assert _previews(session) == 0
    assert _readable_anywhere(app, session) == []


def test_upload_page_says_what_is_kept_in_both_languages(client, auth, bank):
    auth.login("coordinator")
    english = client.get("/imports/bank").text
    assert "The file is kept only while its preview lasts (at most 60 minutes), encrypted" in english
    russian = client.get("/imports/bank", headers={"Accept-Language": "ru"}).text
    assert "не дольше 60 минут" in russian


def test_old_plain_statement_files_are_removed(app, runner):
    folder = Path(app.instance_path) / "imports"
    folder.mkdir()
    (folder / ("ab" * 32 + ".csv")).write_text(CSV)
    result = runner.invoke(args=["imports", "clean"])
    assert result.exit_code == 0, result.output
    assert "1 old statement file(s)" in result.output
    assert list(folder.iterdir()) == []


def test_expire_statement_previews_keeps_live_ones_and_needs_the_token(session):
    key = b"instance-import-key"
    now = utcnow()
    old = keep_statement(session, CSV.encode(), key=key, lifetime=timedelta(minutes=5), now=now)
    live = keep_statement(session, CSV.encode(), key=key, lifetime=timedelta(hours=1), now=now)
    session.commit()
    assert open_statement(session, live, key=key, now=now) == CSV.encode()
    assert expire_statement_previews(session, now + timedelta(minutes=10)) == 1
    session.commit()
    with pytest.raises(Exception, match="import_expired"):
        open_statement(session, old, key=key, now=now)
    # the right token under another instance key opens nothing; a guessed token finds nothing
    with pytest.raises(Exception, match="import_expired"):
        open_statement(session, live, key=b"another-key", now=now)
    with pytest.raises(Exception, match="import_expired"):
        open_statement(session, live[:-2] + "xx", key=key, now=now)
    assert open_statement(session, live, key=key, now=now) == CSV.encode()
