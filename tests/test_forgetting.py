"""Deleting means deleted: after "delete my data" nothing of the person is left in any file of the database,
while the bot runs and after it stops; and logs carry Telegram ids, never names."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app.inbox import Inbox
from bot.app.progress import BroadcastWatch
from bot.config.clock import FixedClock
from bot.config.settings import Settings
from bot.domain.agenda_file import parse_agenda
from bot.domain.notices import NoticeKind
from handlers.errors import report_error
from tests.conftest import ORGANISER, TEST_TOKEN
from tests.feedback_rows import answer_visit
from tests.harness import EXAMPLE, Harness

# Ten different digits: as text they cannot turn up by chance in a timestamp or a count.
ZEBEDEO = 8316402957
OTTAVINA = 4071
WORKSHOP = "collaborative-services"
ZEBEDEO_TRACES = ("Zebedeo", "Quaglierini", "zebedeo_q77", "America/Argentina/Ushuaia", str(ZEBEDEO))
VISIT = "roccafranca-visit"


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Zebedeo is an organiser too: what an organiser writes (broadcasts, agenda files) must go with him."""
    return Settings(token=TEST_TOKEN, db_path=tmp_path / "ponte.db", admins=frozenset({ORGANISER, ZEBEDEO}))


def sqlite_varint(value: int) -> bytes:
    """How SQLite writes a rowid (a participant's Telegram id is theirs) in a b-tree cell."""
    if value > 0x00FFFFFFFFFFFFFF:
        raise ValueError("nine-byte varints are not needed for Telegram ids")
    groups = []
    while True:
        groups.append(value & 0x7F)
        value >>= 7
        if not value:
            break
    groups.reverse()
    return bytes(group | 0x80 for group in groups[:-1]) + bytes(groups[-1:])


def integer_forms(value: int) -> tuple[bytes, ...]:
    """An id as SQLite may store it in a file: the big-endian integer of a record, and the varint of a key."""
    size = next(size for size in (1, 2, 3, 4, 6, 8) if value < 1 << (8 * size - 1))
    return value.to_bytes(size, "big"), sqlite_varint(value)


def binary_traces(db_path: Path, value: int) -> list[str]:
    return [f"{value} as {form.hex()} in {name}" for name, data in database_files(db_path).items()
            for form in integer_forms(value) if form in data]


def rows_naming(db_path: Path, telegram_id: int, words: tuple[str, ...]) -> list[str]:
    """Every table and every column of the database, whatever tables later migrations add: which ones hold the
    id (as a number, or inside a text such as a JSON payload or a dedupe key) or one of the words."""
    found = []
    with sqlite3.connect(db_path) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        assert "participant" in tables and "response" in tables
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for word in dict.fromkeys((*words, str(telegram_id))):
                    count = connection.execute(
                        f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ? OR instr(CAST("{column}" AS TEXT), ?)',
                        (telegram_id if word == str(telegram_id) else word, word)).fetchone()[0]
                    if count:
                        found.append(f"{table}.{column} holds {word!r} in {count} rows")
    return found


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


