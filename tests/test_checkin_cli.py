"""``ponte checkin qr SLUG --out FILE``: the PNG of an event's check-in code from the command line, offline
with PONTE_BOT_USERNAME, or asking Telegram's getMe with the token."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config.clock import FixedClock
from bot.config.settings import Settings, SettingsError
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import parse_agenda
from bot.render.checkins import qr_png
from bot.render.i18n import translator
from bot.standin import FakeTelegram
from bot.standin.server import serve
from storage import Database
from tests.conftest import BEFORE_THE_WEEK
from tests.harness import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:CHECK-IN-abcdefghijklmnopqrstuvwxyz"


async def _load(db_path: Path) -> None:
    db = await Database.open(db_path)
    await Agenda(db, FixedClock(BEFORE_THE_WEEK), lambda: None).apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
    await db.close()


def _token(db_path: Path, slug: str) -> str:
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT token FROM checkin_code JOIN event ON event.id = event_id WHERE slug = ?",
                                  (slug,)).fetchone()[0]


def test_the_png_is_written_offline_with_the_bot_username_setting(tmp_path: Path, capsys) -> None:
    from bot.cli.checkin import checkin_qr

    db_path = tmp_path / "ponte.db"
    asyncio.run(_load(db_path))
    settings = Settings.from_env({"PONTE_DB": str(db_path), "PONTE_BOT_USERNAME": "@ponte_bot"}, env_file=None,
                                 require_token=False)
    out = tmp_path / "door.png"
    assert checkin_qr(settings, translator("it"), "Strategies", out) == 0
    link = f"https://t.me/ponte_bot?start=c_{_token(db_path, 'strategies')}"
    assert out.read_bytes() == qr_png(link)
    assert capsys.readouterr().out == f"Il codice QR per le presenze di strategies ({link}) è in {out}.\n"
    # The same code the second time (and for the bot's button: one code per event).
    assert checkin_qr(settings, translator("en"), "strategies", tmp_path / "again.png") == 0
    assert (tmp_path / "again.png").read_bytes() == out.read_bytes()


def test_mistakes_get_one_line_and_write_nothing(tmp_path: Path, capsys) -> None:
    from bot.cli.checkin import checkin_qr

    db_path = tmp_path / "ponte.db"
    t = translator("en")
    offline = Settings.from_env({"PONTE_DB": str(db_path), "PONTE_BOT_USERNAME": "ponte_bot"}, env_file=None,
                                require_token=False)
    assert checkin_qr(offline, t, "strategies", tmp_path / "x.png") == 1
    assert "There is no database at" in capsys.readouterr().err and not db_path.exists()
    asyncio.run(_load(db_path))
    assert checkin_qr(offline, t, "no-such-event", tmp_path / "x.png") == 1
    assert capsys.readouterr().err == "There is no event with the code no-such-event.\n"
    assert checkin_qr(offline, t, "strategies", tmp_path / "missing" / "x.png") == 1
    assert "the folder" in capsys.readouterr().err
    nameless = Settings.from_env({"PONTE_DB": str(db_path)}, env_file=None, require_token=False)
    assert checkin_qr(nameless, t, "strategies", tmp_path / "x.png") == 2
    assert "set PONTE_BOT_USERNAME" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM checkin_code").fetchone() == (0,)


@pytest.mark.parametrize("value", ["ponte", "ponte_robot_", "1ponte_bot", "ponte-bot", "a" * 30 + "bot"])
def test_a_malformed_bot_username_is_refused(value: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"PONTE_BOT_USERNAME": value}, env_file=None, require_token=False)
    assert "PONTE_BOT_USERNAME" in str(error.value)


async def test_without_the_setting_it_asks_telegram_for_the_username(tmp_path: Path) -> None:
    db_path = tmp_path / "ponte.db"
    await _load(db_path)
    telegram = FakeTelegram(username="ponte_door_bot", token=TOKEN)
    runner, port = await serve(telegram)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "LC_"))} | {
        "LANG": "en_US.UTF-8", "PONTE_DB": str(db_path), "PONTE_TOKEN": TOKEN,
        "PONTE_API_URL": f"http://127.0.0.1:{port}/bot"}
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "checkin", "qr", "collaborative-services", "--out", "door.png",
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        async with asyncio.timeout(60):
            out, err = await process.communicate()
    finally:
        await runner.cleanup()
    assert process.returncode == 0, err.decode()
    link = re.search(r"https://t\.me/ponte_door_bot\?start=c_[A-Za-z0-9]{22}", out.decode()).group(0)
    assert (tmp_path / "door.png").read_bytes() == qr_png(link)
    assert [call.method for call in telegram.calls] == ["getMe"]
