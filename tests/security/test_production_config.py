"""Production refuses to start without what a real organisation cannot do without: the
address donors use (every mail link starts with it), a persistent SECRET_KEY and a mail
server (or MAIL_DISABLED=1), one clear line for each (issue #30)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ("PUBLIC_BASE_URL", "SECRET_KEY", "MAIL_SERVER", "MAIL_DISABLED")


@pytest.fixture
def bare_environment(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


def test_production_without_settings_names_each_missing_one(make_app, tmp_path, bare_environment):
    with pytest.raises(ConfigurationError) as refusal:
        make_app("production", instance=tmp_path / "prod", PUBLIC_BASE_URL=None, MAIL_SERVER=None)
    lines = str(refusal.value.code).splitlines()
    assert len(lines) == 3
    assert all(line.startswith("Refusing to start: ") for line in lines)
    assert [line.split()[3] for line in lines] == ["PUBLIC_BASE_URL", "SECRET_KEY", "MAIL_SERVER"]
    assert not (tmp_path / "prod" / "secret_key").exists()  # no key made up on the fly


def test_production_starts_with_a_kept_key_file_and_mail_disabled(make_app, tmp_path, bare_environment):
    instance = tmp_path / "prod"
    instance.mkdir(mode=0o700)
    (instance / "secret_key").write_text("a-key-kept-in-the-instance-folder")
    app = make_app(
        "production", instance=instance, PUBLIC_BASE_URL="https://ledger.example.org", MAIL_DISABLED=True
    )
    assert app.config["SECRET_KEY"] == "a-key-kept-in-the-instance-folder"
    with pytest.raises(ConfigurationError) as refusal:
        make_app(
            "production", instance=instance, PUBLIC_BASE_URL="https://ledger.example.org", MAIL_SERVER=None
        )
    assert str(refusal.value.code).count("\n") == 0
    assert "MAIL_DISABLED=1" in str(refusal.value.code)


def test_the_production_command_line_prints_one_line_per_missing_setting(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in (*SETTINGS, "DATABASE_URL")}
    env.update(LEDGER_ENV="production", LEDGER_INSTANCE_PATH=str(tmp_path / "instance"), PUBLIC_BASE_URL="")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "routes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    refusals = [line for line in result.stderr.splitlines() if line.startswith("Refusing to start: ")]
    assert len(refusals) == 3, result.stderr
    assert "Traceback" not in result.stderr
