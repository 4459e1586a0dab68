"""Durations as people write them, the same in settings and in the agenda file: a whole number and a unit,
``90s``, ``15m``, ``24h``, ``2d``.

The one parser of that syntax. It lives beside the clock rather than in bot.domain because the settings
need it too, and bot.config imports nothing from the layers above it; the domain (the agenda file, the
reminders) imports it from here."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
LONGEST = timedelta(days=366)


class DurationError(ValueError):
    """Not a duration of this syntax; the message names the value."""


def parse_duration(text: object) -> timedelta:
    """``"90s"`` -> 90 seconds, ``"15m"``, ``"24h"``, ``"2d"``; anything else raises :class:`DurationError`."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise DurationError(f"{text!r} is not a duration such as 90s, 15m, 24h or 2d")
    duration = timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    if duration > LONGEST:
        raise DurationError(f"{text!r} is longer than a year")
    return duration


def format_duration(duration: timedelta) -> str:
    """The shortest way to write ``duration`` in the same syntax: 86400 s -> ``1d``, 5400 s -> ``90m``."""
    seconds = int(duration.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds and seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"
