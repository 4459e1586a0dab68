"""An organiser's broadcast: the text in the recipient's language, as the organiser formatted it."""

from __future__ import annotations

import json

from bot.render.broadcasts import message_text
from bot.render.buttons import Notice
from bot.render.i18n import Translator
from storage.records import Event, OutboxMessage, Participant


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator) -> Notice | None:
    texts = json.loads(message.payload)
    body = texts.get(t.language) or texts.get("en") or texts.get("it")
    return Notice(message_text(t, body)) if body else None
