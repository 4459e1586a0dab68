"""The durable inbox without a process: ``ponte run``'s polling (bot.app.inbox.poll) against the in-process
stand-in. Stored before confirmed, handled after a restart in each person's order, never handled twice when
redelivered, nothing of a person kept once handled, and a getUpdates error costs nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from telegram import Update
from telegram.error import NetworkError, TimedOut

from bot.app.application import build_application
from bot.app.inbox import Inbox, accept, poll
from bot.app.services import Services
from bot.app.stored_updates import parse, replayable
from bot.domain.agenda_file import parse_agenda
from bot.standin import FakeTelegram, StandinRequest
from handlers.context import PonteApplication
from tests.harness import EXAMPLE

WORKSHOP = "collaborative-services"
HOLDER, LATE, OTHER = 601, 602, 603


class Wire(StandinRequest):
    """The stand-in, with what a real network and a real Telegram also do to getUpdates: fail before the
    request arrives, lose the answer after Telegram sent it, send again an update it had sent, and the
    moment of each getUpdates (to look at the database just then)."""

    def __init__(self, telegram: FakeTelegram) -> None:
        super().__init__(telegram)
        self.failures: list[str] = []  # "before" (nothing reached Telegram) or "after" (the answer was lost)
        self.redeliver: list[dict[str, Any]] = []
        self.on_get_updates: list[Any] = []
        self.polls = 0
        self._polled: asyncio.Event | None = None

    async def polled(self, times: int) -> None:
        """Until getUpdates has been asked ``times`` times (callers bound it with asyncio.timeout)."""
        while self.polls < times:
            self._polled = self._polled or asyncio.Event()
            self._polled.clear()
            await self._polled.wait()

    async def do_request(self, url: str, method: str, request_data: Any = None, **timeouts: Any,
                         ) -> tuple[int, bytes]:
        if not url.lower().endswith("/getupdates"):  # Bot API method names are case-insensitive
            return await super().do_request(url, method, request_data, **timeouts)
        for look in self.on_get_updates:
            look(request_data.json_parameters if request_data else {})
        self.polls += 1
        if self._polled is not None:
            self._polled.set()
        if self.failures and self.failures[0] == "before":
            self.failures.pop(0)
            raise NetworkError("Connection reset by peer")
        status, body = await super().do_request(url, method, request_data, **timeouts)
        if self.failures and self.failures[0] == "after":
            self.failures.pop(0)
            raise TimedOut("the answer was lost on the way")
        if self.redeliver:
            answer = json.loads(body)
            answer["result"] = self.redeliver + answer["result"]
            self.redeliver = []
            body = json.dumps(answer).encode()
        return status, body


class Bot:
    """One application over the services, polling through the inbox as ``ponte run`` does."""

    def __init__(self, services: Services, telegram: FakeTelegram) -> None:
        self.services = services
        self.telegram = telegram
        self.wire = Wire(telegram)
        self.app: PonteApplication = build_application(services, request=self.wire)
        self.errors: list[BaseException] = []
        self.app.error_handlers.clear()
        self.app.add_error_handler(self._record)
        self.inbox = Inbox(services.db, services.clock)
        self.app.on_handled = self.inbox.handled
        self.pauses: list[float] = []

    async def _record(self, _: object, context: Any) -> None:
        self.errors.append(context.error)

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        self.pauses.append(seconds)  # no waiting in a test: the next getUpdates follows at once

    @contextlib.asynccontextmanager
    async def polling(self) -> AsyncIterator[None]:
        """Polling while the block runs; then stopped as ``ponte run`` stops (every handled update marked)."""
        stop = asyncio.Event()
        await self.app.initialize()
        await self.app.start()
        task = asyncio.create_task(poll(self.app, self.inbox, stop, pause=self._pause))
        try:
            yield
        finally:
            stop.set()
            async with asyncio.timeout(10):
                await task
                await self.app.update_queue.join()
                await self.inbox.idle()
            await self.app.stop()
            await self.app.shutdown()
        assert not self.errors, self.errors

    async def process(self, update: dict[str, Any]) -> None:
        """Handled directly (not through the inbox): what happened before the part a test looks at."""
        await self.app.initialize()
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def polled(self, times: int) -> None:
        async with asyncio.timeout(10):
            await self.wire.polled(times)

    async def until(self, predicate: Any) -> None:
        async with asyncio.timeout(10):
            await self.telegram.wait_for(predicate)

    def answered(self, update: dict[str, Any]) -> int:
        """How many times the press in ``update`` was answered."""
        query = update["callback_query"]["id"]
        return sum(c.params["callback_query_id"] == query for c in self.telegram.calls_to("answerCallbackQuery"))


def _rows(services: Services) -> list[tuple[int, str | None, str | None]]:
    """The inbox table as any other reader of the file sees it (what is committed)."""
    with contextlib.closing(sqlite3.connect(services.settings.db_path)) as connection:
        return connection.execute("SELECT update_id, payload, handled_at FROM inbox ORDER BY update_id").fetchall()


async def _workshop(services: Services, capacity: int) -> None:
    events = [replace(e, capacity=capacity) if e.slug == WORKSHOP else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await services.agenda.apply(events)


async def _open_detail(bot: Bot, *people: int) -> None:
    """People who consented, chose Baltimore and have the workshop's detail open."""
    for person in people:
        bot.telegram.user(person, f"Person {person}", language_code="en")
        await bot.services.people.consent(person, f"Person {person}", "en")
        await bot.services.people.set_city(person, "baltimore")
        await bot.process(bot.telegram.text_update(person, f"/start e_{WORKSHOP}"))


