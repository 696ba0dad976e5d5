"""The journal filter and the receipts report choose a prisoner by name (in the reader's
script), never by typing an internal id; a value no prisoner has is a clear error, and the
JSON API says the same — from an empty database, through the pages."""

import io
import re

from tests.factories import minimal_pdf
from tests.helpers import bearer

PRISONERS = (
    {"slug": "oleg-s", "name": "Олег С.", "name_latin": "Oleg S."},
    {"slug": "vera-k", "name": "Вера К.", "name_latin": "Vera K."},
)


def _setup(client, auth):
    auth.login("admin")
    client.post("/admin/accounts", data={"name": "assets:bank:rub-main", "currency": "RUB", "label": "RUB"})
    auth.logout()
    auth.login("coordinator")
    for prisoner in PRISONERS:
        made = client.post(
            "/manage/prisoners/new", data={**prisoner, "status": "sentenced", "need_currency": "RUB"}
        )
        assert made.status_code == 302, made.text
        gift = client.post(
            "/donations/new",
            data={
                "fund": prisoner["slug"],
                "amount": "1000",
                "currency": "RUB",
                "method": "bank",
                "asset": "assets:bank:rub-main",
                "received_on": "2026-03-01",
            },
        )
        assert gift.status_code == 302, gift.text
        spent = client.post(
            "/disbursements/new",
            data={
                "prisoner": prisoner["slug"],
                "amount": "100",
                "currency": "RUB",
                "category": "food",
                "paid_from": "assets:bank:rub-main",
                "spent_on": "2026-03-02",
            },
        )
        assert spent.status_code == 302, spent.text
        entry_id = int(re.search(r"/entries/(\d+)", spent.headers["Location"]).group(1))
        attached = client.post(
            f"/entries/{entry_id}/receipts",
            data={"file": (io.BytesIO(minimal_pdf()), "check.pdf")},
            content_type="multipart/form-data",
        )
        assert attached.status_code == 302
    auth.logout()
    auth.login("auditor")


def _picker(page: str) -> list[tuple[str, str]]:
    body = re.search(r'<select name="prisoner">(.*?)</select>', page, re.S)
    assert body, "no prisoner picker"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body.group(1))


def test_journal_and_receipts_pick_prisoners_by_name(client, auth, tokens):
    _setup(client, auth)
    for path in ("/reports/journal", "/reports/receipts"):
        page = client.get(path).text
        assert not re.search(r'<input[^>]*name="prisoner"', page)  # no id or slug to type
        assert _picker(page) == [("", "all prisoners"), ("oleg-s", "Oleg S."), ("vera-k", "Vera K.")]
        russian = client.get(path, headers={"Accept-Language": "ru"}).text
        assert _picker(russian)[1:] == [("vera-k", "Вера К."), ("oleg-s", "Олег С.")]

    journal = client.get("/reports/journal?prisoner=vera-k").text
    assert "2 entries match" in journal
    assert 'value="vera-k" selected' in journal
    receipts = client.get("/reports/receipts?prisoner=vera-k").text
    assert "1 receipt." in receipts
    assert 'href="/prisoners/vera-k">Vera K.</a>' in receipts
    assert "Oleg S.</a>" not in receipts
    assert "2 receipts." in client.get("/reports/receipts").text

    for path in ("/reports/journal?prisoner=5", "/reports/receipts?prisoner=5"):
        page = client.get(path)
        assert page.status_code == 200
        assert "No prisoner is recorded as “5”: choose one from the list." in page.text
        russian = client.get(path, headers={"Accept-Language": "ru"}).text
        assert "Заключённый «5» не записан" in russian
    assert "0 entries match" in client.get("/reports/journal?prisoner=5").text
    assert client.get("/reports/receipts.csv?prisoner=5").status_code == 400

    api = client.get("/api/v1/journal?prisoner=5", headers=bearer(tokens["auditor"]))
    assert api.status_code == 422
    assert api.json["error"]["code"] == "unknown_prisoner_filter"
    assert api.json["error"]["field"] == "prisoner"
    listed = client.get("/api/v1/reports/receipts?prisoner=oleg-s", headers=bearer(tokens["auditor"]))
    assert listed.status_code == 200
    assert [r["prisoner"] for r in listed.json["receipts"]] == ["oleg-s"]
    refused = client.get("/api/v1/reports/receipts?prisoner=nobody", headers=bearer(tokens["auditor"]))
    assert refused.status_code == 422
