"""Issue 8's kill test: a real ``ponte run`` killed with SIGKILL during a rush of "Sign up" presses, then
restarted. Every press is answered, the lists are whole, everyone's last answer tells their real place, and
a press is handled twice only if the database still had it unmarked when the process died.

What a kill can interrupt, and why each is fine here: a write to the database (SQLite's WAL keeps only what
was committed; a half-written frame is discarded when the file is opened again); a getUpdates answer not yet
stored (Telegram was not told it arrived: the stand-in sends it again); a handling done but not yet marked
(the press is handled once more after the restart, which the test allows for exactly those presses); a
request to the stand-in on its way (it arrives whole or not at all)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.app.services import open_services
from bot.config.clock import FixedClock
from bot.config.settings import Settings
from bot.domain.agenda_file import parse_agenda
from bot.standin import FakeTelegram
from bot.standin.server import serve
from tests.conftest import BEFORE_THE_WEEK, PRIVACY_SETTINGS
from tests.harness import EXAMPLE

WORKSHOP = "collaborative-services"
SEATS = 30
PEOPLE = range(80_000, 80_300)
TOKEN = "123456:CRASH-TEST-abcdefghijklmnopqrstuvwx"
LOGS: dict[asyncio.subprocess.Process, Path] = {}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    # The bot runs as a process on its own clock: started a week before the example agenda's week (18-22
    # January 2027), so that these tests mean the same whatever day they run on.
    return env | {"LANG": "en_US.UTF-8", "PYTHONUNBUFFERED": "1", "PONTE_NOW": BEFORE_THE_WEEK.isoformat(),
                  **PRIVACY_SETTINGS} | extra


async def _seed(db_path: Path) -> None:
    """The example agenda with a 30-seat workshop, and 300 people who consented and chose a city."""
    services = await open_services(Settings(token=TOKEN, db_path=db_path), FixedClock(BEFORE_THE_WEEK),
                                   automatic_outbox=False)
    try:
        events = [replace(e, capacity=SEATS) if e.slug == WORKSHOP else e
                  for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
        await services.agenda.apply(events)
        for person in PEOPLE:
            await services.people.consent(person, f"Person {person}", "en")
            await services.people.set_city(person, "baltimore" if person % 2 else "torino")
    finally:
        await services.db.close()


def _rush(telegram: FakeTelegram) -> dict[str, dict[str, Any]]:
    """Everyone has the workshop's detail open (sent by the bot earlier) and presses its "Sign up" at once.
    The presses by callback query id."""
    button = {"inline_keyboard": [[{"text": "✅ Sign up", "callback_data": f"signup:{WORKSHOP}"}]]}
    presses = {}
    for person in PEOPLE:
        telegram.user(person, f"Person {person}", language_code="en")
        status, sent = telegram.handle("sendMessage", {"chat_id": person, "text": "Workshop: collaborative services",
                                                       "reply_markup": json.dumps(button)})
        assert status == 200
        press = telegram.press_update(person, sent["result"]["message_id"], f"signup:{WORKSHOP}")
        presses[press["callback_query"]["id"]] = press
    for press in presses.values():
        telegram.push(press)
    return presses


def _answers(telegram: FakeTelegram) -> list[tuple[str, str]]:
    """(callback query id, text) of every answer to a press, in the order they reached Telegram."""
    return [(c.params["callback_query_id"], c.params.get("text", ""))
            for c in telegram.calls_to("answerCallbackQuery")]


def _read(db_path: Path, query: str, *args: object) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db_path)) as connection:
        return connection.execute(query, args).fetchall()


async def _until(telegram: FakeTelegram, predicate: Any, process: asyncio.subprocess.Process) -> None:
    """Until the stand-in has seen what ``predicate`` looks for; fails at once, with its last words, if
    ``ponte run`` ends first, and after a minute at most."""
    seen = asyncio.ensure_future(telegram.wait_for(predicate))
    ended = asyncio.ensure_future(process.wait())
    try:
        async with asyncio.timeout(60):
            await asyncio.wait({seen, ended}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        seen.cancel()
        ended.cancel()
    if not seen.done() or seen.cancelled():
        raise AssertionError(f"ponte run ended ({process.returncode}): {_log(process)[-2000:]}")


def _log(process: asyncio.subprocess.Process) -> str:
    """What ``ponte run`` wrote to its standard error (see _start)."""
    return LOGS[process].read_text(encoding="utf-8", errors="replace")


async def _start(tmp_path: Path, db_path: Path, port: int, name: str) -> asyncio.subprocess.Process:
    """``ponte run`` against the stand-in; what it says goes to a file (a pipe nobody reads while it runs
    could fill and stop it)."""
    log = tmp_path / f"{name}.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=stderr,
            env=_env(PONTE_TOKEN=TOKEN, PONTE_API_URL=f"http://127.0.0.1:{port}/bot", PONTE_DB=str(db_path)))
    LOGS[process] = log
    return process


@pytest.mark.parametrize("kill_after", [20, 120, 250])
async def test_a_killed_ponte_run_loses_no_press_and_counts_none_twice(tmp_path: Path, kill_after: int) -> None:
    db_path = tmp_path / "ponte.db"
    await _seed(db_path)
    telegram = FakeTelegram(username="ponte_crash_bot")
    presses = _rush(telegram)
    runner, port = await serve(telegram)
    first = second = None
    try:
        first = await _start(tmp_path, db_path, port, "first")
        await _until(telegram, lambda: len(telegram.calls_to("answerCallbackQuery")) >= kill_after, first)
        first.kill()
        async with asyncio.timeout(10):
            await first.wait()
        assert first.returncode == -signal.SIGKILL
        # What the database holds at the moment of the crash: stored, and which of it not yet marked handled.
        unmarked = {row[0] for row in _read(db_path, "SELECT update_id FROM inbox WHERE handled_at IS NULL")}
        answered_before = len(_answers(telegram))

        second = await _start(tmp_path, db_path, port, "second")
        await _until(telegram, lambda: {query for query, _ in _answers(telegram)} >= presses.keys(), second)
        second.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            await second.wait()
        assert second.returncode == 0, _log(second)[-2000:]
        assert "Traceback" not in _log(first) + _log(second)
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        await runner.cleanup()
    assert answered_before >= kill_after

    # The lists are whole: 30 seats taken, everyone else waiting in one line, nobody twice.
    rows = _read(db_path, "SELECT r.participant_id, r.status, r.queued_seq FROM registration r "
                          "JOIN event e ON e.id = r.event_id WHERE e.slug = ?", WORKSHOP)
    confirmed = {person for person, status, _ in rows if status == "confirmed"}
    line = [person for person, status, _ in sorted((r for r in rows if r[1] == "waitlisted"), key=lambda r: r[2])]
    assert len(confirmed) == SEATS and len(line) == len(PEOPLE) - SEATS
    assert len({person for person, _, _ in rows}) == len(rows) == len(PEOPLE)
    assert len({seq for _, status, seq in rows if status == "waitlisted"}) == len(line)
    position = {person: number for number, person in enumerate(line, start=1)}

    # Every press answered; nobody signed up without being told, and what each was told last is true.
    answers = _answers(telegram)
    last_answer = dict(answers)
    for query, press in presses.items():
        person = press["callback_query"]["from"]["id"]
        shown = telegram.last(person).text
        if person in confirmed:
            assert "You're signed up." in shown, (person, shown)
            assert "signed up" in last_answer[query], (person, last_answer[query])
        else:
            assert f"You're number {position[person]} on the waiting list." in shown, (person, shown)
            told = re.search(r"number (\d+)", last_answer[query])
            assert told and int(told.group(1)) == position[person], (person, last_answer[query])

    # A press handled twice (answered twice) is one the database had stored and not marked at the crash.
    twice = {query for query, times in Counter(query for query, _ in answers).items() if times > 1}
    assert all(Counter(query for query, _ in answers)[query] == 2 for query in twice)
    assert {presses[query]["update_id"] for query in twice} <= unmarked
    # And everything is marked now, with no payload left.
    assert _read(db_path, "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL OR payload IS NOT NULL") == [(0,)]
    assert _read(db_path, "SELECT COUNT(*) FROM inbox") == [(len(PEOPLE),)]