def _press(bot: Bot, person: int, data: str) -> dict[str, Any]:
    return bot.telegram.press_update(person, bot.telegram.last(person).message_id, data)


async def _status(services: Services, person: int) -> tuple[str | None, int | None]:
    _, standing = await services.signups.standing(person, WORKSHOP)
    return standing.status, standing.position


async def test_a_stale_redelivered_sign_up_does_not_put_back_someone_who_cancelled(services: Services) -> None:
    await _workshop(services, 1)
    bot = Bot(services, FakeTelegram())
    await _open_detail(bot, HOLDER, LATE, OTHER)
    await bot.process(_press(bot, HOLDER, f"signup:{WORKSHOP}"))
    async with bot.polling():
        sign_up = _press(bot, LATE, f"signup:{WORKSHOP}")
        bot.telegram.push(sign_up)
        await bot.until(lambda: bot.answered(sign_up))
        assert await _status(services, LATE) == ("waitlisted", 1)
        leave = _press(bot, LATE, f"cancel-yes:{WORKSHOP}")
        bot.telegram.push(leave)
        await bot.until(lambda: bot.answered(leave))
        assert await _status(services, LATE) == (None, None)
        # Telegram sends the old "Sign up" again, in the same answer as someone else's press.
        bot.wire.redeliver = [sign_up]
        other = _press(bot, OTHER, f"signup:{WORKSHOP}")
        bot.telegram.push(other)
        await bot.until(lambda: bot.answered(other))
    assert await _status(services, LATE) == (None, None)
    assert await _status(services, OTHER) == ("waitlisted", 1)
    assert bot.answered(sign_up) == 1
    # Their view still offers the waiting list: it was not redrawn by the stale press.
    assert bot.telegram.button(bot.telegram.last(LATE), "Join the waiting list") == f"signup:{WORKSHOP}"


async def test_an_update_handled_before_a_stop_is_ignored_when_redelivered_after_a_restart(
        services: Services) -> None:
    await _workshop(services, 1)
    telegram = FakeTelegram()
    first = Bot(services, telegram)
    await _open_detail(first, HOLDER, LATE)
    await first.process(_press(first, HOLDER, f"signup:{WORKSHOP}"))
    sign_up = _press(first, LATE, f"signup:{WORKSHOP}")
    async with first.polling():
        telegram.push(sign_up)
        await first.until(lambda: first.answered(sign_up))
    await services.signups.cancel(LATE, WORKSHOP)
    second = Bot(services, telegram)
    async with second.polling():
        second.wire.redeliver = [sign_up]
        poke = telegram.text_update(HOLDER, "/my")
        telegram.push(poke)
        await second.until(lambda: any("Your events" in m.text for m in telegram.chat(HOLDER)))
    assert await _status(services, LATE) == (None, None)
    assert first.answered(sign_up) == 1


