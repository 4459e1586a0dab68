"""Keeps sends inside Telegram's limits: ``PONTE_SEND_RATE`` messages a second overall (paid broadcasts have
their own, higher allowance), one a second per chat, and everyone waits out a 429's ``retry_after``.
python-telegram-bot's AIORateLimiter paces neither per private chat nor without an initial burst."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

DEFAULT_RATE = 25.0  # below Telegram's 30 a second
PAID_RATE = 1000.0  # Telegram's ceiling for paid broadcasts (allow_paid_broadcast)
# Requests reach Telegram a little earlier or later than they leave: pacing at the very limit would let a
# late one and an early one land in the same second now and then. A 2% margin absorbs that jitter.
MARGIN = 1.02
# A turn missed by a few milliseconds (the event loop woke late) is made up at once, so that pacing does not
# drift below the rate; a longer stall is not made up with a burst.
CATCH_UP = 0.002


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

    async def wait_turn(self, chat_id: int, *, paid: bool = False) -> None:
        """Until this chat may be sent a message; ``paid`` for a paid broadcast's message."""
        while True:
            now = self._monotonic()
            turn = max(self._next_paid if paid else self._next_free, self._paused_until,
                       self._next_chat.get(chat_id, 0.0))
            if turn <= now:
                break
            # Look again after sleeping: a 429 met meanwhile may have paused everyone for longer.
            await self._sleep(turn - now)
        start = max(turn, now - CATCH_UP)
        if paid:
            self._next_paid = start + self._paid_interval
        else:
            self._next_free = start + self._interval
        self._next_chat[chat_id] = start + self._per_chat
        if len(self._next_chat) > 10_000:
            self._next_chat = {chat: t for chat, t in self._next_chat.items() if t > now}

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it has passed."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)
