"""Keeps sends inside Telegram's limits: ``PONTE_SEND_RATE`` messages a second overall (paid broadcasts have
their own, higher allowance), one a second per chat, and everyone waits out a 429's ``retry_after``.
python-telegram-bot's AIORateLimiter paces neither per private chat nor without an initial burst."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

DEFAULT_RATE = 25.0  # below Telegram's 30 a second
PAID_RATE = 1000.0  # Telegram's ceiling for paid broadcasts (allow_paid_broadcast)
# Requests reach Telegram a little later than they leave, and not all equally late: pacing at the very limit
# lets a late one and a punctual one land in the same second now and then, and one 429 costs a second of
# sending. On this 2-core machine under load, 1 request in 100 took over 20 ms longer than the others and
# 1 in 200 over 40 ms (bench/broadcast.py): a 4% margin (40 ms a second) absorbs that.
MARGIN = 1.04
# And whatever the event loop's delays, no second ever holds more than the limit: the message after as many as
# the limit waits until a second (and 20 ms) has passed since the first of them went.
WINDOW = 1.02


class Pacer:
    def __init__(
        self,
        *,
        per_second: float = DEFAULT_RATE,
        paid_per_second: float = PAID_RATE,
        per_chat_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self._interval = MARGIN / per_second
        self._paid_interval = MARGIN / paid_per_second
        self._per_chat = per_chat_interval * MARGIN
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_free = 0.0
        self._next_paid = 0.0
        self._paused_until = 0.0
        self._next_chat: dict[int, float] = {}
        # When the last messages went, as many as the limit allows in a second: no second ever holds more.
        self._recent_free: deque[float] = deque(maxlen=max(1, math.floor(per_second)))
        self._recent_paid: deque[float] = deque(maxlen=max(1, math.floor(paid_per_second)))

    async def wait_turn(self, chat_id: int, *, paid: bool = False) -> None:
        """Until this chat may be sent a message; ``paid`` for a paid broadcast's message."""
        recent = self._recent_paid if paid else self._recent_free
        interval = self._paid_interval if paid else self._interval
        while True:
            now = self._monotonic()
            turn = max(self._next_paid if paid else self._next_free, self._paused_until,
                       self._next_chat.get(chat_id, 0.0),
                       recent[0] + WINDOW if len(recent) == recent.maxlen else 0.0)
            if turn <= now:
                break
            # Look again after sleeping: a 429 met meanwhile may have paused everyone for longer.
            await self._sleep(turn - now)
        # A turn the event loop woke late for is made up (up to one interval), so that the pace does not drift
        # below the rate; the window of recent sends keeps that from ever crowding one second.
        start = max(turn, now - interval)
        if paid:
            self._next_paid = start + interval
        else:
            self._next_free = start + interval
        recent.append(now)
        self._next_chat[chat_id] = now + self._per_chat
        if len(self._next_chat) > 10_000:
            self._next_chat = {chat: t for chat, t in self._next_chat.items() if t > now}

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it has passed."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)
