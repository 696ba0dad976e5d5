"""Releases under the real disclosure rules (issue #26): the attacks of a reader holding
every release, replayed through the API, the CLI and the public pages.

Each test records gifts through the JSON API as a coordinator would, makes checkpoints
(the CLI, or the same code with a chosen date), and reads every public page, CSV, JSON
lines and API answer in both languages after each release."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from ledger.platform.database import utc_today
from tests.helpers import bearer, seal

SLUG = "anna-test"


@pytest.fixture
def real_rules(app):
    app.config.update(DISCLOSURE_MIN_GIFTS=5, DISCLOSURE_DOMINANCE_PERCENT=85)


@pytest.fixture
def org(app, client, tokens, real_rules):
    """A new organisation: a euro and a rouble account, a facility, one public prisoner."""
    admin, coordinator = bearer(tokens["admin"]), bearer(tokens["coordinator"])
    for name, currency in (("assets:bank:eur-main", "EUR"), ("assets:bank:rub-main", "RUB")):
        answer = client.post(
            "/api/v1/accounts", json={"name": name, "currency": currency, "label": name}, headers=admin
        )
        assert answer.status_code == 201, answer.get_json()
    assert client.post("/api/v1/facilities", json={"name": "SIZO-1"}, headers=coordinator).status_code == 201
    for slug, name in ((SLUG, "Анна Тестова"), ("boris-test", "Борис Тестов")):
        answer = client.post(
            "/api/v1/prisoners",
            json={"slug": slug, "name": name, "facility": "SIZO-1", "public": True},
            headers=coordinator,
        )
        assert answer.status_code == 201, answer.get_json()
    return coordinator


def give(client, headers, amount: str, currency: str = "EUR", *, on: date | None = None, slug=SLUG) -> int:
    body = {
        "prisoner": slug,
        "money": {"amount": amount, "currency": currency},
        "method": "bank",
        "asset": f"assets:bank:{currency.lower()}-main",
    }
    if on is not None:
        body["received_on"] = on.isoformat()
    answer = client.post("/api/v1/donations", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["entry"]["id"]


def spend(client, headers, amount: str, currency: str = "EUR", slug=SLUG):
    answer = client.post(
        "/api/v1/disbursements",
        json={
            "prisoner": slug,
            "money": {"amount": amount, "currency": currency},
            "category": "food",
            "paid_from": f"assets:bank:{currency.lower()}-main",
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.get_json()


def printed_forms(amount: str) -> list[str]:
    """Every way a page, a CSV or an answer could print ``amount``."""
    value = Decimal(amount)
    whole, fraction = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}"
    forms = {f"{value:.2f}", f"{grouped}.{fraction}", f"{whole},{fraction}", str(int(value * 100))}
    for space in (" ", "\xa0", "\u202f"):
        forms.add(grouped.replace(",", space) + "," + fraction)
    return sorted(forms)


PUBLIC_JSON = (
    "/api/v1/prisoners",
    f"/api/v1/prisoners/{SLUG}",
    f"/api/v1/prisoners/{SLUG}/report",
    "/api/v1/reports/balance-sheet",
    "/api/v1/prisoners/boris-test/report",
)


def public_outputs(app) -> dict[str, str]:
    """Every public page, download and API answer, in English and Russian."""
    anonymous = app.test_client()
    paths = [
        "/",
        f"/prisoners/{SLUG}",
        f"/prisoners/{SLUG}?chart=years",
        f"/prisoners/{SLUG}/report",
        f"/prisoners/{SLUG}/report.csv",
        "/prisoners/boris-test",
        "/open-books",
        "/open-books.csv",
        "/open-books.jsonl",
        "/reports/balance-sheet",
        "/checkpoints",
        "/api/v1/ledger/head",
        *PUBLIC_JSON,
    ]
    months = re.findall(r"month=(\d{4}-\d{2})", anonymous.get("/open-books").get_data(as_text=True))
    paths += [f"/open-books?month={month}" for month in sorted(set(months))]
    outputs = {}
    for language in ("en", "ru"):
        for path in paths:
            answer = anonymous.get(path, headers={"Accept-Language": language})
            assert answer.status_code == 200, path
            outputs[f"{language} {path}"] = answer.get_data(as_text=True)
    return outputs


def assert_nowhere(outputs: dict[str, str], amount: str) -> None:
    for where, text in outputs.items():
        for form in printed_forms(amount):
            assert form not in text, f"{form} is on {where}"


def figures(app) -> dict[str, Decimal]:
    """Every public amount of the JSON answers and the open books' latest figures, by path."""
    anonymous = app.test_client()
    found: dict[str, Decimal] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            if set(value) >= {"amount", "currency"} and isinstance(value["amount"], str):
                found[prefix] = Decimal(value["amount"])
                return
            for key, item in value.items():
                walk(f"{prefix}.{key}", item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{prefix}[{index}]", item)

    for path in PUBLIC_JSON:
        walk(path, anonymous.get(path).get_json())
    for line in anonymous.get("/open-books.jsonl").get_data(as_text=True).splitlines():
        document = json.loads(line)
        if document.get("type") == "figures":
            place = f"{document['place']}:{document.get('prisoner')}:{document['currency']}"
            found[f"figures {place} closing"] = Decimal(document["closing"])
    return found


def assert_no_difference_is(releases: list[dict[str, Decimal]], amount: str) -> None:
    """No figure of a later release differs from the same figure of an earlier one by the gift."""
    gift = Decimal(amount)
    for index, later in enumerate(releases):
        for earlier in releases[:index]:
            for path, value in later.items():
                if path in earlier:
                    assert abs(value - earlier[path]) != gift, f"{path} moved by {amount}"
            for path, value in later.items():  # a new figure equal to the gift
                if path not in earlier:
                    assert abs(value) != gift, f"{path} is {amount}"


def test_one_gift_in_a_month_is_published_nowhere_and_the_page_says_why(app, client, runner, org):
    give(client, org, "12345.67", "RUB")
    result = runner.invoke(args=["ledger", "checkpoint"])
    assert result.exit_code == 0, result.output
    outputs = public_outputs(app)
    assert_nowhere(outputs, "12345.67")
    assert "Fewer than 5 gifts have come since" in outputs[f"en /prisoners/{SLUG}"]
    assert "Пока пришло меньше 5 пожертвований" in outputs[f"ru /prisoners/{SLUG}"]
    # Four small gifts make five, but the first is most of their sum: they still wait.
    for amount in ("40.00", "55.00", "61.00", "70.00"):
        give(client, org, amount, "RUB")
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
    assert_nowhere(public_outputs(app), "12345.67")
    assert "One or two of the new gifts" in app.test_client().get(f"/prisoners/{SLUG}").get_data(as_text=True)
    # Gifts that no one or two dominate make a cell: published together, none of them alone.
    for amount in ("1500.00", "1600.00", "1700.00", "1800.00"):
        give(client, org, amount, "RUB")
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
    report = app.test_client().get(f"/api/v1/prisoners/{SLUG}/report").get_json()
    assert report["currencies"]["RUB"]["received"]["amount"] == "19171.67"
    assert "Fewer than" not in app.test_client().get(f"/prisoners/{SLUG}").get_data(as_text=True)


def test_a_dominant_gift_waits_for_enough_others(app, client, runner, org):
    for amount in ("5000.00", "4000.00", "10.00", "10.00", "10.00"):
        give(client, org, amount)
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
    outputs = public_outputs(app)
    assert_nowhere(outputs, "9030.00")
    assert_nowhere(outputs, "5000.00")
    page = outputs[f"en /prisoners/{SLUG}"]
    assert "would make most of their sum" in page


def test_a_back_dated_gift_never_changes_a_published_month(app, session, client, org):
    first = utc_today().replace(day=1)
    october = (first - timedelta(days=40)).replace(day=14)
    for index, amount in enumerate(("20.00", "30.00", "25.00", "35.00", "40.00")):
        give(client, org, amount, on=october + timedelta(days=index))
    seal(session, now=datetime.combine(october + timedelta(days=10), datetime.min.time()))
    seal(session, now=datetime.combine(first, datetime.min.time()))
    anonymous = app.test_client()
    month = f"?from={october.replace(day=1).isoformat()}&to={october.replace(day=28).isoformat()}"
    before_csv = anonymous.get("/open-books.csv").get_data(as_text=True)
    before = anonymous.get(f"/api/v1/prisoners/{SLUG}/report{month}").get_json()
    releases = [figures(app)]

    give(client, org, "173.00", on=october)  # recorded late, dated in a published month
    seal(session, now=datetime.combine(first + timedelta(days=1), datetime.min.time()))
    releases.append(figures(app))
    assert anonymous.get("/open-books.csv").get_data(as_text=True) == before_csv
    assert_nowhere(public_outputs(app), "173.00")

    for amount in ("11.00", "12.00", "13.00", "14.00"):
        give(client, org, amount)
    seal(session, now=datetime.combine(first + timedelta(days=2), datetime.min.time()))
    releases.append(figures(app))
    assert (
        anonymous.get(f"/api/v1/prisoners/{SLUG}/report{month}").get_json()["currencies"]
        == (before["currencies"])
    )
    after_csv = anonymous.get("/open-books.csv").get_data(as_text=True)
    october_lines = [line for line in before_csv.splitlines() if line.startswith(october.strftime("%Y-%m"))]
    assert october_lines
    assert all(line in after_csv for line in october_lines)
    assert_nowhere(public_outputs(app), "173.00")
    assert_no_difference_is(releases, "173.00")


def test_a_reversal_waits_like_a_gift_and_moves_no_figure_by_its_amount(app, session, client, org):
    entries = [
        give(client, org, amount) for amount in ("21.00", "22.00", "23.00", "24.00", "211.00", "26.00")
    ]
    seal(session)
    releases = [figures(app)]
    reversed_ = client.post(f"/api/v1/entries/{entries[4]}/reverse", json={"reason": "bounced"}, headers=org)
    assert reversed_.status_code == 201, reversed_.get_json()
    seal(session)
    releases.append(figures(app))
    assert releases[1] == releases[0]
    assert_no_difference_is(releases, "211.00")


def test_one_gift_between_two_daily_checkpoints_moves_nothing(app, session, client, runner, org):
    for amount in ("31.00", "32.00", "33.00", "34.00", "35.00"):
        give(client, org, amount)
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
    before_outputs = public_outputs(app)
    releases = [figures(app)]
    give(client, org, "137.00")
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
    releases.append(figures(app))
    assert releases[1] == releases[0]
    after_outputs = public_outputs(app)
    assert_nowhere(after_outputs, "137.00")
    # Only the checkpoint's own number, time and entry count tell that one was made.
    for where in (f"en /prisoners/{SLUG}/report.csv", "en /open-books.csv"):
        assert after_outputs[where] == before_outputs[where], where
    for where in ("en /api/v1/prisoners", f"en /api/v1/prisoners/{SLUG}/report"):
        before, after = json.loads(before_outputs[where]), json.loads(after_outputs[where])
        before.pop("as_of"), after.pop("as_of")
        assert after == before, where


def test_a_release_after_an_unpublished_gift_does_not_publish_the_move(app, session, client, org):
    for amount in ("41.00", "42.00", "43.00", "44.00", "45.00"):
        give(client, org, amount)
    seal(session)
    releases = [figures(app)]
    give(client, org, "61.00")
    answer = client.post(
        f"/api/v1/prisoners/{SLUG}/events",
        json={"type": "released", "on": utc_today().isoformat(), "fund_policy": "general"},
        headers=org,
    )
    assert answer.status_code == 201, answer.get_json()
    seal(session)
    releases.append(figures(app))
    outputs = public_outputs(app)
    assert_nowhere(outputs, "61.00")
    assert_nowhere(outputs, "276.00")  # the fund's live balance, moved to the general fund
    assert "the amount is published with the fund" in outputs[f"en /prisoners/{SLUG}"]
    assert_no_difference_is(releases, "61.00")
    assert_no_difference_is(releases, "276.00")


def test_spending_after_a_waiting_gift_waits_so_no_balance_is_below_zero(app, session, client, org):
    give(client, org, "100.00")
    spend(client, org, "60.00")  # paid from the one gift, which waits
    seal(session)
    anonymous = app.test_client()
    for line in anonymous.get("/open-books.jsonl").get_data(as_text=True).splitlines():
        document = json.loads(line)
        if document.get("type") == "figures":
            assert not document["closing"].startswith("-")
    prisoner = anonymous.get(f"/api/v1/prisoners/{SLUG}").get_json()["prisoner"]
    assert prisoner["balances"] == []
    assert_nowhere(public_outputs(app), "100.00")
    assert_nowhere(public_outputs(app), "40.00")


def test_staff_still_see_the_live_books(app, client, org, auth, runner):
    give(client, org, "12345.67", "RUB")
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
    auth.login("auditor")
    page = client.get(f"/prisoners/{SLUG}").get_data(as_text=True)
    assert "12,345.67" in page
    assert "Live books" in page


def _verify(app, tmp_path, runner, text: str, name: str):
    """``scripts/verify_export.py`` (as the public runs it, with the ledger's checkpoints)
    and ``ledger verify-export`` on the same file: (exit codes, outputs)."""
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    listed = tmp_path / "checkpoints.json"
    listed.write_text(app.test_client().get("/api/v1/checkpoints").get_data(as_text=True), encoding="utf-8")
    script = Path(__file__).resolve().parents[2] / "scripts" / "verify_export.py"
    public = subprocess.run(
        [sys.executable, str(script), str(path), "--checkpoints", str(listed)],
        capture_output=True,
        text=True,
        check=False,
    )
    cli = runner.invoke(args=["ledger", "verify-export", str(path)])
    return (public.returncode, cli.exit_code), public.stdout + public.stderr + cli.output


def test_the_public_can_verify_the_open_books_and_any_change_fails(
    app, session, client, runner, org, tmp_path
):
    for amount in ("51.00", "52.00", "53.00", "54.00", "55.00"):
        give(client, org, amount)
    spend(client, org, "30.00")
    seal(session)
    give(client, org, "56.00")
    spend(client, org, "20.00")
    seal(session)
    for amount in ("57.00", "58.00", "59.00", "60.00"):
        give(client, org, amount)
    seal(session)
    text = app.test_client().get("/open-books.jsonl").get_data(as_text=True)
    codes, output = _verify(app, tmp_path, runner, text, "open-books.jsonl")
    assert codes == (0, 0), output
    assert "OK: open books, 3 release(s)" in output

    lines = text.splitlines(keepends=True)
    food = next(i for i, line in enumerate(lines) if '"kind":"spending"' in line)
    edited = lines[:food] + [lines[food].replace("-30.00", "-3.00")] + lines[food + 1 :]
    codes, output = _verify(app, tmp_path, runner, "".join(edited), "edited.jsonl")
    assert codes == (1, 1), output
    assert "a published line was changed, added or removed" in output
    removed = lines[:food] + lines[food + 1 :]
    codes, output = _verify(app, tmp_path, runner, "".join(removed), "removed.jsonl")
    assert codes == (1, 1), output
    second = [i for i, line in enumerate(lines) if line.startswith('{"checkpoint"')][1]
    third = [i for i, line in enumerate(lines) if line.startswith('{"checkpoint"')][2]
    without_release = lines[:second] + lines[third:]
    codes, output = _verify(app, tmp_path, runner, "".join(without_release), "gap.jsonl")
    assert codes == (1, 1), output
    assert "a release is missing" in output


def test_admins_see_which_funds_wait_and_why(app, client, runner, org, auth):
    give(client, org, "12345.67", "RUB")
    for amount in ("30.00", "31.00", "32.00", "33.00", "34.00"):
        give(client, org, amount, slug="boris-test")
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
    auth.login("admin")
    for language, words in (("en", "too few gifts"), ("ru", "слишком мало пожертвований")):
        page = client.get("/admin/checkpoints", headers={"Accept-Language": language}).get_data(as_text=True)
        assert "Анна Тестова" in page
        assert words in page
        assert "Борис Тестов" not in page  # published: nothing waits
