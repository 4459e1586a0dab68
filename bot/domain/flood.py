"""How much one person may ask for at once. Nobody means a hundred /agenda in a tenth of a second, and
answering each would flood their chat past what Telegram accepts; a person tapping through the agenda
never comes near the limit."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

BURST = 10  # updates one person may send at once
PER_SECOND = 2.0  # and how fast the allowance comes back
_FORGET_AFTER = 600  # entries, in number of people, before idle ones are dropped


@dataclass
class _Allowance:
    tokens: float
    at: float
    warned: bool = False


class FloodGate:
    """A token bucket per person. Lives in memory: a flood is a matter of seconds, and a restart ends it.
    Its own monotonic clock (the agenda's clock can be set back and forth by the shell and tests)."""

    def __init__(self, *, burst: int = BURST, per_second: float = PER_SECOND,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._burst = burst
        self._rate = per_second
        self._monotonic = monotonic
        self._people: dict[int, _Allowance] = {}

    def admit(self, person: int) -> tuple[bool, bool]:
        """(handle this update, say one word about the flood now): the word comes once per flood."""
        now = self._monotonic()
        allowance = self._people.get(person)
        if allowance is None:
            if len(self._people) > _FORGET_AFTER:
                self._forget_full(now)
            allowance = self._people[person] = _Allowance(float(self._burst), now)
        elapsed = max(now - allowance.at, 0.0)
        allowance.tokens = min(float(self._burst), allowance.tokens + elapsed * self._rate)
        allowance.at = now
        if allowance.tokens >= 1:
            allowance.tokens -= 1
            if allowance.tokens >= self._burst / 2:
                allowance.warned = False  # the flood is over: a later one gets its word again
            return True, False
        warn = not allowance.warned
        allowance.warned = True
        return False, warn

    def _forget_full(self, now: float) -> None:
        self._people = {
            person: a for person, a in self._people.items() if a.tokens + (now - a.at) * self._rate < self._burst
        }
