"""What the bot says when it speaks first: one renderer per kind of notice, found through a registry, each
rendering its outbox row in the recipient's language and zone at the moment of sending.

A new kind is a new module here with its ``render`` function, plus its line in ``RENDERERS``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.notices import NoticeKind
from bot.render.buttons import Notice
from bot.render.i18n import Translator
from bot.render.notices import (
    broadcast,
    broadcast_report,
    event_changed,
    feedback_reminder,
    feedback_request,
    invite_accepted,
    reminder,
    seat_confirmed,
)
from storage.records import Event, OutboxMessage, Participant

# The outbox row, its recipient, its event (if any), the moment of sending -> the notice, or None when it no
# longer makes sense.
Renderer = Callable[[OutboxMessage, Participant, Event | None, Translator, datetime], Notice | None]

RENDERERS: dict[NoticeKind, Renderer] = {
    NoticeKind.SEAT_CONFIRMED: seat_confirmed.render,
    NoticeKind.REMINDER: reminder.render,
    NoticeKind.EVENT_CHANGED: event_changed.render,
    NoticeKind.BROADCAST: broadcast.render,
    NoticeKind.BROADCAST_REPORT: broadcast_report.render,
    NoticeKind.INVITE_ACCEPTED: invite_accepted.render,
    NoticeKind.FEEDBACK_REQUEST: feedback_request.render,
    NoticeKind.FEEDBACK_REMINDER: feedback_reminder.render,
}


class UnknownNoticeError(ValueError):
    """A row of a kind this version cannot say (written by a newer Ponte, or by hand)."""


def render_notice(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
                  now: datetime) -> Notice | None:
    try:
        renderer = RENDERERS[NoticeKind(message.kind)]
    except (ValueError, KeyError):
        raise UnknownNoticeError(f"no renderer for notices of kind {message.kind!r}") from None
    return renderer(message, person, event, t, now)
