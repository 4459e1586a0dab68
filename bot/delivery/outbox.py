"""Sends the outbox: due rows go out under the rate limits and are marked sent, skipped or failed.
The database is the only truth, so a restart rebuilds everything from it."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.config.clock import Clock
from bot.delivery.pacing import Pacer
from bot.domain.languages import language_for
from bot.render.buttons import Notice
from bot.render.i18n import translator
from bot.render.notices import render_notice
from storage import Database
from storage.records import OutboxStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 100


class Delivery(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # the person blocked the bot or deleted their account: sending again cannot help
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class DeliveryResult:
    status: Delivery
    retry_after: float = 0.0
    error: str | None = None


Deliver = Callable[[int, Notice], Awaitable[DeliveryResult]]


class Source(Protocol):
    """Rows derived from the database when their moment comes (reminders, change notices): written to the
    outbox just before each dispatch, and the moment of the next one, so that the schedule wakes for it."""

    async def materialise(self, now: datetime) -> int: ...

    async def next_due(self, now: datetime) -> datetime | None: ...


class Dispatcher:
    def __init__(self, db: Database, clock: Clock, pacer: Pacer | None = None, *, automatic: bool = True) -> None:
        self._db = db
        self._clock = clock
        self._pacer = pacer or Pacer()
        self._deliver: Deliver | None = None
        self._lock = asyncio.Lock()
        self._automatic = automatic
        self._tasks: set[asyncio.Task[int]] = set()
        self._sources: list[Source] = []

    def add_source(self, source: Source) -> None:
        self._sources.append(source)

    def attach(self, deliver: Deliver) -> None:
        self._deliver = deliver

    def wake(self) -> None:
        """Something was queued for now: send it without waiting for the next sweep."""
        if not self._automatic or self._deliver is None:
            return
        task = asyncio.get_running_loop().create_task(self.dispatch_due())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait for the sends that :meth:`wake` started (the shell and tests use it)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def next_due(self) -> datetime | None:
        """The earliest moment something is due: a row of the outbox, or a reminder or notice to derive."""
        async with self._db.transaction() as tx:
            due = await tx.outbox.next_due()
        now = self._clock.now()
        for source in self._sources:
            derived = await source.next_due(now)
            if derived is not None and (due is None or derived < due):
                due = derived
        return due

    async def dispatch_due(self) -> int:
        """Send everything due now; returns how many were sent. Runs one at a time, so nothing goes twice."""
        if self._deliver is None:
            return 0
        sent = 0
        async with self._lock:
            for source in self._sources:
                try:
                    await source.materialise(self._clock.now())
                except Exception:
                    # What was written before stays to be sent; the next dispatch tries this source again.
                    log.exception("deriving notices from %s failed", type(source).__name__)
            while True:
                now = self._clock.now()
                async with self._db.transaction() as tx:
                    batch = await tx.outbox.due(now, BATCH)
                    people = await tx.participants.get_many(sorted({m.recipient_id for m in batch}))
                    events = {event_id: await tx.events.by_id(event_id)
                              for event_id in {m.event_id for m in batch if m.event_id}}
                if not batch:
                    return sent
                for message in batch:
                    person = people.get(message.recipient_id)
                    language = language_for(person.language if person else None, None)
                    try:
                        notice = (
                            render_notice(message, person, events.get(message.event_id), translator(language),
                                          self._clock.now())
                            if person else None
                        )
                    except Exception as error:
                        log.exception("outbox message %s cannot be rendered", message.id)
                        await self._record(message.id, MAX_ATTEMPTS, DeliveryResult(
                            Delivery.FAILED, error=f"cannot be rendered: {error!r}"))
                        continue
                    if notice is None:
                        result = DeliveryResult(Delivery.GONE, error="nothing to say any more")
                    else:
                        await self._pacer.wait_turn(message.recipient_id)
                        result = await self._deliver(message.recipient_id, notice)
                    sent += result.status is Delivery.SENT
                    await self._record(message.id, message.attempts, result)

    async def _record(self, message_id: int, attempts: int, result: DeliveryResult) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if result.status is Delivery.SENT:
                await tx.outbox.finish(message_id, OutboxStatus.SENT, now)
            elif result.status is Delivery.GONE:
                await tx.outbox.finish(message_id, OutboxStatus.SKIPPED, now, result.error)
            elif result.status is Delivery.RETRY and attempts + 1 < MAX_ATTEMPTS:
                if result.retry_after:
                    self._pacer.pause(result.retry_after)
                delay = result.retry_after or 30.0 * 2**attempts
                await tx.outbox.retry_at(message_id, now + timedelta(seconds=delay), result.error or "")
            else:
                log.warning("outbox message %s failed: %s", message_id, result.error)
                await tx.outbox.finish(message_id, OutboxStatus.FAILED, now, result.error)
