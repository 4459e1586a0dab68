"""Inline keyboards from the domain's neutral (label, data) buttons."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.notices import Button


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, url=b.data) if b.data.startswith("https://")
          else InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )
