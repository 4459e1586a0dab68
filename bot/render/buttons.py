"""Neutral messages and buttons: what views and notices produce, and bot.telegram turns into Bot API calls."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data (bot.render.callback_data), or an https:// link


@dataclass(frozen=True)
class Notice:
    """A message the bot sends on its own."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
