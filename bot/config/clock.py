"""Time comes from a clock object so that tests and benchmarks can set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to: for tests, the shell's time travel and benchmarks."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class ShiftedClock:
    """The real time, moved ahead on demand: ``ponte shell``'s ``/wait 23h`` lets a person see tomorrow's
    reminders now. It keeps running, as the clock on the wall does."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._ahead = timedelta()

    def now(self) -> datetime:
        return self._base.now() + self._ahead

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta():
            raise ValueError("the clock only moves forward")
        self._ahead += delta

    def shift(self, delta: timedelta) -> None:
        """Set the clock once, before it is used, to another moment (back or ahead): PONTE_NOW."""
        self._ahead += delta