async def test_stored_updates_not_handled_before_a_crash_are_handled_after_a_restart_in_order(
        services: Services) -> None:
    await _workshop(services, 1)
    telegram = FakeTelegram()
    before = Bot(services, telegram)
    await _open_detail(before, HOLDER, LATE, OTHER)
    holder_in = _press(before, HOLDER, f"signup:{WORKSHOP}")
    late_in = _press(before, LATE, f"signup:{WORKSHOP}")
    holder_out = _press(before, HOLDER, f"cancel-yes:{WORKSHOP}")
    late_out = _press(before, LATE, f"cancel-yes:{WORKSHOP}")
    other_in = _press(before, OTHER, f"signup:{WORKSHOP}")
    stored = [holder_in, late_in, holder_out, late_out, other_in]
    # The crash came after the getUpdates answer was stored and before anything of it was handled.
    assert [u["update_id"] for u in await before.inbox.receive(stored)] == [u["update_id"] for u in stored]

    after = Bot(services, telegram)
    started: list[tuple[int, int]] = []  # (person, update_id) as each handling starts
    running: set[int] = set()
    overlaps: list[int] = []
    handle = after.app.process_update

    async def watched(update: object) -> None:
        assert isinstance(update, Update)
        person = update.effective_user.id
        if person in running:
            overlaps.append(person)
        running.add(person)
        started.append((person, update.update_id))
        try:
            await handle(update)
        finally:
            running.discard(person)

    after.app.process_update = watched  # type: ignore[method-assign]
    async with after.polling():
        await after.until(lambda: all(after.answered(u) for u in stored))
        await after.polled(1)
    for person in (HOLDER, LATE, OTHER):
        mine = [update_id for who, update_id in started if who == person]
        assert mine == sorted(mine), "a person's updates were handled out of order"
    assert not overlaps, "two updates of one person were handled at once"
    assert sorted(update_id for _, update_id in started) == [u["update_id"] for u in stored]
    # Sign up, then cancel, for both: the seat went to LATE and back; OTHER, last, holds it now.
    assert await _status(services, HOLDER) == (None, None)
    assert await _status(services, LATE) == (None, None)
    assert await _status(services, OTHER) == ("confirmed", None)
    # Handled before the first getUpdates of the new run, which confirms everything stored.
    first_poll = telegram.calls_to("getUpdates")[0]
    assert first_poll.params["offset"] == other_in["update_id"] + 1


async def test_a_backlog_already_handled_before_the_crash_leaves_each_person_where_they_ended(
        services: Services) -> None:
    """The crash came after handling and before the marks: the same presses are handled once more, in each
    person's order, and a person who signed up and then cancelled stays off the list."""
    await _workshop(services, 1)
    telegram = FakeTelegram()
    before = Bot(services, telegram)
    await _open_detail(before, HOLDER, LATE)
    presses = [_press(before, HOLDER, f"signup:{WORKSHOP}"), _press(before, LATE, f"signup:{WORKSHOP}")]
    presses += [_press(before, LATE, f"cancel-yes:{WORKSHOP}"), _press(before, LATE, f"signup:{WORKSHOP}"),
                _press(before, LATE, f"cancel-yes:{WORKSHOP}")]
    await before.inbox.receive(presses)
    before.app.on_handled = None  # the process dies before any mark is written
    for press in presses:
        await before.process(press)  # on_handled was told, but the process died before the mark was written
    assert await _status(services, LATE) == (None, None)
    after = Bot(services, telegram)
    async with after.polling():
        await after.until(lambda: all(after.answered(u) == 2 for u in presses))
    assert await _status(services, HOLDER) == ("confirmed", None)
    assert await _status(services, LATE) == (None, None)


async def test_handled_updates_keep_no_payload_and_their_ids_only(services: Services) -> None:
    await _workshop(services, 30)
    bot = Bot(services, FakeTelegram())
    bot.telegram.user(HOLDER, "Quintilia", language_code="it", last_name="Zabaldano", username="quinzab")
    async with bot.polling():
        start = bot.telegram.text_update(HOLDER, "/start")
        bot.telegram.push(start)
        await bot.until(lambda: len(bot.telegram.chat(HOLDER)) == 1)
        consent = bot.telegram.press_update(HOLDER, bot.telegram.last(HOLDER).message_id,
                                            bot.telegram.button(bot.telegram.last(HOLDER), "✅"))
        bot.telegram.push(consent)
        await bot.until(lambda: bot.answered(consent))
    rows = _rows(services)
    assert [row[0] for row in rows] == [start["update_id"], consent["update_id"]]
    assert all(payload is None and handled_at is not None for _, payload, handled_at in rows)
    assert not any("Zabaldano" in str(row) or "quinzab" in str(row) for row in rows)


async def test_each_answer_is_stored_before_the_next_get_updates_confirms_it(services: Services) -> None:
    await _workshop(services, 30)
    telegram = FakeTelegram()
    bot = Bot(services, telegram)
    await _open_detail(bot, HOLDER, LATE, OTHER)
    # A run that stopped earlier had stored up to this update: the next offset must come after it.
    stored_before = _press(bot, HOLDER, f"signup:{WORKSHOP}")
    await bot.inbox.receive([stored_before])
    seen: list[tuple[int | None, list[int]]] = []
    bot.wire.on_get_updates.append(
        lambda params: seen.append((int(params["offset"]), [row[0] for row in _rows(services)])))
    batch = [_press(bot, person, f"signup:{WORKSHOP}") for person in (LATE, OTHER)]
    async with bot.polling():
        for update in batch:
            telegram.push(update)
        await bot.until(lambda: all(bot.answered(u) for u in [stored_before, *batch]))
        await bot.polled(2)
    ids = [u["update_id"] for u in batch]
    assert seen[0] == (stored_before["update_id"] + 1, [stored_before["update_id"]])
    # The second getUpdates, whose offset confirms the batch, went out only once the batch was stored.
    offset, in_database = seen[1]
    assert offset == ids[-1] + 1
    assert set(ids) <= set(in_database)


