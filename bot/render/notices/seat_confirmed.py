"""A seat opened up and went to the first person waiting."""

from __future__ import annotations

import html
from datetime import datetime

from bot.render import callback_data
from bot.render.buttons import Button, Notice
from bot.render.i18n import Translator
from bot.render.timefmt import event_day, event_times
from storage.records import Event, OutboxMessage, Participant


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
           now: datetime) -> Notice | None:
    """Nothing to say once the event is cancelled or gone."""
    if event is None or event.cancelled:
        return None
    return Notice(
        t._(
            "🎉 <b>A seat opened up!</b>\nYou're now confirmed for <b>{title}</b>, {day}, {times}.\n"
            "If you can't come anymore, cancel from /my so the next person can have your seat.",
            title=html.escape(event.title.get(t.language)),
            day=event_day(t, event.starts_at, event.timezone),
            times=event_times(t, event.starts_at, event.ends_at, event.timezone, person.timezone),
        ),
        (
            (Button(t._("📅 Add to calendar"), callback_data.build("ics", event.slug)),),
            (Button(t._("Event details"), callback_data.build("event", event.slug)),),
        ),
    )
