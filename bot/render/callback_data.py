"""Button payloads: short prefixed strings (``signup:roccafranca``), built and parsed here only, never over
Telegram's 64 bytes. Which actions exist, and how many arguments each takes, is declared by the journeys
that handle them (handlers.journeys.Press)."""

from __future__ import annotations

import re
from dataclasses import dataclass

LIMIT = 64
_PART = re.compile(r"[a-z0-9][a-z0-9-]*", re.IGNORECASE)


@dataclass(frozen=True)
class Action:
    name: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if len(self.args) > index else default

    def number(self, index: int, default: int = 0) -> int:
        """A numeric argument (a page), or ``default`` when it is missing or not a small number."""
        value = self.arg(index)
        return int(value) if value.isdigit() and len(value) < 6 else default


def build(name: str, *args: object) -> str:
    """The payload for a button; raises ValueError for anything Telegram or :func:`parse` would refuse."""
    parts = [name, *(str(a) for a in args)]
    if not all(_PART.fullmatch(part) and part.isascii() for part in parts):
        raise ValueError(f"callback data parts are letters, digits and hyphens: {parts!r}")
    data = ":".join(parts)
    if len(data.encode()) > LIMIT:
        raise ValueError(f"callback data over {LIMIT} bytes: {data!r}")
    return data


def parse(data: str | None) -> Action | None:
    """The action a button asks for, or None for anything forged or truncated. Whether the action exists and
    takes that many arguments is the router's question."""
    if not data or len(data.encode()) > LIMIT:
        return None
    parts = data.split(":")
    if not all(part.isascii() and _PART.fullmatch(part) for part in parts):
        return None
    return Action(parts[0], tuple(parts[1:]))
