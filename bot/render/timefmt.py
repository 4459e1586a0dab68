"""Dates and times for people, through Babel, in a time zone and a reader's language.

The rule every view follows: a time or date a person reads is either in their own zone, or it says whose time
it is (a city name). The views never format a time themselves; they pick one of the phrases below:

- :func:`event_times`: an event's hours where it happens and, for a reader elsewhere, in the reader's zone;
  for a reader without a zone, labelled with the event's city.
- :func:`day_at`: one moment (a sign-up cut-off) as "Tuesday, January 19 at 6:00 PM", in the reader's zone,
  labelled with a city unless the reader and the event share their clock.
- :func:`list_moment` with :func:`zone_note`: a list of moments (``/my``) in the reader's zone, with one note
  saying whose time; without a zone each line names the event's city.
- :func:`button_moment`: "Mon 4:00 AM", short enough for a button, with the city when the reader has no zone.

Formatting is memoised: the same few events are shown thousands of times, and Babel's pattern work is the
costliest part of a reply. Each cache below belongs to this module, is keyed on plain values (datetimes, zone
names, the language code) and is bounded by its ``maxsize``; nothing empties it because nothing in it can go
stale (the catalogs are compiled once per process).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from babel.dates import format_date, format_interval, format_time, get_timezone_location

from bot.domain.zones import is_timezone, zone
from bot.render.i18n import Translator, translator

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


@lru_cache(maxsize=256)
def reader_zone(name: str | None) -> str | None:
    """The reader's zone when it is one we can use; None (show each event's city) otherwise."""
    return name if name and is_timezone(name) else None


@lru_cache(maxsize=4096)
def city_name(timezone: str, language: str) -> str:
    if timezone in _CITY:
        return _CITY[timezone][language]
    return get_timezone_location(zone(timezone), locale=BABEL_LOCALE[language], return_city=True)


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(zone(timezone)).date()


@lru_cache(maxsize=4096)
def day_label(day: date, language: str) -> str:
    """``giovedì 14 novembre`` / ``Thursday, November 14``: the one way a day is written."""
    return format_date(day, _DAY_PATTERN[language], locale=BABEL_LOCALE[language])


@lru_cache(maxsize=4096)
def short_weekday(moment: datetime, timezone: str, language: str) -> str:
    """``mer`` / ``Wed``: enough to tell days apart on a button."""
    return format_date(local_day(moment, timezone), "EEE", locale=BABEL_LOCALE[language])


@lru_cache(maxsize=4096)
def full_date(day: date, language: str) -> str:
    """``14 novembre 2024`` / ``November 14, 2024``: for files and records, where the year matters."""
    return format_date(day, _DATE_PATTERN[language], locale=BABEL_LOCALE[language])


@lru_cache(maxsize=4096)
def clock_time(moment: datetime, timezone: str, language: str) -> str:
    """``10:30`` / ``10:30 AM`` in the given zone, with no label: callers use the phrases below."""
    return format_time(moment, _TIME_PATTERN[language], tzinfo=zone(timezone), locale=BABEL_LOCALE[language])


def same_clock(moments: tuple[datetime, ...], a: str, b: str) -> bool:
    """Whether two zones read the same hour at each of these moments (Turin and Paris, say)."""
    return a == b or all(m.astimezone(zone(a)).utcoffset() == m.astimezone(zone(b)).utcoffset() for m in moments)


@lru_cache(maxsize=4096)
def time_range(start: datetime, end: datetime, timezone: str, language: str) -> str:
    """``22:30–01:00 (giorno dopo)`` / ``10:30 AM – 12:00 PM``: an end on a later day says so."""
    hours = format_interval(start, end, _TIME_SKELETON[language], tzinfo=zone(timezone),
                            locale=BABEL_LOCALE[language])
    days_later = (local_day(end, timezone) - local_day(start, timezone)).days
    if days_later <= 0:
        return hours
    t = translator(language)
    if days_later == 1:
        return t._("{range} (next day)", range=hours)
    return t.n_("{range} (ends {n} day later)", "{range} (ends {n} days later)", days_later, range=hours)


def event_times(t: Translator, start: datetime, end: datetime, event_tz: str, reader_tz: str | None) -> str:
    """The event's hours where it happens and, for a reader elsewhere, in the reader's zone too; for a
    reader without a zone, the hours say which city they belong to."""
    return _event_times(t.language, start, end, event_tz, reader_zone(reader_tz))


@lru_cache(maxsize=4096)
def _event_times(language: str, start: datetime, end: datetime, event_tz: str, reader_tz: str | None) -> str:
    t = translator(language)
    here = time_range(start, end, event_tz, language)
    event_city = city_name(event_tz, language)
    if reader_tz is None:
        return t._("{event_range} in {event_city}", event_range=here, event_city=event_city)
    if same_clock((start, end), event_tz, reader_tz):
        return here
    there = time_range(start, end, reader_tz, language)
    there_day = local_day(start, reader_tz)
    if there_day != local_day(start, event_tz):
        return t._(
            "{event_range} in {event_city} · {reader_range} on {reader_day} in {reader_city}",
            event_range=here,
            event_city=event_city,
            reader_range=there,
            reader_day=day_label(there_day, language),
            reader_city=city_name(reader_tz, language),
        )
    return t._(
        "{event_range} in {event_city} · {reader_range} in {reader_city}",
        event_range=here,
        event_city=event_city,
        reader_range=there,
        reader_city=city_name(reader_tz, language),
    )


def event_day(t: Translator, start: datetime, event_tz: str) -> str:
    """The day an event happens where it happens: the day :func:`event_times` names first."""
    return day_label(local_day(start, event_tz), t.language)


def day_at(t: Translator, moment: datetime, event_tz: str, reader_tz: str | None) -> str:
    """One moment of an event, such as its sign-up cut-off: ``martedì 19 gennaio alle 18:00`` in the
    reader's zone, followed by the city whenever the event's own clock reads differently (or the reader
    has no zone, when it is the event's city)."""
    return _day_at(t.language, moment, event_tz, reader_zone(reader_tz))


@lru_cache(maxsize=4096)
def _day_at(language: str, moment: datetime, event_tz: str, reader_tz: str | None) -> str:
    t = translator(language)
    shown_tz = reader_tz or event_tz
    day = day_label(local_day(moment, shown_tz), language)
    time = clock_time(moment, shown_tz, language)
    if reader_tz is not None and same_clock((moment,), event_tz, reader_tz):
        return t._("{day} at {time}", day=day, time=time)
    return t._("{day} at {time}, {city} time", day=day, time=time, city=city_name(shown_tz, language))


def zone_note(t: Translator, reader_tz: str | None) -> str | None:
    """The one line that says whose time a list shows, for a reader with a zone (else None)."""
    reader_tz = reader_zone(reader_tz)
    if reader_tz is None:
        return None
    return t._("Times are {city} time.", city=city_name(reader_tz, t.language))


def list_moment(t: Translator, moment: datetime, event_tz: str, reader_tz: str | None) -> str:
    """A moment in a list under :func:`zone_note`: ``Wednesday, January 20, 5:00 AM`` in the reader's zone
    and on the reader's day; without a zone, in the event's and naming its city."""
    return _list_moment(t.language, moment, event_tz, reader_zone(reader_tz))


@lru_cache(maxsize=4096)
def _list_moment(language: str, moment: datetime, event_tz: str, reader_tz: str | None) -> str:
    t = translator(language)
    shown_tz = reader_tz or event_tz
    day = day_label(local_day(moment, shown_tz), language)
    time = clock_time(moment, shown_tz, language)
    if reader_tz is not None:
        return t._("{day}, {time}", day=day, time=time)
    return t._("{day}, {time} {city} time", day=day, time=time, city=city_name(event_tz, language))


def button_moment(t: Translator, moment: datetime, event_tz: str, reader_tz: str | None) -> str:
    """``Mon 4:00 AM`` in the reader's zone (the agenda says whose, see :func:`buttons_note`); without a
    zone ``Mon 10:00 AM Turin``, in the event's."""
    return _button_moment(t.language, moment, event_tz, reader_zone(reader_tz))


@lru_cache(maxsize=4096)
def _button_moment(language: str, moment: datetime, event_tz: str, reader_tz: str | None) -> str:
    # A layout of Babel's own words, not a sentence: the same in both languages.
    shown_tz = reader_tz or event_tz
    when = f"{short_weekday(moment, shown_tz, language)} {clock_time(moment, shown_tz, language)}"
    return when if reader_tz is not None else f"{when} {city_name(event_tz, language)}"


def buttons_note(t: Translator, moments: list[tuple[datetime, str]], reader_tz: str | None) -> str | None:
    """For buttons in the reader's zone next to text that also shows other cities' hours: which city the
    buttons' times belong to. None when no button's event runs on another clock."""
    reader_tz = reader_zone(reader_tz)
    if reader_tz is None or all(same_clock((at,), tz, reader_tz) for at, tz in moments):
        return None
    return t._("Times on the buttons are {city} time.", city=city_name(reader_tz, t.language))


def starts_in(t: Translator, left: timedelta) -> str:
    """How long until an event starts, as a reminder says it at the moment it is sent: ``in 20 minutes``,
    ``in 75 minutes``, ``in 2 hours``, ``in 3 days`` (rounded to what a person would say)."""
    minutes = max(round(left.total_seconds() / 60), 1)
    if minutes < 60 or (minutes < 120 and minutes % 60):
        return t.n_("in {n} minute", "in {n} minutes", minutes)
    hours = round(minutes / 60)
    if hours < 36:
        return t.n_("in {n} hour", "in {n} hours", hours)
    days = round(hours / 24)
    return t.n_("in {n} day", "in {n} days", days)
