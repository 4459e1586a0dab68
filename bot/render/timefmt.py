"""Dates and times for people, through Babel, in a time zone and a reader's language."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_interval, format_time, get_timezone_location

from bot.domain.zones import zone
from bot.render.i18n import Translator

# Formatting is memoised: the same few events are shown thousands of times, and Babel's pattern work is the
# costliest part of a reply. Every function here is pure in its arguments (a Translator is one per language).
BABEL_LOCALE = {"it": "it_IT", "en": "en_US"}
_TIME_PATTERN = {"it": "HH:mm", "en": "h:mm a"}
_TIME_SKELETON = {"it": "Hm", "en": "hm"}
_DAY_PATTERN = {"it": "EEEE d MMMM", "en": "EEEE, MMMM d"}
_DATE_PATTERN = {"it": "d MMMM y", "en": "MMMM d, y"}

# The two cities of the exchange are named as their people name them, not by Babel's zone exemplars.
_CITY = {
    "Europe/Rome": {"it": "Torino", "en": "Turin"},
    "America/New_York": {"it": "Baltimora", "en": "Baltimore"},
}




@lru_cache(maxsize=4096)
def city_name(timezone: str, language: str) -> str:
    if timezone in _CITY:
        return _CITY[timezone][language]
    return get_timezone_location(zone(timezone), locale=BABEL_LOCALE[language], return_city=True)


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(zone(timezone)).date()


@lru_cache(maxsize=4096)
def day_label(day: date, language: str) -> str:
    """``giovedì 14 novembre`` / ``Thursday, November 14``."""
    return format_date(day, _DAY_PATTERN[language], locale=BABEL_LOCALE[language])


@lru_cache(maxsize=4096)
def short_weekday(moment: datetime, timezone: str, language: str) -> str:
    """``mer`` / ``Wed``: enough to tell days apart on a button."""
    return format_date(local_day(moment, timezone), "EEE", locale=BABEL_LOCALE[language])


@lru_cache(maxsize=4096)
def full_date(day: date, language: str) -> str:
    return format_date(day, _DATE_PATTERN[language], locale=BABEL_LOCALE[language])


@lru_cache(maxsize=4096)
def clock_time(moment: datetime, timezone: str, language: str) -> str:
    """``10:30`` / ``10:30 AM`` in the given zone."""
    return format_time(moment, _TIME_PATTERN[language], tzinfo=zone(timezone), locale=BABEL_LOCALE[language])


@lru_cache(maxsize=4096)
def time_range(start: datetime, end: datetime, timezone: str, language: str) -> str:
    return format_interval(
        start, end, _TIME_SKELETON[language], tzinfo=zone(timezone), locale=BABEL_LOCALE[language]
    )


@lru_cache(maxsize=4096)
def event_times(t: Translator, start: datetime, end: datetime, event_tz: str, reader_tz: str | None) -> str:
    """The event's hours where it happens and, for a reader elsewhere, in the reader's zone too."""
    here = time_range(start, end, event_tz, t.language)
    if not reader_tz or reader_tz == event_tz or _same_offsets(start, end, event_tz, reader_tz):
        return here
    there = time_range(start, end, reader_tz, t.language)
    there_day = local_day(start, reader_tz)
    if there_day != local_day(start, event_tz):
        return t._(
            "{event_range} in {event_city} · {reader_range} on {reader_day} in {reader_city}",
            event_range=here,
            event_city=city_name(event_tz, t.language),
            reader_range=there,
            reader_day=day_label(there_day, t.language),
            reader_city=city_name(reader_tz, t.language),
        )
    return t._(
        "{event_range} in {event_city} · {reader_range} in {reader_city}",
        event_range=here,
        event_city=city_name(event_tz, t.language),
        reader_range=there,
        reader_city=city_name(reader_tz, t.language),
    )


def _same_offsets(start: datetime, end: datetime, a: str, b: str) -> bool:
    return all(m.astimezone(zone(a)).utcoffset() == m.astimezone(zone(b)).utcoffset() for m in (start, end))
