"""Inline keyboards from the domain's neutral (label, data) buttons."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.render.buttons import Button


def keyboard_json(rows: Sequence[Sequence[Button]]) -> dict[str, Any] | None:
    """The keyboard as Bot API JSON."""
    rows = [row for row in rows if row]
    if not rows:
        return None
    return {"inline_keyboard": [[{"text": b.label, "url": b.data} if b.data.startswith("https://")
                                 else {"text": b.label, "callback_data": b.data} for b in row] for row in rows]}


def keyboard_text(rows: Sequence[Sequence[Button]]) -> str | None:
    """The keyboard as the JSON text the Bot API receives. Views repeat their keyboards (everyone waiting
    for an event sees the same buttons), so the text is built once per keyboard."""
    return _keyboard_text(tuple(tuple(row) for row in rows))


@lru_cache(maxsize=1024)
def _keyboard_text(rows: tuple[tuple[Button, ...], ...]) -> str | None:
    data = keyboard_json(rows)
    return json.dumps(data, ensure_ascii=False) if data else None


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    data = keyboard_json(rows)
    return InlineKeyboardMarkup.de_json(data, None) if data else None
