"""Logs: one line per event, as text or as one JSON object a line (PONTE_LOG_FORMAT=json), with Telegram ids
and never a person's name."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from telegram import Update

from bot.config.logs import JsonFormatter, TextFormatter
from bot.config.settings import Settings, SettingsError
from handlers.context import PonteContext
from handlers.errors import report_error
from tests.conftest import TEST_TOKEN
from tests.harness import Harness

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import logging
from bot.config.settings import Settings
Settings.from_env().configure_logging()
log = logging.getLogger("ponte.test")
log.info("sent %s messages", 3, extra={"batch": "broadcast:7"})
try:
    {}["missing"]
except KeyError:
    log.exception("could not do it", extra={"update_id": 42})
"""


def _run(log_format: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")} | {"PONTE_TOKEN": TEST_TOKEN}
    if log_format:
        env["PONTE_LOG_FORMAT"] = log_format
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


def test_json_logs_are_one_object_a_line() -> None:
    first, second = _run("json")
    info, error = json.loads(first), json.loads(second)
    assert info["level"] == "INFO" and info["logger"] == "ponte.test" and info["message"] == "sent 3 messages"
    assert info["batch"] == "broadcast:7" and info["time"].endswith("+00:00")
    assert error["level"] == "ERROR" and error["update_id"] == 42
    assert error["exception"].startswith("Traceback") and "KeyError: 'missing'" in error["exception"]


def test_text_logs_are_one_line_an_event_too() -> None:
    first, second = _run(None)
    assert first.endswith(" INFO ponte.test: sent 3 messages batch=broadcast:7")
    assert " ERROR ponte.test: could not do it update_id=42 | Traceback (most recent call last): | " in second
    assert second.endswith("KeyError: 'missing'")


def test_the_format_is_checked() -> None:
    settings = Settings.from_env({"PONTE_TOKEN": TEST_TOKEN, "PONTE_LOG_FORMAT": "JSON"}, env_file=None)
    assert settings.log_format == "json"
    with pytest.raises(SettingsError, match="PONTE_LOG_FORMAT"):
        Settings.from_env({"PONTE_TOKEN": TEST_TOKEN, "PONTE_LOG_FORMAT": "xml"}, env_file=None)


async def test_an_error_is_logged_with_ids_and_no_names(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    bot.person(1001, "Giulia", last_name="Rossi", username="giulia_torino")
    update = Update.de_json(bot.telegram.text_update(1001, "/agenda"), bot.app.bot)
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        context = PonteContext.from_error(update, error, bot.app)
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        await report_error(update, context)
    record = next(r for r in caplog.records if r.name == "handlers.errors")
    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(record)
        assert "\n" not in line and "Giulia" not in line and "Rossi" not in line and "giulia_torino" not in line
    entry = json.loads(JsonFormatter().format(record))
    assert entry["update_id"] == update.update_id and entry["person"] == 1001