async def test_a_get_updates_error_backs_off_and_loses_nothing(services: Services) -> None:
    await _workshop(services, 30)
    telegram = FakeTelegram()
    bot = Bot(services, telegram)
    await _open_detail(bot, HOLDER, LATE, OTHER)
    presses = [_press(bot, person, f"signup:{WORKSHOP}") for person in (HOLDER, LATE, OTHER)]
    for update in presses:
        telegram.push(update)
    # Twice nothing reaches Telegram; the third time Telegram sends the presses and the answer is lost.
    bot.wire.failures = ["before", "before", "after"]
    async with bot.polling():
        await bot.until(lambda: all(bot.answered(u) for u in presses))
    assert bot.pauses == [1.0, 2.0, 4.0]
    assert [bot.answered(u) for u in presses] == [1, 1, 1]
    for person in (HOLDER, LATE, OTHER):
        assert (await _status(services, person))[0] == "confirmed"
    assert [row[0] for row in _rows(services)] == [u["update_id"] for u in presses]
    # After the lost answer the same offset asked again: Telegram had not been told the presses arrived.
    offsets = [c.params.get("offset") for c in telegram.calls_to("getUpdates")]
    assert offsets[:2] == [None, None]


async def test_a_press_is_handled_from_what_the_inbox_stored_as_after_a_restart(services: Services) -> None:
    """Handled live, a press has the same form as replayed after a crash: the message its button sits on
    keeps its id, date and chat, not its text and keyboard."""
    await _workshop(services, 30)
    bot = Bot(services, FakeTelegram())
    await _open_detail(bot, HOLDER)
    handled: list[Update] = []
    handle = bot.app.process_update

    async def watched(update: object) -> None:
        assert isinstance(update, Update)
        handled.append(update)
        await handle(update)

    bot.app.process_update = watched  # type: ignore[method-assign]
    press = _press(bot, HOLDER, f"signup:{WORKSHOP}")
    assert press["callback_query"]["message"]["reply_markup"]  # Telegram sends the whole message
    async with bot.polling():
        bot.telegram.push(press)
        await bot.until(lambda: bot.answered(press))
    [update] = handled
    message = update.callback_query.message
    assert (message.chat.id, message.message_id) == (HOLDER, press["callback_query"]["message"]["message_id"])
    assert message.text is None and message.reply_markup is None
    assert update.to_dict() == Update.de_json(replayable(press), bot.app.bot).to_dict()
    assert await _status(services, HOLDER) == ("confirmed", None)


def test_a_stored_press_becomes_the_update_the_library_would_parse(services: Services) -> None:
    """The presses built field by field equal python-telegram-bot's own parse; anything else is its parse."""
    telegram = FakeTelegram()
    bot = build_application(services, request=StandinRequest(telegram)).bot
    telegram.user(HOLDER, "Quintilia", language_code="it", last_name="Zabaldano", username="quinzab")
    sent = telegram.press_update(HOLDER, 7, f"signup:{WORKSHOP}")
    gone = {**sent, "callback_query": {**sent["callback_query"], "message": {
        "message_id": 7, "date": 0, "chat": sent["callback_query"]["message"]["chat"]}}}
    newer = {**sent, "callback_query": {**sent["callback_query"], "a_field_of_a_later_bot_api": 1}}
    text = telegram.text_update(HOLDER, "/agenda")
    for update in (replayable(sent), gone, newer, text):
        parsed = parse(update, bot)
        expected = Update.de_json(update, bot)
        assert parsed.to_dict() == expected.to_dict()
        assert parsed.api_kwargs == expected.api_kwargs
        assert type(parsed.effective_message) is type(expected.effective_message)
        assert parsed.get_bot() is bot and parsed.effective_message.get_bot() is bot
    message = parse(replayable(sent), bot).callback_query.message
    assert message.date.tzinfo is not None and message.date.timestamp() == sent["callback_query"]["message"]["date"]
    assert parse(gone, bot).callback_query.message.is_accessible is False


async def test_an_update_that_cannot_be_parsed_is_stored_all_the_same(services: Services) -> None:
    """The updates of an answer are parsed while the answer is stored: one that cannot be parsed fails
    accepting it, and the whole answer is stored all the same (nothing is left half written)."""
    bot = Bot(services, FakeTelegram())
    bot.telegram.user(HOLDER, "Person", language_code="en")
    good = bot.telegram.text_update(HOLDER, "/agenda")
    broken = {"update_id": good["update_id"] + 1, "callback_query": {"id": "9", "message": {"date": 1}}}
    with pytest.raises((TypeError, KeyError)):
        await accept(bot.app, bot.inbox, [good, broken])
    assert [row[0] for row in _rows(services)] == [good["update_id"], broken["update_id"]]
    assert bot.app.update_queue.empty()
