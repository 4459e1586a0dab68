"""Telegram's sending limits, enforced by the stand-in when asked (the benchmarks and pacing tests): at most
``per_second`` messages in any second overall (``paid_per_second`` for paid broadcasts), one a second to one
chat, and past them a 429 with the ``retry_after`` that would let the message through."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from bot.standin.errors import ApiError

LIMITED_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage"})


class SendLimits:
    def __init__(self, per_second: float, *, per_chat_interval: float = 1.0, paid_per_second: float = 1000.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        self.paid_per_second = paid_per_second
        self._monotonic = monotonic
        self._free: deque[float] = deque()
        self._paid: deque[float] = deque()
        self._last_in_chat: dict[object, float] = {}
        self.throttled = 0  # how many 429 answers were given
        self.accepted = 0

    def admit(self, chat_id: object, *, paid: bool = False) -> None:
        """Count one message, or raise the 429 Telegram would answer."""
        now = self._monotonic()
        window, limit = (self._paid, self.paid_per_second) if paid else (self._free, self.per_second)
        while window and window[0] <= now - 1.0:
            window.popleft()
        waits = []
        if len(window) >= math.floor(limit):
            waits.append(window[0] + 1.0 - now)
        last = self._last_in_chat.get(chat_id)
        if last is not None and now - last < self.per_chat_interval:
            waits.append(last + self.per_chat_interval - now)
        if waits:
            self.throttled += 1
            retry_after = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        window.append(now)
        self._last_in_chat[chat_id] = now
        self.accepted += 1
