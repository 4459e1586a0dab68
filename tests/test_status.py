"""``ponte status``: the figures an operator wants at a glance, read from a live database without writing."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import CallbackContext

from bot.app.problems import record_problem, where
from bot.app.services import Services
from bot.cli.main import main
from bot.config.durations import DurationError, parse_duration
from bot.domain.notices import NoticeKind
from storage.migrations import MIGRATIONS
from storage.records import Audience, OutboxStatus
from tests.conftest import BEFORE_THE_WEEK, ORGANISER
from tests.harness import Harness


@pytest.fixture
def environment(services: Services, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PONTE_TOKEN", "PONTE_LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(services.settings.db_path.parent)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("PONTE_DB", str(services.settings.db_path))
    monkeypatch.setenv("PONTE_NOW", BEFORE_THE_WEEK.isoformat())
    monkeypatch.setenv("PONTE_TIMEZONE", "Europe/Rome")
    return services.settings.db_path


def _fail_in_a_journey() -> None:
    raise KeyError("a person's words would be here")


async def _a_busy_day(services: Services, bot: Harness) -> int:
    """Three people (one blocked the bot, one never consented), the agenda, messages in every state, a
    broadcast going out, one update not handled yet, and an error of the running bot."""
    await bot.load_example()
    for person in (1, 2):
        await services.people.consent(person, f"Person {person}", "it")
    await services.people.blocked_us(2)
    now = services.clock.now()
    async with services.db.transaction() as tx:
        # Someone who opened the bot and has not agreed yet.
        await tx.connection.execute("INSERT INTO participant (telegram_id, created_at, updated_at) "
                                    "VALUES (3, '2027-01-01 10:00:00', '2027-01-01 10:00:00')")
        for number, status in enumerate((OutboxStatus.PENDING, OutboxStatus.PENDING, OutboxStatus.SENDING,
                                         OutboxStatus.FAILED, OutboxStatus.UNCERTAIN, OutboxStatus.SENT)):
            await tx.outbox.add(1, NoticeKind.REMINDER, due_at=now + timedelta(minutes=number), now=now,
                                dedupe_key=f"row-{number}")
            if status is not OutboxStatus.PENDING:
                await tx.connection.execute(
                    "UPDATE outbox SET status = ?, last_error = ? WHERE dedupe_key = ?",
                    (str(status), "Bad Request: chat not found\n(twice)" if status is OutboxStatus.FAILED else None,
                     f"row-{number}"))
        draft = await tx.broadcasts.create_draft(ORGANISER, Audience.EVERYONE, None, None, now)
        await tx.broadcasts.start_sending(draft, audience_size=2, blocked_before=0, progress_chat_id=None,
                                          progress_message_id=None, now=now)
        await tx.inbox.store([(7001, "{}"), (7002, "{}")], now)
        await tx.inbox.mark_handled([7001], now)
    update = Update.de_json(bot.telegram.text_update(1, "/agenda"), bot.app.bot)
    try:
        _fail_in_a_journey()
    except KeyError as error:
        await record_problem(update, CallbackContext.from_error(update, error, bot.app))
    return update.update_id


async def test_status_of_a_live_database(services: Services, environment: Path, capsys) -> None:
    async with Harness(services) as bot:
        bot.person(1, "Giulia")
        update_id = await _a_busy_day(services, bot)
        # The bot's own connection stays open: status reads beside it.
        assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    known = len(MIGRATIONS)
    failing_line = _fail_in_a_journey.__code__.co_firstlineno + 1
    assert lines == [
        f"database file: {environment}",
        f"schema version: {known} (this Ponte knows up to {known})",
        "people: 3",
        "  agreed to the privacy notice: 2",
        "  have blocked the bot: 1",
        "events to come or under way: 8",
        "events over: 0",
        "events canceled: 0",
        "messages waiting to go: 2",
        "messages being sent: 1",
        "messages failed: 1",
        "messages uncertain after a crash: 1",
        "broadcasts under way: 1",
        "updates received and not handled yet: 1",
        "last failed messages:",
        "  2027-01-11 10:03 (Europe/Rome)  reminder: Bad Request: chat not found (twice)",
        "last errors of the running bot:",
        f"  2027-01-11 10:00 (Europe/Rome)  KeyError at tests/test_status.py:{failing_line} in _fail_in_a_journey, "
        f"handling update {update_id}",
    ]
    assert "a person's words" not in "\n".join(lines)  # an error's text may quote people: never stored


async def test_status_as_json_and_on_a_quiet_database(services: Services, environment: Path, capsys) -> None:
    assert main(["status", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["schema_version"] == figures["schema_known"] == len(MIGRATIONS)
    assert figures["people"] == 0 and figures["outbox"] == {"pending": 0, "sending": 0, "failed": 0, "uncertain": 0}
    assert figures["last_failures"] == [] and figures["last_problems"] == []
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "last failed messages: none\n" in out and "last errors of the running bot: none\n" in out


def test_status_never_creates_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("PONTE_DB", str(tmp_path / "none.db"))
    assert main(["status"]) == 1
    assert capsys.readouterr().err == f"There is no database at {tmp_path / 'none.db'}. Check PONTE_DB.\n"
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("what", ["text", "folder", "truncated"])
def test_an_unusable_database_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,
                                          what: str) -> None:
    path = tmp_path / "ponte.db"
    if what == "text":
        path.write_text("only words here " * 200)
    elif what == "folder":
        path.mkdir()
    else:
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE participant (telegram_id INTEGER PRIMARY KEY, name TEXT)")
            connection.executemany("INSERT INTO participant VALUES (?, ?)", [(n, "x" * 500) for n in range(2000)])
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("PONTE_DB", str(path))
    code = main(["status"])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and str(path) in err, err


def test_an_error_is_placed_in_ponte_s_own_code() -> None:
    """The deepest line of Ponte's own packages, relative to the project: what a maintainer opens."""
    try:
        parse_duration("ninety seconds")
    except DurationError as error:
        place = where(error)
    assert place.startswith("bot/config/durations.py:") and place.endswith(" in parse_duration")
