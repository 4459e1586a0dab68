"""How long a text is as Telegram counts it, and how to shorten one within that count.

Telegram measures messages (4,096), captions (1,024) and the like in UTF-16 code units: a letter of any
European language is one, most emoji are two. ``len()`` counts characters, so 3,000 emoji pass a check of
``len(text) <= 4096`` and still make a message Telegram refuses."""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096  # a message's text, as a person sees it
ELLIPSIS = "…"
_TAG = re.compile(r"<[^>]+>")
# What a character becomes once escaped for Telegram's HTML (html.escape), for texts measured as markup.
_ESCAPED = {"&": 5, "<": 4, ">": 4, '"': 6, "'": 6}


def units(text: str) -> int:
    """The length Telegram sees: UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def visible_units(markup: str) -> int:
    """The length of a message written in Telegram's HTML, as Telegram counts it: its visible text."""
    return units(html.unescape(_TAG.sub("", markup)))


def escaped_units(text: str) -> int:
    """The length of ``text`` once escaped for HTML: what a message's markup spends on it."""
    return units(text) + sum(text.count(character) * (cost - 1) for character, cost in _ESCAPED.items())


def shorten(text: str, limit: int, *, escaped: bool = False) -> str:
    """``text`` itself when it fits in ``limit`` units, else as much of it as fits followed by "…"; with
    ``escaped``, measured as it will be once escaped for HTML. Works on plain text (escape it afterwards, so
    that no entity is ever cut), and never splits a character in two."""
    if len(text) <= limit // 6 or (escaped_units(text) if escaped else units(text)) <= limit:
        return text
    room = limit - 1  # the ellipsis is one unit
    used = 0
    for index, character in enumerate(text):
        cost = _ESCAPED.get(character, 1) if escaped else 1
        used += 2 if ord(character) > 0xFFFF else cost
        if used > room:
            return text[:index].rstrip() + ELLIPSIS
    return text
