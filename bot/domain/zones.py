"""IANA time zones: which names are real zones, and the zone objects behind them."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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
