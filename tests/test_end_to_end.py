"""The running bot, as a separate process: ``ponte run`` over real HTTP, and ``ponte shell`` on a terminal."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.config.clock import FixedClock
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import parse_agenda
from bot.domain.notices import NoticeKind
from bot.standin import FakeTelegram
from bot.standin.server import serve
from storage import Database
from tests.conftest import BEFORE_THE_WEEK, PRIVACY_SETTINGS
from tests.harness import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
MIKE = 4242


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    # The bot runs as a process on its own clock: started a week before the example agenda's week (18-22
    # January 2027), so that these tests mean the same whatever day they run on.
    return env | {"LANG": "en_US.UTF-8", "PYTHONUNBUFFERED": "1", "PONTE_NOW": BEFORE_THE_WEEK.isoformat(),
                  **PRIVACY_SETTINGS} | extra


async def test_ponte_run_over_http(tmp_path: Path) -> None:
    db_path = tmp_path / "e2e.db"
    db = await Database.open(db_path)
    await Agenda(db, FixedClock(BEFORE_THE_WEEK), lambda: None).apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
    await db.close()
    telegram = FakeTelegram(username="ponte_e2e_bot")
    runner, port = await serve(telegram)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=_env(PONTE_TOKEN="123456:END-TO-END-abcdefghijklmnopqrstuvwx", PONTE_API_URL=f"http://127.0.0.1:{port}/bot",
                 PONTE_DB=str(db_path)))
    try:
        async with asyncio.timeout(60):
            await telegram.wait_for(lambda: ("commands", "it") in telegram.profile)
        telegram.user(MIKE, "Mike", language_code="en")

        def said(text: str):
            return lambda: any(text in m.text for m in telegram.chat(MIKE))

        def press(label: str) -> None:
            message = next(m for m in reversed(telegram.chat(MIKE)) if m.keyboard)
            telegram.push(telegram.press_update(MIKE, message.message_id, telegram.button(message, label)))

        telegram.push(telegram.text_update(MIKE, "/start"))
        async with asyncio.timeout(20):
            await telegram.wait_for(said("Welcome to Ponte"))
        press("Italiano")
        async with asyncio.timeout(20):
            await telegram.wait_for(said("Ti do il benvenuto su Ponte"))
        press("Accetto")
        async with asyncio.timeout(20):
            await telegram.wait_for(said("Dove ti trovi?"))
        press("Baltimora")
        async with asyncio.timeout(20):
            await telegram.wait_for(said("Ti mostro gli orari nell'ora di Baltimora"))
        telegram.push(telegram.text_update(MIKE, "/agenda"))
        async with asyncio.timeout(20):
            await telegram.wait_for(said("Programma dello scambio Torino–Baltimora"))
        agenda = telegram.last(MIKE).text
        assert "a Torino ·" in agenda and "a Baltimora" in agenda
        assert any(call.method == "getUpdates" for call in telegram.calls)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        await runner.cleanup()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"Traceback" not in stderr


def test_ponte_shell_walks_through_both_languages(tmp_path: Path) -> None:
    script = "\n".join([
        "/start", "1", "1", "/agenda", "5", "1",  # Giulia (Italian phone): consent, Torino, workshop, sign up
        "/as Mike en", "/start", "2", "/agenda",  # Mike switches to English before consenting
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(tmp_path / "shell.db")],
                            input=script, capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "loaded the example agenda" in out
    assert "Ti do il benvenuto su Ponte" in out and "Tutto pronto! Ti mostro gli orari nell'ora di Torino." in out
    assert "Programma dello scambio Torino–Baltimora" in out
    assert "La tua iscrizione è confermata" in out
    assert "You're now Mike" in out and "Welcome to Ponte" in out
    assert "[1] ✅ I agree" in out


def test_ponte_shell_two_people_one_seat(tmp_path: Path) -> None:
    """The sign-up story of the README: the second person is told at once when the first cancels."""
    db = tmp_path / "demo.db"
    example = subprocess.run([sys.executable, "-m", "bot", "agenda", "example"], capture_output=True, text=True,
                             cwd=tmp_path, env=_env(), timeout=60).stdout
    one_seat = tmp_path / "one-seat.toml"
    one_seat.write_text(example.replace("capacity = 30\n", "capacity = 1\n"), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "bot", "agenda", "import", str(one_seat)], check=True, cwd=tmp_path,
                   env=_env(PONTE_DB=str(db)), capture_output=True, timeout=60)
    script = "\n".join([
        "/start", "1", "1", "/start e_collaborative-services", "1",          # Giulia takes the seat
        "/as Mike en", "/start", "1", "2", "/start e_collaborative-services", "1",  # Mike waits
        "/as Giulia", "/my", "3", "1",                                       # Giulia cancels, and confirms
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(db)], input=script,
                            capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "The event is full: you're number 1 on the waiting list." in out
    cancelled = out.index("Iscrizione annullata")
    assert "┌─ Ponte → Mike\n│ 🎉 A seat opened up!" in out[cancelled:]


async def test_ponte_run_with_a_refused_token_says_so(tmp_path: Path) -> None:
    telegram = FakeTelegram(token="123456:THE-RIGHT-ONE-abcdefghijklmnopqrstu")
    runner, port = await serve(telegram)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=_env(PONTE_TOKEN="123456:A-WRONG-ONE-abcdefghijklmnopqrstuvw", PONTE_API_URL=f"http://127.0.0.1:{port}/bot",
                     PONTE_DB=str(tmp_path / "refused.db")))
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await runner.cleanup()
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert lines[-1].startswith("Ponte cannot start: Telegram refused PONTE_TOKEN")
    assert "Traceback" not in stderr.decode()


def test_ponte_run_with_the_api_out_of_reach_says_so(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port on this machine that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env=_env(PONTE_TOKEN="123456:UNREACHABLE-abcdefghijklmnopqrstuvw", PONTE_API_URL=f"http://127.0.0.1:{port}/bot",
                 PONTE_DB=str(tmp_path / "unreachable.db")))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Ponte cannot reach the Bot API at PONTE_API_URL")
    assert "Traceback" not in result.stderr


def test_ponte_shell_lists_its_people_and_explains_a_wrong_as(tmp_path: Path) -> None:
    script = "\n".join(["/as", "/as Mike fr", "/as 123", "/as Mike en extra", "/as Anna", "/as", "/quit"])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(tmp_path / "shell.db")],
                            input=script, capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    first_list = out[out.index("\nGiulia> /as\n"):out.index("\nGiulia> /as Mike fr")]
    assert "Giulia · id 1001 · phone language: it (that's you now)" in first_list
    assert "Mike · id 1002 · phone language: en" in first_list
    assert "PONTE_ADMINS=1002" in first_list
    usage = "· Usage: /as NAME [it|en], for example /as Mike en; /as alone lists the people.\n"
    assert out.count(usage) == 3
    assert "You're now Anna" in out and "Anna · id 1003 · phone language: it (that's you now)" in out
    assert "Ponte →" not in out  # none of it went to the bot


def test_ponte_shell_makes_the_organiser_of_ponte_admins(tmp_path: Path) -> None:
    script = "\n".join([
        "/start", "1", "1", "/attendees collaborative-services",            # Giulia, 1001: not an organiser
        "/as Mike", "/start", "1", "2", "/attendees collaborative-services",  # Mike, 1002: the organiser
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(tmp_path / "shell.db")],
                            input=script, capture_output=True, text=True, cwd=tmp_path, env=_env(PONTE_ADMINS="1002"),
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    giulia, mike = result.stdout.split("You're now Mike")
    assert "solo gli organizzatori dello scambio possono vedere chi partecipa" in giulia
    assert "only the organizers" not in mike and "📎 file collaborative-services-attendees" in mike


async def test_ponte_shell_prints_a_notice_that_falls_due_while_nobody_types(tmp_path: Path) -> None:
    """A notice queued by another connection while the shell waits for input prints on its own."""
    db_path = tmp_path / "shell.db"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "shell", "--db", str(db_path), cwd=tmp_path, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    seen: list[str] = []

    async def read_until(text: str) -> None:
        async with asyncio.timeout(60):
            while text not in "".join(seen):
                line = await process.stdout.readline()
                assert line, "".join(seen)
                seen.append(line.decode())

    try:
        # Giulia consents and chooses Torino; the /as list printed after them says they are done.
        process.stdin.write(b"/start\n1\n1\n/as\n")
        await process.stdin.drain()
        await read_until("The simulated people")
        db = await Database.open(db_path)
        try:
            async with db.transaction() as tx:
                event = await tx.events.by_slug("collaborative-services")
                now = FixedClock(BEFORE_THE_WEEK).now()
                await tx.outbox.add(1001, NoticeKind.SEAT_CONFIRMED, due_at=now, now=now, event_id=event.id)
        finally:
            await db.close()
        # Nothing more is typed: the shell's own schedule must send it.
        await read_until("┌─ Ponte → Giulia\n│ 🎉")
        process.stdin.write(b"/quit\n")
        await process.stdin.drain()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()[-2000:]


def test_ponte_shell_wait_moves_the_clock_and_the_reminder_arrives(tmp_path: Path) -> None:
    """Done when: in the shell, moving the clock shows the reminders arriving."""
    from datetime import UTC, datetime

    # The workshop starts on 20 January 2027 at 10:00 UTC: land 20 hours before it, past the 24-hour reminder.
    ahead = datetime(2027, 1, 19, 14, 0, tzinfo=UTC) - BEFORE_THE_WEEK
    script = "\n".join([
        "/start", "1", "1", "/start e_collaborative-services", "1",  # Giulia signs up for the workshop
        f"/wait {int(ahead.total_seconds() // 60)}m",
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(tmp_path / "wait.db")],
                            input=script, capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    moved = out.index("The shell's clock moved")
    assert "Tuesday, January 19" in out[moved:]
    assert "┌─ Ponte → Giulia\n│ ⏰ Promemoria: Workshop" in out[moved:]
    assert "inizia tra 20 ore" in out[moved:]


async def test_a_running_bot_tells_people_of_an_import_made_by_another_process(tmp_path: Path) -> None:
    """`ponte run` is not restarted: the import writes the change in the database, and the notice goes out
    within the quiet period and a few seconds."""
    import time
    from dataclasses import replace
    from datetime import timedelta

    from bot.app.schedule import SWEEP_SECONDS

    db_path = tmp_path / "e2e.db"
    events = parse_agenda(EXAMPLE.read_text(encoding="utf-8"))
    db = await Database.open(db_path)
    await Agenda(db, FixedClock(BEFORE_THE_WEEK), lambda: None).apply(events)
    await db.close()
    telegram = FakeTelegram(username="ponte_e2e_bot")
    runner, port = await serve(telegram)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=_env(PONTE_TOKEN="123456:END-TO-END-abcdefghijklmnopqrstuvwx", PONTE_API_URL=f"http://127.0.0.1:{port}/bot",
                 PONTE_DB=str(db_path)))
    try:
        async with asyncio.timeout(60):
            await telegram.wait_for(lambda: ("commands", "it") in telegram.profile)
        telegram.user(MIKE, "Mike", language_code="en")

        def said(text: str):
            return lambda: any(text in m.text for m in telegram.chat(MIKE))

        def press(label: str) -> None:
            message = next(m for m in reversed(telegram.chat(MIKE)) if m.keyboard)
            telegram.push(telegram.press_update(MIKE, message.message_id, telegram.button(message, label)))

        def has_button(label: str):
            return lambda: any(label.lower() in b["text"].lower()
                               for m in telegram.chat(MIKE) for row in m.keyboard for b in row)

        telegram.push(telegram.text_update(MIKE, "/start e_collaborative-services"))
        for label in ("I agree", "Baltimore", "Sign up"):
            async with asyncio.timeout(20):
                await telegram.wait_for(has_button(label))
            press(label)
        async with asyncio.timeout(20):
            await telegram.wait_for(said("You're signed up."))
        moved = [replace(e, starts_at=e.starts_at + timedelta(hours=4), ends_at=e.ends_at + timedelta(hours=4))
                 if e.slug == "collaborative-services" else e for e in events]
        other = await Database.open(db_path)  # as `ponte agenda import` does, in its own process
        try:
            agenda = Agenda(other, FixedClock(BEFORE_THE_WEEK), lambda: None, change_delay=timedelta(seconds=1))
            report = await agenda.apply(moved)
        finally:
            await other.close()
        assert report.notified == {"collaborative-services": 1}
        imported = time.monotonic()
        async with asyncio.timeout(15):
            await telegram.wait_for(said("has changed"))
        # The quiet period, then at most one sweep's interval (the import was made behind the bot's back), and
        # a moment to send it.
        assert time.monotonic() - imported < 1 + SWEEP_SECONDS + 2
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        await runner.cleanup()
    assert process.returncode == 0, stderr.decode()[-2000:]


def test_ponte_shell_an_organiser_moves_the_event_and_the_person_is_told(tmp_path: Path) -> None:
    """Done when: a person signs up, the organiser moves the event by sending the agenda again, and the person
    gets one notice with the old and new times in their zone."""
    example = subprocess.run([sys.executable, "-m", "bot", "agenda", "example"], capture_output=True, text=True,
                             cwd=tmp_path, env=_env(), timeout=60).stdout
    moved = tmp_path / "moved.toml"
    moved.write_text(example.replace("start = 2027-01-20T11:00:00\nend = 2027-01-20T13:00:00",
                                     "start = 2027-01-20T15:00:00\nend = 2027-01-20T17:00:00"), encoding="utf-8")
    script = "\n".join([
        "/start", "1", "1", "/start e_collaborative-services", "1",  # Giulia signs up for the workshop
        "/as Mike en", "/start", "1", "2",                            # Mike, an organiser, in Baltimore
        f"/file {moved}", "1",                                        # sends the moved agenda, and applies it
        "/wait 2m",
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(tmp_path / "moved.db")],
                            input=script, capture_output=True, text=True, cwd=tmp_path,
                            env=_env(PONTE_ADMINS="1002"), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "1 event changed: collaborative-services" in out
    assert "collaborative-services: 1 person signed up or waiting will be told" in out
    assert "The agenda is updated" in out
    told = out.index("┌─ Ponte → Giulia\n│ 🔔 Novità su")
    assert "Quando: mercoledì 20 gennaio, 11:00–13:00 → mercoledì 20 gennaio, 15:00–17:00" in out[told:]
    assert out.count("🔔 Novità su") == 1
