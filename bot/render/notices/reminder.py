"""A reminder before an event the person is signed up for (bot.domain.reminders writes the rows)."""

from __future__ import annotations

import html
from datetime import datetime

from bot.render import callback_data
from bot.render.buttons import Button, Notice
from bot.render.event_view import map_link, online_link_line
from bot.render.i18n import Translator
from bot.render.timefmt import event_day, event_times, starts_in
from storage.records import Event, OutboxMessage, Participant


def place_lines(t: Translator, event: Event) -> list[str]:
    """Where: the venue and its address, and the map link."""
    place = html.escape(event.venue.get(t.language))
    if event.address:
        place += f", {html.escape(event.address)}"
    lines = [f"📍 {place}"]
    link = map_link(event)
    if link:
        label = t._("Open the map")
        lines.append(f'🗺 <a href="{html.escape(link, quote=True)}">{label}</a>')
    return lines


def online_line(t: Translator, event: Event) -> str:
    """The link of an online event, for confirmed participants only."""
    return online_link_line(t, event, "confirmed")


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
           now: datetime) -> Notice | None:
    """Nothing to say for a cancelled or moved event (its fresh reminders say the new time), once it has
    started, or to a person who turned reminders off meanwhile."""
    payload = message.data
    if (event is None or event.cancelled or not person.reminders or now >= event.starts_at
            or payload.get("starts_at") != event.starts_at.isoformat()):
        return None
    title = html.escape(event.title.get(t.language))
    values = {"title": title, "when": starts_in(t, event.starts_at - now),
              "day": event_day(t, event.starts_at, event.timezone),
              "times": event_times(t, event.starts_at, event.ends_at, event.timezone, person.timezone)}
    buttons = [(Button(t._("Event details"), callback_data.build("event", event.slug)),)]
    if payload.get("status") == "waitlisted":
        text = t._("⏰ <b>{title}</b> starts {when}: {day}, {times}.\nYou're number {position} on the waiting "
                   "list: if a seat opens up, I'll tell you at once.", position=payload.get("position") or "?",
                   **values)
        return Notice(text, tuple(buttons))
    lines = [t._("⏰ Reminder: <b>{title}</b> starts {when}: {day}, {times}.", **values), *place_lines(t, event)]
    if event.online_url:
        lines.append(online_line(t, event))
        buttons.insert(0, (Button(t._("💻 Join online"), event.online_url),))
    lines.append(t._("Can't make it anymore? Cancel from /my so that someone else can have your seat."))
    return Notice("\n".join(lines), tuple(buttons))
