"""The agenda as a TOML file: read and validated with each mistake's line and field, and written back."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import tomli_w

from bot.config.durations import DurationError, format_duration, parse_duration
from bot.domain.kinds import KINDS
from bot.domain.languages import N_
from bot.domain.toml_reading import FieldReader, KeyLines, Problem, TomlFileError, read_toml
from bot.domain.zones import is_timezone, zone, zone_names
from storage.records import Event, EventStatus, Speaker

EXAMPLE_AGENDA = Path(__file__).resolve().parents[1] / "data" / "example-agenda.toml"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")  # matched whole: "$" would let a trailing newline through
ONLINE_URL = re.compile(r"https://[^\s/?#]+\.[^\s/?#]+[^\s\x00-\x1f\x7f]*")  # matched whole
ONLINE_URL_LIMIT = 300
EVENT_KEYS = {
    "slug", "kind", "title", "description", "venue", "address", "map", "start", "end", "timezone",
    "capacity", "signup_closes", "status", "speakers", "online_url", "reminders", "feedback_delay",
}
SPEAKER_KEYS = {"name", "affiliation"}
# What each field may hold, so that every view of the bot stays within Telegram's limits (4,096 units a
# message, 1,024 a caption, 200 a button's short answer), counted as Telegram counts (UTF-16 code units: most
# emoji are two). The README's table "Limits" says the same to organisers.
TEXT_LIMITS = {"title": 100, "venue": 100, "description": 2000}
ADDRESS_LIMIT = 150
MAP_LIMIT = 300
SPEAKER_NAME_LIMIT = 80
AFFILIATION_LIMIT = 120
MAX_SPEAKERS = 100
MAX_CAPACITY = 10_000
# Feedback is asked at most this long after an event ends: later, people no longer remember it well.
LONGEST_FEEDBACK_DELAY = timedelta(days=30)
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_FILE_CHARACTERS = 1_000_000
_WEB_ADDRESS = re.compile(r"https?://[^\s\x00-\x1f\x7f]+")
AGENDA_KEYS = {"timezone"}
STATUSES = tuple(status.value for status in EventStatus)


class AgendaFileError(TomlFileError):
    """The agenda file's mistakes, in line order; ``syntax`` when the file is not TOML at all."""


def parse_agenda(text: str) -> list[Event]:
    """Every event of the file, or :class:`AgendaFileError` listing every mistake found. Time and memory
    grow with the file's size, never faster: what tomllib would take longer over is refused before."""
    if len(text) > MAX_FILE_CHARACTERS:
        raise AgendaFileError([Problem(None, "", N_(
            "The file has {size} characters; an agenda file has at most {limit} (the example's 8 events take 9,300)"),
            {"size": len(text), "limit": MAX_FILE_CHARACTERS})])
    try:
        document = read_toml(text)
    except TomlFileError as error:
        raise AgendaFileError(error.problems, syntax=error.syntax) from None
    return _Reader(KeyLines(text), text.splitlines()).read(document)


