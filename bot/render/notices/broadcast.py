"""An organiser's message to many people. The payload holds the message in each language, already in
Telegram's HTML and with its heading: ``{"texts": {"it": "...", "en": "..."}}``."""

from __future__ import annotations

import json

from bot.render.buttons import Notice
from bot.render.i18n import Translator
from storage.records import Event, OutboxMessage, Participant


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator) -> Notice | None:
    texts = json.loads(message.payload).get("texts") or {}
    text = texts.get(t.language) or next((value for value in texts.values() if value), None)
    if not text:
        raise ValueError(f"broadcast row {message.id} has no text for {t.language}")
    return Notice(text)