async def test_deleting_leaves_no_trace_in_any_table_column_or_file_but_the_anonymous_feedback(
        bot: Harness, clock: FixedClock) -> None:
    """Everything a person (here an organiser too) can leave behind: profile, a pending question, sign-ups
    (one holding the last seat), feedback, queued messages, a broadcast on its way and a draft, an agenda file,
    an update not yet handled. After "delete my data" the scan of every table and column, and of the files'
    bytes, finds nothing of him; his feedback answers stay, detached."""
    db_path = bot.services.settings.db_path
    inbox = through_the_inbox(bot)
    await bot.services.agenda.apply([replace(e, capacity=1) if e.slug == WORKSHOP else e
                                     for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))])
    bot.person(ZEBEDEO, "Zebedeo", "en", last_name="Quaglierini", username="zebedeo_q77")
    await bot.send(ZEBEDEO, "/start")
    await bot.press(ZEBEDEO, "I agree")
    await bot.press(ZEBEDEO, "Elsewhere")
    await bot.send(ZEBEDEO, "America/Argentina/Ushuaia")
    for slug in (WORKSHOP, VISIT):
        await bot.send(ZEBEDEO, f"/start e_{slug}")
        await bot.press(ZEBEDEO, "Sign up")
    await bot.onboard(OTTAVINA, "Ottavina", "it", "Torino")
    await bot.send(OTTAVINA, f"/start e_{WORKSHOP}")
    await bot.press(OTTAVINA, "lista d'attesa")
    # He scans the visit's code at the door.
    _, code = await bot.services.checkins.operator_code(VISIT)
    clock.set(datetime(2027, 1, 20, 8, 5, tzinfo=UTC))
    await bot.send(ZEBEDEO, f"/start c_{code}")
    kept = await answer_visit(bot.services.db, ZEBEDEO, VISIT, clock.now(), rating=5, actors=("residents",),
                              idea="A neighborhood desk inside the public baths")
    async with bot.services.db.transaction() as tx:
        visit = await tx.events.by_slug(VISIT)
        await tx.outbox.add(ZEBEDEO, NoticeKind.EVENT_CHANGED, due_at=clock.now() + timedelta(hours=3),
                            now=clock.now(), event_id=visit.id)
    # A broadcast to everyone, still on its way (its progress message is in his chat), and a new draft.
    await bot.send(ZEBEDEO, "/broadcast")
    await bot.press(ZEBEDEO, "Everyone")
    await bot.press(ZEBEDEO, "One text for everyone")
    await bot.send(ZEBEDEO, "The round table moves to room B")
    await bot.press(ZEBEDEO, "Send")
    await bot.send(ZEBEDEO, "/broadcast")
    await bot.press(ZEBEDEO, "Everyone")
    # An agenda file he sent and has not confirmed yet.
    changed = EXAMPLE.read_text(encoding="utf-8").replace("capacity = 120", "capacity = 110")
    await bot.process(bot.telegram.document_update(ZEBEDEO, "agenda.toml", changed.encode("utf-8"),
                                                   mime_type="application/toml"))
    await inbox.receive([bot.telegram.text_update(ZEBEDEO, "/agenda")])
    before = rows_naming(db_path, ZEBEDEO, ZEBEDEO_TRACES)
    for place in ("participant.username", "registration.participant_id", "checkin.participant_id",
                  "response.participant_id", "outbox.recipient_id", "broadcast.author_id",
                  "broadcast.progress_chat_id", "agenda_draft.organiser_id", "inbox.payload"):
        assert any(found.startswith(place) for found in before), f"the scan must see him in {place} first"
    assert binary_traces(db_path, ZEBEDEO), "the byte scan must see his id before he is deleted"

    await bot.send(ZEBEDEO, "/privacy")
    await bot.press(ZEBEDEO, "Delete my data")
    await bot.press(ZEBEDEO, "Yes, delete everything")
    assert "everything about you has been deleted" in bot.last(ZEBEDEO).text
    # The seat he freed goes to Ottavina; the broadcast goes on to the people who stay, and ends with no
    # report (there is nobody to send it to).
    await bot.services.dispatcher.dispatch_due()
    clock.advance(timedelta(seconds=5))
    await BroadcastWatch(bot.services, bot.app.bot).tick()
    await bot.services.dispatcher.dispatch_due()
    assert any("Workshop" in text for text in bot.texts(OTTAVINA)[-3:])
    await bot.services.db.empty_log()

    assert rows_naming(db_path, ZEBEDEO, ZEBEDEO_TRACES) == []
    assert traces(db_path, ZEBEDEO_TRACES) == [] and binary_traces(db_path, ZEBEDEO) == []
    assert rows_naming(db_path, OTTAVINA, ("Ottavina",)), "the scan sees the people who stay"
    with sqlite3.connect(db_path) as connection:
        response = connection.execute("SELECT participant_id, language, submitted_at FROM response WHERE id = ?",
                                      (kept,)).fetchone()
        answers = connection.execute("SELECT COUNT(*) FROM answer WHERE response_id = ?", (kept,)).fetchone()[0]
        broadcast = connection.execute("SELECT author_id, status FROM broadcast").fetchall()
    assert response[0] is None and response[2] is not None and answers == 3, "his feedback stays, anonymous"
    assert broadcast == [(None, "done")], "what he sent stays, with no author; his draft is gone"
    await bot.services.db.close()
    assert traces(db_path, ZEBEDEO_TRACES) == [] and binary_traces(db_path, ZEBEDEO) == []
