"""Deleting means deleted: after "delete my data" nothing of the person is left in any file of the database,
while the bot runs and after it stops; and logs carry Telegram ids, never names."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.app.inbox import Inbox
from bot.domain.agenda_file import parse_agenda
from handlers.errors import report_error
from tests.harness import EXAMPLE, Harness

# Ten different digits: as text they cannot turn up by chance in a timestamp or a count.
ZEBEDEO = 8316402957
OTTAVINA = 4071
WORKSHOP = "collaborative-services"
ZEBEDEO_TRACES = ("Zebedeo", "Quaglierini", "zebedeo_q77", "America/Argentina/Ushuaia", str(ZEBEDEO))


def database_files(db_path: Path) -> dict[str, bytes]:
    """The raw bytes of the database and of the two files SQLite keeps next to it."""
    files = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        if path.exists():
            files[path.name] = path.read_bytes()
    return files


def traces(db_path: Path, words: tuple[str, ...]) -> list[str]:
    return [f"{word!r} in {name}" for name, data in database_files(db_path).items()
            for word in words if word.encode("utf-8") in data]


def through_the_inbox(bot: Harness) -> Inbox:
    """Every update goes the way ``ponte run`` takes it: stored in the inbox first, marked once handled."""
    inbox = Inbox(bot.services.db, bot.services.clock)
    bot.app.on_handled = inbox.handled
    handle = bot.process

    async def stored_then_handled(update: dict[str, Any]) -> None:
        await inbox.receive([update])
        await handle(update)
        await inbox.idle()

    bot.process = stored_then_handled
    return inbox


async def test_nothing_of_a_deleted_person_is_left_in_the_database_files(bot: Harness) -> None:
    db_path = bot.services.settings.db_path
    inbox = through_the_inbox(bot)
    await bot.services.agenda.apply([replace(e, capacity=1) if e.slug == WORKSHOP else e
                                     for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))])
    bot.person(ZEBEDEO, "Zebedeo", "en", last_name="Quaglierini", username="zebedeo_q77")
    await bot.send(ZEBEDEO, "/start")
    await bot.press(ZEBEDEO, "I agree")
    await bot.press(ZEBEDEO, "Elsewhere")
    await bot.send(ZEBEDEO, "America/Argentina/Ushuaia")
    assert (await bot.services.people.get(ZEBEDEO)).timezone == "America/Argentina/Ushuaia"
    await bot.send(ZEBEDEO, f"/start e_{WORKSHOP}")
    await bot.press(ZEBEDEO, "Sign up")
    assert "You're signed up." in bot.last(ZEBEDEO).text
    await bot.onboard(OTTAVINA, "Ottavina", "it", "Torino")
    await bot.send(OTTAVINA, f"/start e_{WORKSHOP}")
    await bot.press(OTTAVINA, "lista d'attesa")
    # An update stored and not yet handled when the person is deleted (the bot is busy, or stopped before).
    pending = bot.telegram.text_update(ZEBEDEO, "/agenda")
    await inbox.receive([pending])
    assert traces(db_path, ZEBEDEO_TRACES), "the scan must see the person before they are deleted"

    await bot.send(ZEBEDEO, "/privacy")
    await bot.press(ZEBEDEO, "Delete my data")
    await bot.press(ZEBEDEO, "Yes, delete everything")
    assert "everything about you has been deleted" in bot.last(ZEBEDEO).text
    assert await bot.services.dispatcher.dispatch_due() == 1  # Ottavina is told she has the seat

    assert traces(db_path, ZEBEDEO_TRACES) == [], "while the bot runs"
    assert traces(db_path, ("Ottavina",)), "the scan sees the people who stay"
    assert [update["update_id"] for update in await inbox.unhandled()] == []
    await bot.services.db.close()
    assert traces(db_path, ZEBEDEO_TRACES) == [], "after the bot stops"


async def test_a_failing_handler_logs_the_telegram_id_and_no_name(bot: Harness, caplog, monkeypatch) -> None:
    """The production error handler, at the production log level: the record and its traceback say which
    update and whose id, and never the name or username the update carries."""
    bot.app.error_handlers.clear()
    bot.app.add_error_handler(report_error)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the city could not be saved")

    monkeypatch.setattr(bot.services.people, "set_city", broken)
    bot.person(ZEBEDEO, "Zebedeo", "en", last_name="Quaglierini", username="zebedeo_q77")
    caplog.set_level(logging.INFO)
    await bot.send(ZEBEDEO, "/start")
    await bot.press(ZEBEDEO, "I agree")
    await bot.press(ZEBEDEO, "Baltimore")
    assert "Sorry, something went wrong on my end" in bot.last(ZEBEDEO).text
    failures = [record for record in caplog.records if record.exc_info]
    assert failures and str(ZEBEDEO) in failures[0].getMessage()
    logged = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    for word in ("Zebedeo", "Quaglierini", "zebedeo_q77"):
        assert word not in logged


def test_debug_logging_keeps_python_telegram_bots_whole_updates_out(tmp_path) -> None:
    """PTB logs every update it processes at DEBUG, names included; Ponte's DEBUG must not switch that on."""
    import logging

    from bot.config.settings import Settings

    root = logging.getLogger()
    before = (root.level, logging.getLogger("telegram").level)
    try:
        root.setLevel(logging.DEBUG)
        Settings(token="123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX", log_level="DEBUG").configure_logging()
        assert not logging.getLogger("telegram.ext.Application").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("bot.app.inbox").isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(before[0])
        logging.getLogger("telegram").setLevel(before[1])
