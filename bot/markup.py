"""Inline keyboards from the domain's neutral (label, data) buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.notices import Button


def keyboard_json(rows: Sequence[Sequence[Button]]) -> dict[str, Any] | None:
    """The same keyboard as Bot API JSON, for calls that skip python-telegram-bot's objects."""
    rows = [row for row in rows if row]
    if not rows:
        return None
    return {"inline_keyboard": [[{"text": b.label, "url": b.data} if b.data.startswith("https://")
                                 else {"text": b.label, "callback_data": b.data} for b in row] for row in rows]}


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    data = keyboard_json(rows)
    return InlineKeyboardMarkup.de_json(data, None) if data else None