class _Reader(FieldReader):
    def __init__(self, lines: KeyLines, source: list[str]) -> None:
        super().__init__(lines)
        self._source = source

    def read(self, document: dict[str, Any]) -> list[Event]:
        for key in document:
            if key not in ("agenda", "event"):
                self._problem((key,), key, N_("Unknown section {key}; expected [agenda] or [[event]]"), key=key)
        agenda = document.get("agenda", {})
        if not isinstance(agenda, dict):
            self._problem(("agenda",), "agenda", N_("Write the agenda's settings as an [agenda] table"))
            agenda = {}
        for key in agenda:
            if key not in AGENDA_KEYS:
                self._problem(("agenda", key), f"agenda.{key}", N_("Unknown field {key}"), key=key)
        default_tz = agenda.get("timezone", "Europe/Rome")
        if not _place_zone(default_tz):
            self._problem(("agenda", "timezone"), "agenda.timezone",
                          N_("{value} is not a known time zone; use an IANA name such as Europe/Rome"),
                          value=default_tz)
            default_tz = "Europe/Rome"
        raw_events = document.get("event", [])
        if not isinstance(raw_events, list) or not raw_events:
            self._problem(("event",), "event", N_("The file has no [[event]] tables"))
            raw_events = []
        events: list[Event] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_events):
            if not isinstance(raw, dict):
                self._problem(("event", index), f"event #{index + 1}", N_("Events are written as [[event]] tables"))
                continue
            slug = raw.get("slug")
            if isinstance(slug, str) and slug in seen:
                self._problem(("event", index, "slug"), f"{slug}.slug",
                              N_("The slug {slug} is already used by event number {other}"),
                              slug=slug, other=seen[slug] + 1)
            elif isinstance(slug, str):
                seen[slug] = index
            event = self._event(index, raw, default_tz)
            if event is not None:
                events.append(event)
        if self.problems:
            raise AgendaFileError(self.problems)
        return events

    def _event(self, index: int, raw: dict[str, Any], default_tz: str) -> Event | None:
        at = ("event", index)
        before = len(self.problems)
        slug = raw.get("slug")
        name = slug if isinstance(slug, str) and SLUG.fullmatch(slug) else f"event #{index + 1}"
        for key in raw:
            if key not in EVENT_KEYS:
                self._problem((*at, key), f"{name}.{key}", N_("Unknown field {key}"), key=key)
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            self._problem((*at, "slug"), f"{name}.slug",
                          N_("The slug must be 1 to 40 lowercase letters, digits or hyphens, such as "
                             "roccafranca-visit"))
        kind = raw.get("kind")
        if kind not in KINDS:
            self._problem((*at, "kind"), f"{name}.kind", N_("The kind must be one of: {choices}"),
                          choices=", ".join(KINDS))
        timezone = raw.get("timezone", default_tz)
        if not _place_zone(timezone):
            self._problem((*at, "timezone"), f"{name}.timezone",
                          N_("{value} is not a known time zone; use an IANA name such as Europe/Rome"),
                          value=timezone)
            timezone = default_tz
        title = self._texts(at, name, raw, "title", required=True, limit=TEXT_LIMITS["title"])
        venue = self._texts(at, name, raw, "venue", required=True, limit=TEXT_LIMITS["venue"])
        description = self._texts(at, name, raw, "description", required=True, limit=TEXT_LIMITS["description"],
                                  lines=True)
        start = self._moment(at, name, raw, "start", timezone, required=True)
        end = self._moment(at, name, raw, "end", timezone, required=True)
        if start and end and end <= start:
            self._problem((*at, "end"), f"{name}.end", N_("The event ends before it starts"))
        closes = self._moment(at, name, raw, "signup_closes", timezone, required=False)
        if closes and start and closes > start:
            self._problem((*at, "signup_closes"), f"{name}.signup_closes",
                          N_("Sign-up cannot close after the event starts"))
        capacity = raw.get("capacity")
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                     or not 0 <= capacity <= MAX_CAPACITY):
            self._problem((*at, "capacity"), f"{name}.capacity",
                          N_("The capacity must be a whole number of seats, from 0 to {limit} (leave it out for no "
                             "limit)"), limit=MAX_CAPACITY)
        status = raw.get("status", EventStatus.SCHEDULED.value)
        if status not in STATUSES:
            self._problem((*at, "status"), f"{name}.status", N_("The status must be one of: {choices}"),
                          choices=", ".join(STATUSES))
        address = raw.get("address", "")
        if not isinstance(address, str):
            self._problem((*at, "address"), f"{name}.address", N_("This must be text in quotes"))
            address = ""
        address = self._text((*at, "address"), f"{name}.address", address.strip(), ADDRESS_LIMIT)
        map_url = raw.get("map")
        if map_url is not None and (not isinstance(map_url, str) or not _WEB_ADDRESS.fullmatch(map_url)):
            self._problem((*at, "map"), f"{name}.map", N_("The map must be a web address starting with https://"))
        elif map_url is not None:
            self._text((*at, "map"), f"{name}.map", map_url, MAP_LIMIT)
        speakers = self._speakers(at, name, raw.get("speakers", []))
        online_url = self._online_url(at, name, raw)
        reminders = self._reminders(at, name, raw)
        feedback_delay = self._feedback_delay(at, name, raw)
        if len(self.problems) > before:
            return None
        return Event(
            slug=slug, kind=kind, title=title, description=description, venue=venue,
            starts_at=start, ends_at=end, timezone=timezone, address=address,
            map_url=map_url, capacity=capacity, signup_closes_at=closes, status=EventStatus(status),
            speakers=speakers, position=index, online_url=online_url, reminders=reminders,
            feedback_delay=feedback_delay,
        )

    def _online_url(self, at: tuple[object, ...], name: str, raw: dict[str, Any]) -> str | None:
        """The link of an online event: https only, since it goes to people's phones as a button."""
        value = raw.get("online_url")
        if value is None:
            return None
        if not isinstance(value, str) or not ONLINE_URL.fullmatch(value.strip()):
            self._problem((*at, "online_url"), f"{name}.online_url",
                          N_("The online link must be a web address starting with https://, such as "
                             "https://meet.example.org/ponte"))
            return None
        return self._text((*at, "online_url"), f"{name}.online_url", value.strip(), ONLINE_URL_LIMIT)

    def _reminders(self, at: tuple[object, ...], name: str, raw: dict[str, Any]) -> tuple[timedelta, ...] | None:
        """``reminders = ["2h", "15m"]``: how long before the event people are reminded; ``[]`` for none;
        left out, the default (PONTE_REMINDERS)."""
        value = raw.get("reminders")
        if value is None:
            return None
        where, label = (*at, "reminders"), f"{name}.reminders"
        if not isinstance(value, list):
            self._problem(where, label, N_("Write the reminders as a list of durations before the event, such "
                                           "as [\"24h\", \"1h\"], or [] for none"))
            return None
        offsets = []
        for item in value:
            try:
                offset = parse_duration(item)
            except DurationError:
                self._problem(where, label, N_("{value} is not a duration: write a number and a unit, such as "
                                               "90s, 15m, 24h or 2d"), value=item)
                continue
            if not offset:
                self._problem(where, label, N_("A reminder 0 minutes before the event comes too late"))
                continue
            offsets.append(offset)
        return tuple(sorted(set(offsets), reverse=True))

    def _feedback_delay(self, at: tuple[object, ...], name: str, raw: dict[str, Any]) -> timedelta | None:
        """``feedback_delay = "2h"``: how long after the event ends the people who came are asked for
        feedback; left out, the default (PONTE_FEEDBACK_DELAY)."""
        value = raw.get("feedback_delay")
        if value is None:
            return None
        where, label = (*at, "feedback_delay"), f"{name}.feedback_delay"
        try:
            delay = parse_duration(value)
        except DurationError:
            self._problem(where, label, N_("{value} is not a duration: write a number and a unit, such as "
                                           "90s, 15m, 24h or 2d"), value=value)
            return None
        if delay > LONGEST_FEEDBACK_DELAY:
            self._problem(where, label, N_("Feedback is asked at most {limit} after the event ends"),
                          limit=format_duration(LONGEST_FEEDBACK_DELAY))
            return None
        return delay

    def _moment(self, at: tuple[object, ...], name: str, raw: dict[str, Any], key: str, timezone: str, *,
                required: bool) -> datetime | None:
        value = raw.get(key)
        if value is None:
            if required:
                self._problem(at, f"{name}.{key}", N_("The field {key} is missing"), key=key)
            return None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            shown = value.isoformat() if isinstance(value, date | dtime) else value
            self._problem((*at, key), f"{name}.{key}",
                          N_("{value} is not a date and time; write it as 2026-11-17T09:30:00"), value=shown)
            return None
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            self._problem((*at, key), f"{name}.{key}", N_("The year must be between {first} and {last}"),
                          first=FIRST_YEAR, last=LAST_YEAR)
            return None
        if value.tzinfo is not None:
            self._problem((*at, key), f"{name}.{key}",
                          N_("{value} has a time offset: write the time without it, as the clock reads in "
                             "{timezone} (the agenda's times are local to each event's time zone)"),
                          value=self._written(at, key, value),
                          timezone=timezone)
            return None
        return value.replace(tzinfo=zone(timezone)).astimezone(UTC)

    def _written(self, at: tuple[object, ...], key: str, value: datetime) -> str:
        """A value as the file writes it (``…Z`` stays ``…Z``), for messages."""
        line = self._lines.line(*at, key)
        if line and line <= len(self._source) and "=" in self._source[line - 1]:
            return self._source[line - 1].split("=", 1)[1].split("#", 1)[0].strip().strip("'\"")
        return value.isoformat()

    def _speakers(self, at: tuple[object, ...], name: str, raw: Any) -> tuple[Speaker, ...]:
        if not isinstance(raw, list):
            self._problem((*at, "speakers"), f"{name}.speakers",
                          N_("Speakers are written as [[event.speakers]] tables"))
            return ()
        if len(raw) > MAX_SPEAKERS:
            # Said where the first speaker too many is written.
            self._problem((*at, "speakers", MAX_SPEAKERS), f"{name}.speakers",
                          N_("An event has at most {limit} speakers; this one has {count}"),
                          limit=MAX_SPEAKERS, count=len(raw))
            return ()
        speakers = []
        for number, entry in enumerate(raw):
            where = (*at, "speakers", number)
            label = f"{name}.speakers[{number + 1}]"
            if not isinstance(entry, dict):
                self._problem(where, label, N_("Speakers are written as [[event.speakers]] tables"))
                continue
            for key in entry:
                if key not in SPEAKER_KEYS:
                    self._problem((*where, key), f"{label}.{key}", N_("Unknown field {key}"), key=key)
            speaker_name = entry.get("name")
            if not isinstance(speaker_name, str) or not speaker_name.strip():
                self._problem(where, f"{label}.name", N_("The field {key} is missing"), key="name")
                continue
            self._text((*where, "name"), f"{label}.name", speaker_name.strip(), SPEAKER_NAME_LIMIT)
            affiliation = self._texts(where, label, entry, "affiliation", required=False, limit=AFFILIATION_LIMIT)
            speakers.append(Speaker(speaker_name.strip(), affiliation))
        return tuple(speakers)


