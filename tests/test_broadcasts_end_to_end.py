"""Broadcasts in the running bot. A kill -9 of `ponte run` in the middle of a 300-recipient broadcast, then a
restart: nobody gets the broadcast twice except at most the one message in flight at the kill, and the report
adds up. And in `ponte shell`, the organiser broadcasts to an event in both languages and sees the report."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bot.config.clock import FixedClock
from bot.domain.broadcasts import Audience, Broadcasts
from bot.domain.roles import Roles
from bot.render.broadcasts import framed
from bot.standin import FakeTelegram
from bot.standin.engine import ApiError, StoredMessage
from bot.standin.server import serve
from storage import Database
from tests.conftest import BEFORE_THE_WEEK
from tests.test_end_to_end import _env

ORGANISER = 4242
AUDIENCE = [ORGANISER, *range(5001, 5300)]  # 300 people
BLOCKED = set(range(5101, 5111))  # ten of them blocked the bot
# The first message, one half-way, and the last one (300 - 10 blocked - 2 refused = 288 accepted).
KILL_MOMENTS = (1, 144, 288)
HEADINGS = ("From the organizers of the exchange", "Dagli organizzatori dello scambio")


async def _broadcast_ready(db_path: Path, telegram: FakeTelegram) -> int:
    """300 people who consented, and a broadcast to all of them, sent just before Ponte starts."""
    clock = FixedClock(BEFORE_THE_WEEK)
    db = await Database.open(db_path)
    try:
        async with db.transaction() as tx:
            now = clock.now()
            for index, person in enumerate(AUDIENCE):
                await tx.participants.ensure(person, now)
                await tx.participants.update(person, now, consent_at=now, language="it" if index % 2 else "en",
                                             city="torino", timezone="Europe/Rome")
        broadcasts = Broadcasts(db, clock, Roles(frozenset({ORGANISER})), lambda: None)
        draft = await broadcasts.open(ORGANISER, Audience.EVERYONE)
        await broadcasts.write(ORGANISER, draft.id, "it", "<b>Domani</b> si parte alle 9")
        await broadcasts.write(ORGANISER, draft.id, "en", "<b>Tomorrow</b> we leave at 9")
        # The message that shows the progress, as the Send button left it.
        _, answer = telegram.handle("sendMessage", {"chat_id": ORGANISER, "text": "📣 Sending…"})
        await broadcasts.send(ORGANISER, draft.id, framed, chat_id=ORGANISER,
                              progress_message_id=answer["result"]["message_id"])
        return draft.id
    finally:
        await db.close()


def _start(db_path: Path, port: int, cwd: Path) -> asyncio.Future:
    return asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=_env(PONTE_TOKEN="123456:CRASH-TEST-abcdefghijklmnopqrstuvwx", PONTE_API_URL=f"http://127.0.0.1:{port}/bot",
                 PONTE_DB=str(db_path), PONTE_ADMINS=str(ORGANISER), PONTE_SEND_RATE="30"))


async def _kill_and_restart(tmp_path: Path, kill_at: int) -> None:
    """One run: Ponte is killed as the stand-in accepts the ``kill_at``-th message of the broadcast (so that
    message is the one in flight), restarted, and left to finish; then everything is counted."""
    telegram = FakeTelegram(username="ponte_crash_bot")
    for person in AUDIENCE:
        telegram.user(person, f"P{person}", language_code="en")
    telegram.blocked.update(BLOCKED)
    db_path = tmp_path / f"crash-{kill_at}.db"
    broadcast_id = await _broadcast_ready(db_path, telegram)
    # The first two messages are refused for a reason of Telegram's own: failed with it, never sent again.
    telegram.fail_next_call_to["sendMessage"] = [ApiError(400, "Bad Request: PEER_ID_INVALID")] * 2
    runner, port = await serve(telegram)

    received: Counter[int] = Counter()
    reported = asyncio.Event()
    first: asyncio.subprocess.Process | None = None

    def count(message: StoredMessage, edited: bool) -> None:
        if edited:
            return
        if any(heading in message.text for heading in HEADINGS):
            received[message.chat_id] += 1
            if first is not None and first.returncode is None and sum(received.values()) == kill_at:
                os.kill(first.pid, signal.SIGKILL)  # before Ponte hears that it was accepted
        if message.chat_id == ORGANISER and "Delivery report" in message.text:
            reported.set()

    telegram.watch(count)
    second = None
    try:
        first = await _start(db_path, port, tmp_path)
        async with asyncio.timeout(90):
            await first.wait()
        assert first.returncode == -signal.SIGKILL, (await first.stderr.read()).decode()[-2000:]
        # Requests the killed process had already made may still land: they were in flight too.
        assert sum(received.values()) >= kill_at
        second = await _start(db_path, port, tmp_path)
        async with asyncio.timeout(90):
            await reported.wait()
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                async with asyncio.timeout(60):
                    await process.communicate()
        await runner.cleanup()
    assert second.returncode == 0

    db = await Database.open(db_path)
    try:
        broadcasts = Broadcasts(db, FixedClock(BEFORE_THE_WEEK), Roles(frozenset({ORGANISER})), lambda: None)
        report = await broadcasts.report(broadcast_id)
    finally:
        await db.close()
    moment = f"killed at message {kill_at}"
    # Each row is marked as being sent before it goes: after the crash those in flight (a few, as the outbox
    # keeps several sends going to hold its rate) are uncertain and not sent again, so nobody at all gets the
    # broadcast twice (at-least-once would allow the ones in flight twice).
    assert [person for person, n in received.items() if n > 1] == [], moment
    assert not set(received) & BLOCKED, moment
    # Nothing lost: everyone reachable got it, except perhaps someone whose message was in flight at the kill
    # and never reached the stand-in (the report says uncertain).
    assert len(received) >= len(AUDIENCE) - len(BLOCKED) - 2 - report.uncertain, moment
    assert report.finished, moment
    assert report.delivered + report.blocked + report.failed_count + report.uncertain == report.total == 300, moment
    assert report.blocked == len(BLOCKED), moment
    assert report.failed == (("Peer_id_invalid", 2),), moment
    assert 1 <= report.uncertain <= 8, moment  # the kill_at-th message, and what else was in flight with it
    # What the stand-in received is what the report says: delivered, plus those of the uncertain that had
    # reached their reader.
    assert report.delivered <= len(received) <= report.delivered + report.uncertain, moment
    report_text = telegram.last(ORGANISER).text
    assert f"✅ Delivered: {report.delivered}" in report_text, moment
    assert "🚫 Blocked the bot or left Ponte: 10" in report_text and "· Peer_id_invalid: 2" in report_text, moment
    assert f"❔ Uncertain: {report.uncertain} (in flight when Ponte stopped" in report_text, moment
    assert any(c.params.get("chat_id") == ORGANISER for c in telegram.calls_to("editMessageText")), moment
    # Ponte asks Telegram for the updates that say a person blocked or unblocked it.
    assert all("my_chat_member" in c.params["allowed_updates"] for c in telegram.calls_to("getUpdates")), moment


async def test_a_broadcast_killed_at_several_moments_goes_to_everyone_once_and_adds_up(tmp_path: Path) -> None:
    """The first message, half-way, the last one: each run on its own stand-in and database, side by side
    (each spends most of its time paced at 30 messages a second, so together they take the time of one)."""
    async with asyncio.timeout(240):
        await asyncio.gather(*(_kill_and_restart(tmp_path, kill_at) for kill_at in KILL_MOMENTS))


def test_in_the_shell_the_organiser_broadcasts_to_an_event_in_both_languages(tmp_path: Path) -> None:
    script = "\n".join([
        "/start", "1", "1", "/start e_collaborative-services", "1",                    # Giulia (it) signs up
        "/as Anna en", "/start", "1", "2", "/start e_collaborative-services", "1",     # Anna (en) too
        "/as Mike", "/start", "1",                                                     # Mike, the organiser
        "/broadcast", "5", "5", "1",  # the workshop's confirmed participants, in Italian and English
        "Domani ci vediamo alle 10:30 ai Bagni di via Agliè.",
        "Tomorrow we meet at 10:30 AM at the Agliè baths.",
        "1",  # Send
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(tmp_path / "shell.db")],
                            input=script, capture_output=True, text=True, cwd=tmp_path, env=_env(PONTE_ADMINS="1002"),
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    sent = out.index("💬 On its way")
    assert ("┌─ Ponte → Giulia\n│ 📣 Dagli organizzatori dello scambio\n│ \n"
            "│ Domani ci vediamo alle 10:30 ai Bagni di via Agliè.") in out[sent:]
    assert ("┌─ Ponte → Anna\n│ 📣 From the organizers of the exchange\n│ \n"
            "│ Tomorrow we meet at 10:30 AM at the Agliè baths.") in out[sent:]
    report = out[out.index("┌─ Ponte → Mike\n│ 📊 Delivery report"):]
    assert "collaborative services (2 people):\n│ ✅ Delivered: 2\n│ 🚫 Blocked the bot or left Ponte: 0" in report
