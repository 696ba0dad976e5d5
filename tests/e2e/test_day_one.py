"""Day one of a real organisation, as its people would do it: from an empty migrated database,
through the CLI (real ``flask --app wsgi`` processes) and the JSON API of a real server only —
no demo data, no direct database writes — to a correct public report, a verified ledger and
hledger agreeing on the prisoner's fund."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import requests

from tests.api.live_server import LiveServer
from tests.helpers import PASSWORD, POSTGRES_URL

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="runs once, in the SQLite suite")

SLUG = "ivan-petrov"
FUND = f"liabilities:funds:prisoner:{SLUG}"


class Api:
    def __init__(self, server: LiveServer, token: str | None = None) -> None:
        self.server = server
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, expected: int = 200, **params):
        response = requests.get(self.server.api + path, headers=self.headers, params=params, timeout=30)
        assert response.status_code == expected, (path, response.text, self.server.log()[-3000:])
        return response.json()

    def post(self, path: str, body: dict, expected: int = 201):
        response = requests.post(self.server.api + path, json=body, headers=self.headers, timeout=30)
        assert response.status_code == expected, (path, response.text, self.server.log()[-3000:])
        return response.json()


def _money(amount: str, currency: str) -> dict:
    return {"amount": amount, "currency": currency}


@pytest.fixture
def server(tmp_path):
    server = LiveServer(tmp_path)
    yield server
    server.stop()


def test_an_organisation_sets_itself_up_and_publishes_a_correct_report(server, tmp_path):
    if shutil.which("hledger") is None:
        pytest.skip("hledger not installed (make system-packages installs it)")
    # 1. An empty database, migrated; the first admin and the two bank accounts.
    server.flask("db", "upgrade")
    setup = server.flask(
        "setup",
        "--admin-email",
        "admin@example.org",
        "--account",
        "assets:bank:eur-main=EUR",
        "--account",
        "assets:bank:rub-main=RUB",
        stdin=PASSWORD + "\n",
    )
    assert "admin@example.org" in setup.stdout
    assert "users create" in setup.stdout
    again = server.flask("setup", "--admin-email", "other@example.org", stdin=PASSWORD + "\n", check=False)
    assert again.returncode == 1  # the first run happens once

    # 2. A coordinator and an auditor; a token for each of the three.
    tokens = {}
    for role in ("admin", "coordinator", "auditor"):
        email = f"{role}@example.org"
        if role != "admin":
            server.flask("users", "create", email, "--role", role, stdin=PASSWORD + "\n")
        tokens[role] = server.flask("tokens", "create", email).stdout.strip()
    listed = server.flask("accounts", "list").stdout
    assert "assets:bank:eur-main" in listed
    assert "assets:bank:rub-main" in listed

    server.start()
    admin, coordinator, auditor = (Api(server, tokens[r]) for r in ("admin", "coordinator", "auditor"))
    public = Api(server)
    accounts = {a["name"]: a for a in auditor.get("/accounts")["accounts"]}
    assert accounts["assets:bank:eur-main"]["currency"] == "EUR"
    assert accounts["assets:bank:rub-main"]["currency"] == "RUB"
    assert accounts["assets:bank:rub-main"]["label_ru"] == "Банковский счёт RUB"

    # 3. A facility and a prisoner held there.
    facility = coordinator.post("/facilities", {"name": "SIZO-1", "address": "Moscow", "region": "Moscow"})
    coordinator.post(
        "/prisoners",
        {
            "slug": SLUG,
            "name": "Иван Петров",
            "name_latin": "Ivan Petrov",
            "facility": "SIZO-1",
            "status": "awaiting_trial",
            "public": True,
            "monthly_need": _money("15000.00", "RUB"),
        },
    )
    assert public.get(f"/prisoners/{SLUG}")["prisoner"]["facility"] == facility["facility"]["name"]

    # 3b. The euro account's details for donors, from the CLI; a donor pledges a transfer.
    pledge = {"prisoner": SLUG, "money": _money("30.00", "EUR"), "frequency": "monthly"}
    assert public.post("/public-pledges", pledge, expected=422)["error"]["code"] == "no_bank_details"
    details = {
        "en": "IBAN: DE00 0000 0000 0000 0000 00\nBIC: TESTDEFFXXX",
        "ru": "IBAN: DE00 0000 0000 0000 0000 00",
    }
    for language, text in details.items():
        (tmp_path / f"details-{language}.txt").write_text(text + "\n", encoding="utf-8")
    server.flask(
        "bank-details",
        "set",
        "EUR",
        "--en",
        str(tmp_path / "details-en.txt"),
        "--ru",
        str(tmp_path / "details-ru.txt"),
    )
    pledged = public.post("/public-pledges", pledge)
    assert pledged["bank_details"] == {"currency": "EUR", "text": details["en"]}
    assert pledged["pledge"]["reference"].startswith("SL-")

    # 4. A bank gift in EUR; roubles into the euro account are refused and nothing is written.
    head = public.get("/ledger/head")
    refused = coordinator.post(
        "/donations",
        {
            "prisoner": SLUG,
            "money": _money("500.00", "RUB"),
            "method": "bank",
            "asset": "assets:bank:eur-main",
        },
        expected=422,
    )
    assert refused["error"]["code"] == "currency_mismatch"
    assert public.get("/ledger/head") == head
    # Five gifts of 100.00: the public sees gifts only in cells of at least five (docs/privacy.md).
    for _gift in range(5):
        coordinator.post(
            "/donations",
            {
                "prisoner": SLUG,
                "money": _money("100.00", "EUR"),
                "method": "bank",
                "asset": "assets:bank:eur-main",
            },
        )

    # 5. The bank exchanges 200 EUR into roubles, and the prisoner's fund converts the same.
    exchange = {"from": _money("200.00", "EUR"), "to": _money("19680.00", "RUB"), "rate": "98.40"}
    coordinator.post(
        "/conversions",
        {**exchange, "from_account": "assets:bank:eur-main", "to_account": "assets:bank:rub-main"},
    )
    coordinator.post("/conversions", {**exchange, "fund": SLUG})

    # 6. Food bought for him, paid from the rouble account.
    coordinator.post(
        "/disbursements",
        {
            "prisoner": SLUG,
            "money": _money("3000.00", "RUB"),
            "category": "food",
            "paid_from": "assets:bank:rub-main",
            "memo": "Чай, сахар, крупа",
        },
    )

    # 7. His balances and the public report, as of the checkpoint that seals them.
    sealed = server.flask("ledger", "checkpoint")
    assert sealed.returncode == 0, sealed.stderr
    balances = public.get(f"/prisoners/{SLUG}")["prisoner"]["balances"]
    assert balances == [_money("300.00", "EUR"), _money("16680.00", "RUB")]
    report = public.get(f"/prisoners/{SLUG}/report")["currencies"]
    assert report["EUR"]["received"] == _money("500.00", "EUR")
    assert report["EUR"]["conversions_out"] == _money("200.00", "EUR")
    assert report["EUR"]["closing"] == _money("300.00", "EUR")
    assert report["RUB"]["conversions_in"] == _money("19680.00", "RUB")
    assert report["RUB"]["spent"]["food"] == _money("3000.00", "RUB")
    assert report["RUB"]["closing"] == _money("16680.00", "RUB")
    page = requests.get(f"{server.url}/prisoners/{SLUG}", timeout=30)
    assert page.status_code == 200
    assert "Ivan Petrov" in page.text
    sheet = public.get("/reports/balance-sheet")
    assert sheet["balanced"] is True
    trial = auditor.get("/reports/trial-balance")
    assert {line["account"] for line in trial["accounts"]} >= {
        FUND,
        "assets:bank:eur-main",
        "assets:bank:rub-main",
    }
    assert auditor.get("/journal")["total"] == 8  # five gifts, two conversions, the food
    bank = {a["name"]: a for a in admin.get("/accounts")["accounts"]}
    assert bank["assets:bank:eur-main"]["balance"] == [_money("300.00", "EUR")]
    assert bank["assets:bank:rub-main"]["balance"] == [_money("16680.00", "RUB")]

    # 8. The ledger verifies, and hledger agrees on the fund from the export.
    verified = server.flask("ledger", "verify")
    assert verified.stdout.startswith("OK: 8 entries")
    journal = server.directory / "books.journal"
    server.flask("ledger", "export", "--format", "hledger", "--output", str(journal))
    check = subprocess.run(["hledger", "-f", str(journal), "check", "-s"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    fund = subprocess.run(
        ["hledger", "-f", str(journal), "balance", f"^{FUND}$", "-N", "--layout=bare", "-O", "csv"],
        capture_output=True,
        text=True,
    )
    assert fund.returncode == 0, fund.stderr
    rows = {tuple(line.strip('"').split('","')) for line in fund.stdout.splitlines()[1:]}
    assert rows == {(FUND, "EUR", "-300.00"), (FUND, "RUB", "-16680.00")}, fund.stdout
