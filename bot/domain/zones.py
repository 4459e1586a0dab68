"""IANA time zones: which names are real zones, and the zone objects behind them."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Zones named Area/Location. The rest of the database (EST5EDT, GB, US/Eastern, Etc/GMT+5, Factory,
# localtime, posixrules) are legacy aliases or technical entries a person never means.
AREAS = frozenset({
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific",
})


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The zone for a name already known to be valid (ZoneInfo keeps its own cache; this spares the lookup)."""
    return ZoneInfo(name)


def is_timezone(name: str) -> bool:
    """Whether a text is an IANA time zone name such as ``Europe/Rome``."""
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError, OSError):
        return False
    return True


@cache
def zone_names() -> frozenset[str]:
    """Every Area/Location zone of this system's time zone database: what a person may choose. Read once
    per process (the database does not change while it runs), so nothing ever empties this cache."""
    return frozenset(name for name in available_timezones() if "/" in name and name.split("/", 1)[0] in AREAS)


# Every zone's clock changes are weeks apart: looking once a week finds each of them.
_LOOK_EVERY = timedelta(days=7)


def offsets_between(name: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """A zone's offset from UTC in seconds from ``start`` (aware) to ``end``: ``[(start, offset), (moment of
    a change, new offset), ...]``, each change to the second."""
    home = zone(name)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(home).utcoffset().total_seconds())

    steps = [(start, offset(start))]
    before = start
    while before < end:
        after = min(before + _LOOK_EVERY, end)
        if offset(after) != steps[-1][1]:
            low, high = before, after  # the change is after low and at or before high
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle -= timedelta(microseconds=middle.microsecond)
                low, high = (middle, high) if offset(middle) == steps[-1][1] else (low, middle)
            steps.append((high, offset(high)))
        before = after
    return steps
