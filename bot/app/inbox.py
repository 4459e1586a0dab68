"""Updates that survive a crash: each getUpdates answer is stored before Telegram is told it arrived (the
next getUpdates carries the offset that confirms it), each update is marked once handled, and a restart
handles what was stored and not yet handled. A redelivered update changes nothing.

python-telegram-bot's Updater confirms updates before handlers run and queues thousands of them in memory,
so a kill lost most of a rush (measured: 2,714 of 3,000 presses); this replaces it for ``ponte run``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot.app.stored_updates import parse, replayable
from bot.config.clock import Clock
from bot.telegram.errors import retry_seconds
from bot.telegram.ponte_bot import GET_UPDATES
from storage import Database

log = logging.getLogger(__name__)
# my_chat_member: Telegram says so when a person blocks the bot, or unblocks it.
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)
POLL_SECONDS = 30
KEEP_HANDLED = timedelta(days=8)


class Inbox:
    """The stored updates. Marks are written in groups, as handling ends: a crash between handling and
    marking only means that update is handled once more, and every write an update causes is idempotent."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._handled: list[int] = []
        self._marker: asyncio.Task[None] | None = None

    async def receive(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store a getUpdates answer in one statement; the updates not seen before, in order, as stored
        (what handling them needs: the same whether handled now or after a restart)."""
        kept = [replayable(update) for update in updates]
        encoded = [(update["update_id"], json.dumps(update, ensure_ascii=False, check_circular=False))
                   for update in kept]
        async with self._db.serialized() as tx:
            new = await tx.inbox.store(encoded, self._clock.now())
        return [update for update in kept if update["update_id"] in new]

    async def unhandled(self) -> list[dict[str, Any]]:
        async with self._db.serialized() as tx:
            return [json.loads(payload) for payload in await tx.inbox.unhandled()]

    async def next_offset(self) -> int | None:
        async with self._db.serialized() as tx:
            last = await tx.inbox.last_id()
            await tx.inbox.forget_handled_before(self._clock.now() - KEEP_HANDLED)
        return last + 1 if last is not None else None

    def handled(self, update_id: int) -> None:
        self._handled.append(update_id)
        if self._marker is None or self._marker.done():
            self._marker = asyncio.get_running_loop().create_task(self._mark())

    async def _mark(self) -> None:
        while self._handled:
            async with self._db.serialized() as tx:
                # Taken once the database is ours: every update handled while this waited for it goes in
                # the same statement (taken before, a rush wrote one mark per update).
                batch, self._handled = self._handled, []
                try:
                    await tx.inbox.mark_handled(batch, self._clock.now())
                except Exception:
                    # Kept for the next try; unmarked, they would only be handled once more after a restart.
                    self._handled = batch + self._handled
                    log.exception("could not mark %d handled updates", len(batch))
                    return

    async def idle(self) -> None:
        """Until every handled update is marked."""
        while self._marker is not None and not self._marker.done():
            await self._marker


async def accept(application: Application, inbox: Inbox, updates: list[dict[str, Any]]) -> None:
    """Store a getUpdates answer, then queue for handling what was not seen before (a redelivered update
    is not queued again)."""
    storing = asyncio.ensure_future(inbox.receive(updates))
    bot = application.bot
    try:
        # One turn of the loop takes the statement to SQLite's thread; the updates are parsed while it runs
        # there (the wait for the database was a third of storing's cost, measured with bench/signup_burst.py).
        await asyncio.sleep(0)
        parsed = {update["update_id"]: parse(replayable(update), bot) for update in updates}
    finally:
        new = await storing  # stored even when an update cannot be parsed, and never left running
    for stored in new:
        application.update_queue.put_nowait(parsed[stored["update_id"]])


async def handle_backlog(application: Application, updates: Iterable[dict[str, Any]]) -> None:
    """Handle what a stop or a crash left stored and unmarked: each person's updates one after another, in
    the order they arrived, different people side by side. Some of these were handled already (the crash
    came before their mark), so a person's "Sign up" and then "Cancel" must not be replayed the other way
    round, as concurrent handling could: that would put back on a list someone who had left it."""
    by_person: dict[int | None, list[Update]] = {}
    for data in updates:
        update = parse(data, application.bot)
        person = update.effective_user.id if update.effective_user else None
        by_person.setdefault(person, []).append(update)

    async def in_turn(person_updates: list[Update]) -> None:
        for update in person_updates:
            await application.process_update(update)

    await asyncio.gather(*(in_turn(person_updates) for person_updates in by_person.values()))


async def poll(application: Application, inbox: Inbox, stop: asyncio.Event, *,
               pause: Callable[[asyncio.Event, float], Awaitable[None]] | None = None) -> None:
    """Long polling until ``stop`` is set: store, then confirm, then handle. After a getUpdates error it
    waits (``pause``: until ``stop`` or the seconds have passed) 1 s, then twice as long each time, up to 30."""
    bot = application.bot
    pause = pause or _wait
    await handle_backlog(application, await inbox.unhandled())
    offset = await inbox.next_offset()
    await bot.delete_webhook()
    seconds = 1.0
    while not stop.is_set():
        fetch = asyncio.ensure_future(bot.do_api_request(
            GET_UPDATES, {"offset": offset, "timeout": POLL_SECONDS, "allowed_updates": list(ALLOWED_UPDATES)},
            read_timeout=POLL_SECONDS + 10))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            # Stopping: what this poll would have brought stays unconfirmed, so Telegram keeps it for later.
            fetch.cancel()
            break
        try:
            updates = fetch.result()
        except InvalidToken:
            raise
        except (RetryAfter, Conflict, TelegramError) as error:
            # Telegram's own wait, when it names one, is the least to wait.
            wait = max(seconds, retry_seconds(error)) if isinstance(error, RetryAfter) else seconds
            log.warning("getUpdates failed (%s); trying again in %.0f s", error, wait)
            await pause(stop, wait)
            seconds = min(seconds * 2, 30.0)
            continue
        seconds = 1.0
        if updates:
            await accept(application, inbox, updates)
            offset = updates[-1]["update_id"] + 1


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
