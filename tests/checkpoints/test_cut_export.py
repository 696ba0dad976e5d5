"""A full journal export with its last entries cut off fails when a signed checkpoint covers
them, in the auditors' script and in ``ledger verify-export`` (issue #26): the checkpoint is
the ledger's signed word that those entries exist. An untouched export passes, and so does
one that ends after the latest checkpoint (a download made before the newest entries)."""

from __future__ import annotations

import pytest

from tests.checkpoints.test_tamper import _download, run_script
from tests.helpers import seal


@pytest.fixture
def journal_of_15(session, create_prisoner, create_donation):
    """Entries 1–5 sealed by checkpoint #1, 6–14 by #2, entry 15 not sealed."""
    prisoner = create_prisoner()
    for number in range(1, 16):
        create_donation(prisoner, f"{number}.00")
        session.commit()
        if number in (5, 14):
            seal(session)
            session.commit()
    session.close()


def _cut(journal, tmp_path, drop: int):
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 15
    cut = tmp_path / f"cut-{drop}.jsonl"
    cut.write_text("".join(lines[: len(lines) - drop]), encoding="utf-8")
    return cut


def test_an_untouched_export_passes(app, client, runner, journal_of_15, tmp_path):
    journal, checkpoints = _download(runner, client, tmp_path)
    result = run_script(journal, "--checkpoints", checkpoints)
    assert result.returncode == 0, result.stderr
    assert "OK: 15 entries" in result.stdout
    cli = runner.invoke(args=["ledger", "verify-export", str(journal)])
    assert cli.exit_code == 0, cli.output


@pytest.mark.parametrize(("drop", "missing"), [(3, "entries 13–14"), (12, "entries 4–14")])
def test_an_export_cut_short_of_a_checkpoint_fails(
    app, client, runner, journal_of_15, tmp_path, drop, missing
):
    journal, checkpoints = _download(runner, client, tmp_path)
    cut = _cut(journal, tmp_path, drop)
    result = run_script(cut, "--checkpoints", checkpoints)
    assert result.returncode == 1, result.stdout
    assert "FAILED" in result.stderr
    assert "checkpoint #2" in result.stderr
    assert missing in result.stderr
    assert "OK" not in result.stdout
    cli = runner.invoke(args=["ledger", "verify-export", str(cut)])
    assert cli.exit_code == 1, cli.output
    assert "checkpoint #2" in cli.output
    assert missing in cli.output
    if drop == 12:  # entries 1–3 are left: checkpoint #1 (entries 1–5) is missing two too
        assert "checkpoint #1" in result.stderr


def test_an_export_that_ends_after_the_latest_checkpoint_passes(app, client, runner, journal_of_15, tmp_path):
    journal, checkpoints = _download(runner, client, tmp_path)
    earlier = _cut(journal, tmp_path, 1)  # entry 15 is sealed by no checkpoint
    result = run_script(earlier, "--checkpoints", checkpoints)
    assert result.returncode == 0, result.stderr
    cli = runner.invoke(args=["ledger", "verify-export", str(earlier)])
    assert cli.exit_code == 0, cli.output
