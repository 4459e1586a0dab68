"""An iCalendar (.ics) file for one event, in the person's language and the event's own time zone."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date, datetime

import icalendar

from bot.domain.zones import zone
from bot.render.i18n import Translator
from bot.render.kinds import KIND_LABELS
from storage.records import Event

PRODID = "-//Ponte//Turin-Baltimore exchange//EN"


def event_calendar(event: Event, t: Translator, now: datetime, *, uid_domain: str = "ponte.bot") -> bytes:
    lang = t.language
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    # A stable UID: importing the file again updates the entry instead of duplicating it.
    entry.add("uid", f"{event.slug}@{uid_domain}")
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at.astimezone(zone(event.timezone)))
    entry.add("dtend", event.ends_at.astimezone(zone(event.timezone)))
    entry.add("summary", event.title.get(lang))
    location = ", ".join(part for part in (event.venue.get(lang), event.address) if part)
    entry.add("location", location)
    description = [t._(KIND_LABELS[event.kind]), "", event.description.get(lang)]
    if event.speakers:
        description += ["", *(
            s.name + (f", {s.affiliation.get(lang)}" if s.affiliation.get(lang) else "") for s in event.speakers
        )]
    if event.online_url:
        # The file goes to confirmed participants only, as the link does.
        entry.add("url", event.online_url)
        description += ["", event.online_url]
    entry.add("description", "\n".join(description))
    # Each change raises the sequence: calendar apps update their entry (same UID) instead of adding one.
    entry.add("sequence", event.sequence)
    entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    calendar.add_component(entry)
    # Only the rules of the event's own years: the full history makes the file a hundred times larger.
    # The years around it stay within what a date can hold (icalendar steps a little past them): an event in
    # year 1 or 9999 has no year beyond.
    start, end = event.starts_at.astimezone(zone(event.timezone)), event.ends_at.astimezone(zone(event.timezone))
    calendar.add_missing_timezones(first_date=date(max(start.year - 1, MINYEAR + 1), 1, 1),
                                   last_date=date(min(end.year + 1, MAXYEAR - 1), 12, 31))
    return calendar.to_ical()
