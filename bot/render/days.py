"""The agenda grouped by the day each event starts on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.render.timefmt import local_day
from storage.records import Event, EventSeats


def group_by_day(events: list[EventSeats], timezone_of: Callable[[Event], str]) -> list[tuple[date, list[EventSeats]]]:
    """Consecutive runs of events sharing a local day (events arrive in time order)."""
    days: list[tuple[date, list[EventSeats]]] = []
    for item in events:
        day = local_day(item.event.starts_at, timezone_of(item.event))
        if days and days[-1][0] == day:
            days[-1][1].append(item)
        else:
            days.append((day, [item]))
    return days
