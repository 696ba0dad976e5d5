"""The benchmark in miniature: every phase runs and every cross-check holds (not a timing test)."""

import shutil

from bench.generate import Sizes
from bench.run import Options, run_backend
from tests.helpers import POSTGRES_URL


def test_quick_benchmark_runs_and_its_checks_pass(tmp_path, capsys):
    options = Options(
        sizes=Sizes(prisoners=10, years=2, postings=2000, seed=1),
        single=30,
        bulk=300,
        batch=100,
        reports=20,
        http=False,
        hledger=shutil.which("hledger") is not None,
        page_requests=1,
    )
    results = run_backend("smoke", POSTGRES_URL, options, tmp_path)
    printed = capsys.readouterr().out
    assert "FAILED" not in printed, printed  # a step that fails says so and the rest is skipped
    assert results["verify_ok"]
    assert results["tb_match"]
    assert results["postings"] >= 2000
    assert results["single_rate"] > 0
    assert results["bulk_rate"] > 0
    assert 0 < results["report_median_ms"] <= results["report_p95_ms"]
    if options.hledger:
        assert results["hledger_match"], printed
        assert results["verify_vs_hledger"] > 0, printed
        assert results["bean_check_ok"], printed
    assert all(
        results[f"export_{name}_mb_s"] > 0 for name in ("hledger", "beancount", "jsonl", "journal csv")
    )
    made = results["features"]  # bench/features.py, through the domain layer
    for kind in (
        "pledges",
        "donations",
        "approvals pending",
        "approvals approved",
        "approvals rejected",
        "transfers",
        "parcels",
        "parcels delivered",
        "parcels returned",
        "receipts",
        "released (keep)",
        "released (general)",
    ):
        assert made.get(kind, 0) > 0, (kind, made)
    assert sum(count for kind, count in made.items() if kind.startswith("pledges ")) == made["pledges"]
    assert made["checkpoints"] >= 3, made  # one a year, one on the journal, one after the features
    assert results["verify_ok"]  # after the features too
    assert not [page for page in results["pages"] if "skipped" in page], printed
    pages = [page for page in results["pages"] if "status" in page]
    assert pages, printed
    assert all(page["status"] < 500 for page in pages), printed
    by_endpoint = {page["endpoint"]: page["status"] for page in pages}
    for endpoint in (  # pages of one generated object: found, not 404
        "fundraising.pledge",
        "pledge_transfer.printable",
        "pledge_transfer.manage",
        "approvals.show",
        "api.show_approval",
        "lifecycle.parcel",
        "spending.receipt",
    ):
        assert by_endpoint.get(endpoint) == 200, (endpoint, by_endpoint.get(endpoint), printed)
    assert "[smoke] target:" in printed
