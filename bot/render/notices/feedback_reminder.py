"""The one reminder to a person who has not finished the questionnaire about an event."""

from __future__ import annotations

import html
from datetime import datetime

from bot.render import callback_data
from bot.render.buttons import Button, Notice
from bot.render.i18n import Translator
from bot.render.notices.feedback_request import closes_at
from bot.render.questionnaire_view import anonymity_line, closing_line
from storage.records import Event, OutboxMessage, Participant


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
           now: datetime) -> Notice | None:
    """Nothing to say for a cancelled event or once the questionnaire has closed."""
    closing = closes_at(message)
    if event is None or event.cancelled or closing is None or now >= closing:
        return None
    lines = [
        t._("📝 A reminder: your answers about <b>{title}</b> haven't been sent yet. It takes a few minutes, "
            "and if you've already started, you'll pick up where you left off.",
            title=html.escape(event.title.get(t.language))),
        anonymity_line(t, bool(message.data.get("anonymous", True))),
        closing_line(t, closing, event, person.timezone, now),
    ]
    button = Button(t._("📝 Answer the questions"), callback_data.build("fb", message.data["response"]))
    return Notice("\n".join(lines), ((button,),))
