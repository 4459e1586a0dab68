"""Telegram's HTML parse mode, checked as strictly as Telegram checks it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "span", "tg-spoiler", "blockquote", "tg-emoji",
}
_ENTITY = re.compile(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class EntityError(ValueError):
    """What Telegram answers with 'can't parse entities'."""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            raise EntityError(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f'Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(markup: str) -> str:
    """The text a person sees, or :class:`EntityError` where Telegram would refuse the markup."""
    if _ENTITY.search(markup):
        raise EntityError("Character entity expected")
    if re.search(r"<(?![a-zA-Z/])", markup):
        raise EntityError('Unexpected "<"; escape it as &lt;')
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    if parser.stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.text)
