"""How long a text is as Telegram counts it, and how to shorten one within that count.

Telegram measures messages (4,096), captions (1,024) and the like in UTF-16 code units: a letter of any
European language is one, most emoji are two. ``len()`` counts characters, so 3,000 emoji pass a check of
``len(text) <= 4096`` and still make a message Telegram refuses."""

from __future__ import annotations

ELLIPSIS = "…"


def units(text: str) -> int:
    """The length Telegram sees: UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """``text`` itself when it fits in ``limit`` units, else as much of it as fits followed by "…". Works on
    plain text (escape it for HTML afterwards, so that no entity is ever cut), and never splits a character
    in two."""
    if len(text) <= limit // 2 or units(text) <= limit:
        return text
    room = limit - 1  # the ellipsis is one unit
    used = 0
    for index, character in enumerate(text):
        used += 2 if ord(character) > 0xFFFF else 1
        if used > room:
            return text[:index].rstrip() + ELLIPSIS
    return text
