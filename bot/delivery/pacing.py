"""Keeps bulk sends inside Telegram's limits: about 30 messages a second overall, one a second per chat.
python-telegram-bot's AIORateLimiter paces neither per private chat nor without an initial burst."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pacer:
    def __init__(
        self,
        *,
        per_second: float = 25.0,
        per_chat_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_any = 0.0
        self._next_chat: dict[int, float] = {}

    async def wait_turn(self, chat_id: int) -> None:
        now = self._monotonic()
        turn = max(now, self._next_any, self._next_chat.get(chat_id, 0.0))
        if turn > now:
            await self._sleep(turn - now)
        self._next_any = turn + self._interval
        self._next_chat[chat_id] = turn + self._per_chat
        if len(self._next_chat) > 10_000:
            self._next_chat = {chat: t for chat, t in self._next_chat.items() if t > turn}

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it has passed."""
        self._next_any = max(self._next_any, self._monotonic() + seconds)
