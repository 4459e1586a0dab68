"""Settings come from PONTE_* variables and .env; a mistake stops start-up with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config.settings import DEFAULT_API_URL, Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent
# Fake tokens of the real shape: digits, a colon, 35 characters of A-Za-z0-9_-.
TOKEN = "123:abc-abcdefghijklmnopqrstuvwxyz01234"
FROM_FILE = "1:fromfile-abcdefghijklmnopqrstuvwxyz"


def test_defaults_and_values() -> None:
    settings = Settings.from_env({"PONTE_TOKEN": TOKEN}, env_file=None)
    assert (settings.api_url, settings.db_path.name, settings.timezone) == (DEFAULT_API_URL, "ponte.db", "Europe/Rome")
    settings = Settings.from_env({"PONTE_TOKEN": TOKEN, "PONTE_ADMINS": "1, 2,3", "PONTE_LOG_LEVEL": "debug",
                                  "PONTE_API_URL": "http://127.0.0.1:8081/bot", "PONTE_DB": "/tmp/x.db"},
                                 env_file=None)
    assert settings.admins == frozenset({1, 2, 3}) and settings.log_level == "DEBUG"
    assert settings.api_url == "http://127.0.0.1:8081/bot" and str(settings.db_path) == "/tmp/x.db"
    assert settings.coordinators == frozenset()
    settings = Settings.from_env({"PONTE_TOKEN": TOKEN, "PONTE_COORDINATORS": "7,8 "}, env_file=None)
    assert settings.coordinators == frozenset({7, 8})


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"PONTE_TOKEN={FROM_FILE}\nPONTE_TIMEZONE=America/New_York\n")
    settings = Settings.from_env({"PONTE_TIMEZONE": "Europe/Rome"}, env_file=env)
    assert settings.token == FROM_FILE and settings.timezone == "Europe/Rome"


@pytest.mark.parametrize(("environ", "named"), [
    ({}, "PONTE_TOKEN"),
    ({"PONTE_TOKEN": "no colon"}, "PONTE_TOKEN"),
    ({"PONTE_TOKEN": TOKEN, "PONTE_ADMINS": "12,bob"}, "PONTE_ADMINS"),
    ({"PONTE_TOKEN": TOKEN, "PONTE_COORDINATORS": "12;13"}, "PONTE_COORDINATORS"),
    ({"PONTE_TOKEN": TOKEN, "PONTE_TIMEZONE": "Europe/Torino"}, "PONTE_TIMEZONE"),
    ({"PONTE_TOKEN": TOKEN, "PONTE_API_URL": "api.telegram.org"}, "PONTE_API_URL"),
    ({"PONTE_TOKEN": TOKEN, "PONTE_LOG_LEVEL": "loud"}, "PONTE_LOG_LEVEL"),
    ({"PONTE_TOKEN": TOKEN, "PONTE_INVITE_TTL": "a week"}, "PONTE_INVITE_TTL"),
    ({"PONTE_TOKEN": TOKEN, "PONTE_INVITE_TTL": "0d"}, "PONTE_INVITE_TTL"),
    ({"PONTE_TOKEN": TOKEN, "PONTE_INVITE_TTL": "400d"}, "PONTE_INVITE_TTL"),
])
def test_each_mistake_is_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(environ, env_file=None)


def test_run_without_token_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")} | {"LANG": "en_US.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "PONTE_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_speaks_italian_to_an_italian_terminal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")} | {"LANG": "it_IT.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith("Ponte non può partire")


@pytest.mark.parametrize("token", ["123456:", "123456:ABC", ":" + "A" * 35, "abc:" + "A" * 35, "123456:" + "A" * 34,
                                   "123456:" + "A" * 36, "123456:" + "A" * 34 + "!", "123456:" + "A" * 34 + " "])
def test_a_token_of_the_wrong_shape_is_refused(token: str) -> None:
    with pytest.raises(SettingsError, match="PONTE_TOKEN") as caught:
        Settings.from_env({"PONTE_TOKEN": token}, env_file=None)
    assert token.strip() not in str(caught.value) or not token.strip(), "the token is a secret: never repeat it"


def test_a_token_of_the_real_shape_is_accepted() -> None:
    for token in ("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_", "7:" + "-_" * 17 + "z"):
        assert Settings.from_env({"PONTE_TOKEN": token}, env_file=None).token == token


@pytest.mark.parametrize(("language", "start"), [("en_US.UTF-8", "Ponte cannot start: PONTE_TOKEN does not look like "
                                                                 "a bot token"),
                                                ("it_IT.UTF-8", "Ponte non può partire: PONTE_TOKEN non sembra il "
                                                                "token di un bot")])
@pytest.mark.parametrize("token", ["123456:", "123456:ABC"])
def test_run_with_a_malformed_token_exits_2_naming_it(tmp_path: Path, token: str, language: str, start: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")} | {"LANG": language,
                                                                                  "PONTE_TOKEN": token}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(start), result.stderr


def test_every_settings_mistake_is_said_in_italian(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")} | {"LANG": "it_IT.UTF-8"}
    for name, value, words in (("PONTE_ADMINS", "12,bob", "separati da virgole (bob non lo è)"),
                               ("PONTE_TIMEZONE", "Europe/Torino", "non è un fuso orario IANA conosciuto"),
                               ("PONTE_API_URL", "api.telegram.org", "deve iniziare con http://"),
                               ("PONTE_LOG_LEVEL", "loud", "deve essere uno tra")):
        result = subprocess.run([sys.executable, "-m", "bot", "agenda", "export"], cwd=tmp_path,
                                env=env | {name: value}, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and words in result.stderr and " got " not in result.stderr, result.stderr


def test_ponte_now_starts_the_clock_at_another_moment_and_lets_it_run() -> None:
    from datetime import UTC, datetime

    settings = Settings.from_env({"PONTE_NOW": "2027-01-18T08:30:00+01:00"}, env_file=None, require_token=False)
    clock = settings.clock()
    moment = clock.now()
    assert datetime(2027, 1, 18, 7, 30, tzinfo=UTC) <= moment < datetime(2027, 1, 18, 7, 31, tzinfo=UTC)
    for wrong in ("tomorrow", "2027-01-18T08:30:00"):  # a moment without its offset is ambiguous
        with pytest.raises(SettingsError, match="PONTE_NOW"):
            Settings.from_env({"PONTE_NOW": wrong}, env_file=None, require_token=False)


def test_invitations_last_a_week_unless_told() -> None:
    assert Settings.from_env({"PONTE_TOKEN": TOKEN}, env_file=None).invite_ttl == timedelta(days=7)
    assert Settings.from_env({"PONTE_TOKEN": TOKEN, "PONTE_INVITE_TTL": "48h"}, env_file=None).invite_ttl \
        == timedelta(hours=48)
