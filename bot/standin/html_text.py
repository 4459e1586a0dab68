"""Telegram's HTML parse mode, checked as strictly as Telegram checks it."""

from __future__ import annotations

import html
import re

ALLOWED = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "span", "tg-spoiler", "blockquote", "tg-emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_BAD_ENTITY = re.compile(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class EntityError(ValueError):
    """What Telegram answers with 'can't parse entities'."""


def visible_text(markup: str) -> str:
    """The text a person sees, or :class:`EntityError` where Telegram would refuse the markup."""
    if "&" in markup and _BAD_ENTITY.search(markup):
        raise EntityError("Character entity expected")
    stack: list[str] = []
    for closing, name, _attributes in _TAG.findall(markup):
        name = name.lower()
        if name not in ALLOWED:
            raise EntityError(f'Unsupported start tag "{name}"')
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            raise EntityError(f'Unmatched end tag "{name}"')
    text = _TAG.sub("", markup)
    if "<" in text or ">" in text:
        raise EntityError('Unexpected "<" or ">"; escape them as &lt; and &gt;')
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return html.unescape(text) if "&" in text else text
