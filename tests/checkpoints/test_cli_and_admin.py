"""The commands and the admins' page: `ledger checkpoint [--if-due]`, `checkpoint-schedule`,
`rotate-key`, and /admin/checkpoints — all from an empty migrated database."""

from __future__ import annotations

from ledger.checkpoints.models import Checkpoint
from ledger.checkpoints.schedule import current_schedule
from ledger.checkpoints.verify import verify_everything


def test_checkpoint_commands_from_an_empty_database(runner, session):
    made = runner.invoke(args=["ledger", "checkpoint", "--if-due"])
    assert made.exit_code == 0
    assert "Checkpoint #1: 0 entries" in made.output
    again = runner.invoke(args=["ledger", "checkpoint", "--if-due"])
    assert again.exit_code == 0
    assert "none made" in again.output
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0  # by hand: always
    assert session.query(Checkpoint).count() == 2

    assert runner.invoke(args=["ledger", "checkpoint-schedule"]).output.strip() == "daily"
    assert runner.invoke(args=["ledger", "checkpoint-schedule", "monthly"]).exit_code == 0
    session.rollback()
    assert current_schedule(session) == "monthly"
    assert runner.invoke(args=["ledger", "checkpoint-schedule", "hourly"]).exit_code != 0

    rotated = runner.invoke(args=["ledger", "rotate-key"])
    assert rotated.exit_code == 0
    assert "signed by both keys" in rotated.output
    session.rollback()
    assert len({c.public_key for c in session.query(Checkpoint)}) == 2
    assert verify_everything(session).ok
    verified = runner.invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0, verified.output


def test_a_bad_key_in_the_environment_is_a_clear_error_and_writes_nothing(app, runner, session):
    app.config["LEDGER_SIGNING_KEY"] = "not-a-key"
    result = runner.invoke(args=["ledger", "checkpoint"])
    assert result.exit_code == 1
    assert "not an Ed25519 private key" in result.output
    refused = runner.invoke(args=["ledger", "rotate-key"])
    assert refused.exit_code == 1
    assert "LEDGER_SIGNING_KEY" in refused.output
    session.rollback()
    assert session.query(Checkpoint).count() == 0


def test_admins_choose_the_schedule_and_make_a_checkpoint_on_their_page(client, auth, session):
    auth.login("admin")
    page = client.get("/admin/checkpoints")
    assert page.status_code == 200
    assert "Make a checkpoint now" in page.get_data(as_text=True)
    assert client.post("/admin/checkpoints/schedule", data={"every": "weekly"}).status_code == 302
    assert client.post("/admin/checkpoints/schedule", data={"every": "hourly"}).status_code == 400
    assert client.post("/admin/checkpoints", data={}).status_code == 302
    session.rollback()
    assert current_schedule(session) == "weekly"
    assert session.query(Checkpoint).count() == 1
    public = client.get("/checkpoints").get_data(as_text=True)
    assert "every week" in public
    assert session.query(Checkpoint).one().key_id in public
    ru = client.application.test_client().get("/checkpoints", headers={"Accept-Language": "ru"})
    assert "Подписанные контрольные точки" in ru.get_data(as_text=True)
    assert "еженедельно" in ru.get_data(as_text=True)
