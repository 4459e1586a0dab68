"""An organiser's message to many people. The payload holds the text in each language, already in Telegram's
HTML: ``{"texts": {"it": "...", "en": "..."}}``; one text for everyone is the same text under both."""

from __future__ import annotations

from datetime import datetime

from bot.render.buttons import Notice
from bot.render.i18n import Translator
from storage.records import Event, OutboxMessage, Participant


class EmptyBroadcastError(ValueError):
    """The row carries no text for this reader: nothing can be sent."""


def payload(texts: dict[str, str]) -> dict[str, object]:
    """The payload of a broadcast row, from its text per language code."""
    return {"texts": dict(texts)}


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
           now: datetime) -> Notice | None:
    texts = message.data.get("texts")
    if not isinstance(texts, dict):
        raise EmptyBroadcastError(f"broadcast row {message.id} has no texts")
    # The reader's language first; a text written in one language only goes to everyone in it.
    text = texts.get(t.language) or next((value for value in texts.values() if value), None)
    if not isinstance(text, str) or not text.strip():
        raise EmptyBroadcastError(f"broadcast row {message.id} has no text for {t.language}")
    return Notice(text)
