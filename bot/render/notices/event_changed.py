"""An event the person is confirmed or waiting for changed: what changed, old -> new, in their zone."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import datetime

from bot.domain.changes import is_cancellation, is_restoration
from bot.render import callback_data
from bot.render.buttons import Button, Notice
from bot.render.i18n import Translator
from bot.render.notices.reminder import online_line, place_lines
from bot.render.timefmt import event_day, event_times
from storage.records import Event, EventStatus, OutboxMessage, Participant, Texts


def _as_event(event: Event, values: dict[str, str | None]) -> Event:
    """The event as it was (or is) in a snapshot: its title and the rest from today's record."""
    return replace(
        event,
        starts_at=datetime.fromisoformat(values["starts_at"]),
        ends_at=datetime.fromisoformat(values["ends_at"]),
        timezone=values["timezone"],
        venue=Texts(values["venue_it"] or "", values["venue_en"] or ""),
        address=values["address"] or "",
        map_url=values.get("map_url"),
        online_url=values.get("online_url"),
        status=EventStatus(values["status"]),
    )


def _when(t: Translator, event: Event, reader_tz: str | None) -> str:
    return t._("{day}, {time}", day=event_day(t, event.starts_at, event.timezone),
               time=event_times(t, event.starts_at, event.ends_at, event.timezone, reader_tz))


def _where(t: Translator, event: Event) -> str:
    place = html.escape(event.venue.get(t.language))
    return place + (f", {html.escape(event.address)}" if event.address else "")


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
           now: datetime) -> Notice | None:
    if event is None:
        return None
    payload = message.data
    before, after = _as_event(event, payload["before"]), _as_event(event, payload["after"])
    confirmed = payload.get("status") == "confirmed"
    title = html.escape(event.title.get(t.language))
    reader_tz = person.timezone
    details = (Button(t._("Event details"), callback_data.build("event", event.slug)),)
    if is_cancellation(payload["before"], payload["after"]):
        text = t._("❌ <b>{title}</b> ({when}) has been canceled by the organizers. Sorry for the change of "
                   "plans.", title=title, when=_when(t, before, reader_tz))
        rows = [details]
        if confirmed:
            rows.insert(0, (Button(t._("📅 Remove from calendar"), callback_data.build("ics", event.slug)),))
        return Notice(text, tuple(rows))
    if is_restoration(payload["before"], payload["after"]):
        lines = [t._("✅ Good news: <b>{title}</b> is back on, {when}.", title=title, when=_when(t, after, reader_tz)),
                 *place_lines(t, after)]
    else:
        lines = [t._("🔔 <b>{title}</b> has changed:", title=title)]
        if (before.starts_at, before.ends_at, before.timezone) != (after.starts_at, after.ends_at, after.timezone):
            lines.append(t._("🕘 When: {old} → <b>{new}</b>", old=_when(t, before, reader_tz),
                             new=_when(t, after, reader_tz)))
        if (before.venue, before.address) != (after.venue, after.address):
            lines.append(t._("📍 Where: {old} → <b>{new}</b>", old=_where(t, before), new=_where(t, after)))
            lines += place_lines(t, after)[1:]
        if before.online_url != after.online_url:
            if not confirmed:
                lines.append(t._("💻 The online link has changed: it goes to confirmed participants."))
            elif after.online_url:
                lines.append(online_line(t, after))
            else:
                lines.append(t._("💻 There's no online link anymore."))
    rows = [details]
    if confirmed:
        rows.insert(0, (Button(t._("📅 Updated calendar file"), callback_data.build("ics", event.slug)),))
    return Notice("\n".join(lines), tuple(rows))
