"""Sends the outbox: due rows go out under the rate limits, personal rows before bulk ones, and each is marked
sent, skipped, failed or due again. The database is the only truth, so a restart rebuilds everything from it.

At least once, honestly: a row is marked ``sending`` before it is handed to Telegram and marked again with
Telegram's answer. A crash in between leaves it ``sending``; the next start sends a personal row again and
counts a bulk row as ``uncertain`` (see ``OutboxRepository.recover_interrupted``)."""

from __future__ import annotations

import asyncio
import enum
import logging
import math
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
from storage.records import Event, OutboxLane, OutboxMessage, OutboxStatus, Participant

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class Delivery(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # the person blocked the bot or deleted their account: sending again cannot help
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class DeliveryResult:
    status: Delivery
    retry_after: float = 0.0  # set for a 429: Telegram asks everyone to wait this long
    error: str | None = None


class Deliver(Protocol):
    def __call__(self, chat_id: int, notice: Notice, *, paid: bool = False) -> Awaitable[DeliveryResult]:
        """Send one notice; ``paid`` for a bulk row sent as a paid broadcast."""


# Told, after every dispatch, when the earliest row still waiting is due (None: nothing waits).
Alarm = Callable[[datetime | None], None]


class Source(Protocol):
    """Rows derived from the database when their moment comes (reminders, change notices): written to the
    outbox just before each dispatch, and the moment of the next one, so that the schedule wakes for it."""

    async def materialise(self, now: datetime) -> int: ...

    async def next_due(self, now: datetime) -> datetime | None: ...


class Dispatcher:
    def __init__(self, db: Database, clock: Clock, pacer: Pacer | None = None, *, automatic: bool = True,
                 paid_broadcasts: bool = False) -> None:
        self._db = db
        self._clock = clock
        self._pacer = pacer or Pacer()
        self._paid_broadcasts = paid_broadcasts
        # Enough sends in flight to keep the rate with a quarter of a second's round trip to Telegram.
        self._in_flight = max(2, min(100, math.ceil(self._pacer.per_second / 4)))
        self._deliver: Deliver | None = None
        self._alarm: Alarm | None = None
        self._lock = asyncio.Lock()
        self._automatic = automatic
        self._again = False
        self._recovered = False
        self._tasks: set[asyncio.Task[int]] = set()
        self._sources: list[Source] = []

    def add_source(self, source: Source) -> None:
        self._sources.append(source)

    @property
    def send_rate(self) -> float:
        """Messages per second overall that this dispatcher keeps to."""
        return self._pacer.per_second

    def attach(self, deliver: Deliver) -> None:
        self._deliver = deliver

    def set_alarm(self, alarm: Alarm) -> None:
        self._alarm = alarm

    def wake(self) -> None:
        """Something was queued: send what is due without waiting for the next sweep. A dispatch under way
        takes it (personal rows first, even in the middle of a broadcast); otherwise one starts."""
        if not self._automatic or self._deliver is None:
            return
        if self._lock.locked():
            self._again = True
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
        async with self._db.serialized() as tx:
            due = await tx.outbox.next_due()
        now = self._clock.now()
        for source in self._sources:
            derived = await source.next_due(now)
            if derived is not None and (due is None or derived < due):
                due = derived
        return due

    async def recover(self) -> tuple[int, int]:
        """Settle the rows a crash left ``sending``: personal ones go again, bulk ones become uncertain.
        Runs once, before this process's first dispatch (a process that only queues rows never runs it)."""
        self._recovered = True
        async with self._db.transaction() as tx:
            resent, uncertain = await tx.outbox.recover_interrupted(self._clock.now())
        if resent or uncertain:
            log.warning("after a stop in the middle of sending: %d personal messages go again, %d broadcast "
                        "messages are counted as uncertain", resent, uncertain)
        return resent, uncertain

    async def dispatch_due(self) -> int:
        """Send everything due now; returns how many were sent. Runs one at a time, so nothing goes twice."""
        if self._deliver is None:
            return 0
        async with self._lock:
            if not self._recovered:
                await self.recover()
            for source in self._sources:
                try:
                    await source.materialise(self._clock.now())
                except Exception:
                    # What was written before stays to be sent; the next dispatch tries this source again.
                    log.exception("deriving notices from %s failed", type(source).__name__)
            sent = await self._send_due(self._deliver)
            if self._alarm is not None:
                self._alarm(await self.next_due())
        if self._again:
            # Woken while the last sends settled or the alarm was set: nothing claimed that, so go again.
            self.wake()
        return sent

    async def _send_due(self, deliver: Deliver) -> int:
        sent = 0
        slots = asyncio.Semaphore(self._in_flight)
        sends: set[asyncio.Task[bool]] = set()

        async def send(message: OutboxMessage, notice: Notice, paid: bool) -> bool:
            try:
                result = await deliver(message.recipient_id, notice, paid=paid)
            except Exception as error:
                log.exception("sending outbox message %s raised", message.id)
                result = DeliveryResult(Delivery.RETRY, error=repr(error))
            await self._record(message, result)
            return result.status is Delivery.SENT

        def done(task: asyncio.Task[bool]) -> None:
            nonlocal sent
            sends.discard(task)
            slots.release()
            if not task.cancelled() and task.exception() is None:
                sent += task.result()

        try:
            while True:
                self._again = False
                await slots.acquire()
                claimed = await self._claim()
                if claimed is None:
                    slots.release()
                    if self._again:
                        continue
                    break
                message, person, event = claimed
                paid = self._paid_broadcasts and message.lane is OutboxLane.BULK
                # Rendered once its turn has come: a 429 pause can last long, and a reminder's "starts in
                # 20 minutes" must be true when it goes out.
                await self._pacer.wait_turn(message.recipient_id, paid=paid)
                try:
                    notice = self._render(message, person, event)
                except Exception as error:
                    log.exception("outbox message %s cannot be rendered", message.id)
                    await self._record(message, DeliveryResult(Delivery.FAILED,
                                                               error=f"cannot be rendered: {error!r}"))
                    slots.release()
                    continue
                if notice is None:
                    await self._record(message, DeliveryResult(Delivery.GONE, error="nothing to say any more"))
                    slots.release()
                    continue
                task = asyncio.get_running_loop().create_task(send(message, notice, paid))
                sends.add(task)
                task.add_done_callback(done)
        finally:
            if sends:
                await asyncio.gather(*list(sends), return_exceptions=True)
        return sent

    async def _claim(self) -> tuple[OutboxMessage, Participant | None, Event | None] | None:
        async with self._db.transaction() as tx:
            message = await tx.outbox.claim(self._clock.now())
            if message is None:
                return None
            person = await tx.participants.get(message.recipient_id)
            event = await tx.events.by_id(message.event_id) if message.event_id else None
        return message, person, event

    def _render(self, message: OutboxMessage, person: Participant | None, event: Event | None) -> Notice | None:
        """The row in its reader's language, as it reads at the moment of sending ("starts in 20 minutes")."""
        if person is None:
            return None
        language = language_for(person.language, None)
        return render_notice(message, person, event, translator(language), self._clock.now())

    async def _record(self, message: OutboxMessage, result: DeliveryResult) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if result.status is Delivery.SENT:
                await tx.outbox.finish(message.id, OutboxStatus.SENT, now)
            elif result.status is Delivery.GONE:
                await tx.outbox.finish(message.id, OutboxStatus.SKIPPED, now, result.error)
            elif result.status is Delivery.RETRY and result.retry_after:
                # Telegram asked everyone to wait: not this message's fault, so no attempt is used.
                self._pacer.pause(result.retry_after)
                await tx.outbox.retry_at(message.id, now + timedelta(seconds=result.retry_after),
                                         result.error or "", counted=False)
            elif result.status is Delivery.RETRY and message.attempts + 1 < MAX_ATTEMPTS:
                delay = 30.0 * 2**message.attempts
                await tx.outbox.retry_at(message.id, now + timedelta(seconds=delay), result.error or "")
            else:
                log.warning("outbox message %s failed: %s", message.id, result.error)
                await tx.outbox.finish(message.id, OutboxStatus.FAILED, now, result.error)
