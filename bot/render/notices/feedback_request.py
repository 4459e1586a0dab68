"""After an event: the request to answer its questionnaire (bot.domain.feedback_requests writes the rows)."""

from __future__ import annotations

import html
from datetime import datetime

from bot.render import callback_data
from bot.render.buttons import Button, Notice
from bot.render.i18n import Translator
from bot.render.questionnaire_view import anonymity_line, closing_line
from storage.records import Event, OutboxMessage, Participant


def closes_at(message: OutboxMessage) -> datetime | None:
    raw = message.data.get("closes_at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
           now: datetime) -> Notice | None:
    """Nothing to say for a cancelled event or once the questionnaire has closed."""
    closing = closes_at(message)
    if event is None or event.cancelled or closing is None or now >= closing:
        return None
    questions = int(message.data.get("questions") or 0)
    lines = [
        t.n_("📝 <b>{title}</b> is over: how did it go? I have {n} short question for you, and your answers "
             "will help the report on what each city can take from the other.",
             "📝 <b>{title}</b> is over: how did it go? I have {n} short questions for you, and your answers "
             "will help the report on what each city can take from the other.",
             questions, title=html.escape(event.title.get(t.language))),
        anonymity_line(t, bool(message.data.get("anonymous", True))),
        closing_line(t, closing, event, person.timezone, now),
        t._("You can stop at any moment and pick up later where you left off."),
    ]
    button = Button(t._("📝 Answer the questions"), callback_data.build("fb", message.data["response"]))
    return Notice("\n".join(lines), ((button,),))