def _place_zone(name: object) -> bool:
    """An Area/Location zone such as Europe/Rome: not ``localtime`` or ``posixrules`` (whatever the machine
    that runs the bot says), nor a legacy alias; the same zones a person may choose for themselves."""
    return isinstance(name, str) and is_timezone(name) and name in zone_names()


def _toml(value: object) -> str:
    return tomli_w.dumps({"v": value}, multiline_strings=True)[4:].rstrip("\n")


def dump_agenda(events: list[Event], header: str = "") -> str:
    """The agenda in the same form organisers write it, so that export and import round-trip."""
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    out += ["", "[agenda]", 'timezone = "Europe/Rome"']
    for event in events:
        local = zone(event.timezone)
        out += ["", "[[event]]", f"slug = {_toml(event.slug)}", f"kind = {_toml(event.kind)}"]
        if event.status is not EventStatus.SCHEDULED:
            out.append(f"status = {_toml(event.status)}")
        out += [
            f"start = {event.starts_at.astimezone(local).replace(tzinfo=None).isoformat()}",
            f"end = {event.ends_at.astimezone(local).replace(tzinfo=None).isoformat()}",
            f"timezone = {_toml(event.timezone)}",
        ]
        if event.capacity is not None:
            out.append(f"capacity = {event.capacity}")
        if event.signup_closes_at is not None:
            out.append(
                f"signup_closes = {event.signup_closes_at.astimezone(local).replace(tzinfo=None).isoformat()}"
            )
        for key, texts in (("title", event.title), ("venue", event.venue), ("description", event.description)):
            out += [f"{key}.it = {_toml(texts.it)}", f"{key}.en = {_toml(texts.en)}"]
        if event.address:
            out.append(f"address = {_toml(event.address)}")
        if event.map_url:
            out.append(f"map = {_toml(event.map_url)}")
        out += _online_lines(event)
        for speaker in event.speakers:
            out += ["", "[[event.speakers]]", f"name = {_toml(speaker.name)}"]
            if speaker.affiliation.it or speaker.affiliation.en:
                out += [
                    f"affiliation.it = {_toml(speaker.affiliation.it)}",
                    f"affiliation.en = {_toml(speaker.affiliation.en)}",
                ]
    return "\n".join(out) + "\n"


def _online_lines(event: Event) -> list[str]:
    """The online link, the reminders and the feedback delay of an event, as the file writes them (none when
    not set)."""
    lines = []
    if event.online_url:
        lines.append(f"online_url = {_toml(event.online_url)}")
    if event.reminders is not None:
        lines.append(f"reminders = {_toml([format_duration(offset) for offset in event.reminders])}")
    if event.feedback_delay is not None:
        lines.append(f"feedback_delay = {_toml(format_duration(event.feedback_delay))}")
    return lines
