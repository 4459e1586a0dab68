"""What the bot says when it speaks first, rendered in the recipient's language at the moment of sending."""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.domain.notices import NoticeKind
from bot.render import callback_data
from bot.render.i18n import Translator
from bot.render.timefmt import event_day, event_times
from storage.records import Event, OutboxMessage, Participant


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Notice:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


def render_notice(message: OutboxMessage, person: Participant, event: Event | None, t: Translator) -> Notice | None:
    """The notice, or None when it no longer makes sense (its event was cancelled or removed)."""
    if message.kind == NoticeKind.SEAT_CONFIRMED:
        if event is None or event.cancelled:
            return None
        return Notice(
            t._(
                "🎉 <b>A seat opened up!</b>\nYou are now confirmed for <b>{title}</b>, {day}, {times}.\n"
                "If you can no longer come, cancel from /my so that the next person can take your seat.",
                title=html.escape(event.title.get(t.language)),
                day=event_day(t, event.starts_at, event.timezone),
                times=event_times(t, event.starts_at, event.ends_at, event.timezone, person.timezone),
            ),
            (
                (Button(t._("📅 Add to calendar"), callback_data.build("ics", event.slug)),),
                (Button(t._("Event details"), callback_data.build("event", event.slug)),),
            ),
        )
    raise ValueError(f"unknown notice kind {message.kind!r}")
