"""IANA time zones: which names are real zones, and the zone objects behind them."""

from __future__ import annotations

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
