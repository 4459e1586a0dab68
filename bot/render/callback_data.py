"""Button payloads: short prefixed strings, built and parsed here only, never over Telegram's 64 bytes."""

from __future__ import annotations

from dataclasses import dataclass

LIMIT = 64
# action -> (fewest, most) arguments it takes
ACTIONS: dict[str, tuple[int, int]] = {
    "consent": (1, 2),     # consent:yes[:slug] / consent:no
    "lang": (1, 1),        # lang:it
    "langmenu": (0, 0),
    "city": (1, 2),        # city:torino[:slug to show afterwards]
    "citymenu": (0, 0),
    "agenda": (1, 1),      # agenda:<page>
    "event": (1, 2),       # event:<slug>[:<agenda page to go back to>]
    "signup": (1, 1),      # signup:<slug>
    "cancel": (1, 1),      # cancel:<slug> asks first
    "cancel-yes": (1, 1),  # cancel-yes:<slug> does it
    "ics": (1, 1),         # ics:<slug>
    "my": (0, 0),
    "settings": (0, 0),
    "privacy": (0, 0),
    "forget": (0, 0),      # asks first
    "forget-yes": (0, 0),
    "rosters": (0, 0),     # organisers: the events whose attendees they can see
    "roster": (1, 1),      # roster:<slug> who is coming, with the file
}


@dataclass(frozen=True)
class Action:
    name: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if len(self.args) > index else default


def build(name: str, *args: object) -> str:
    fewest, most = ACTIONS[name]
    if not fewest <= len(args) <= most:
        raise ValueError(f"{name} takes {fewest} to {most} arguments, not {len(args)}")
    data = ":".join([name, *(str(a) for a in args)])
    if len(data.encode()) > LIMIT:
        raise ValueError(f"callback data over {LIMIT} bytes: {data!r}")
    return data


def parse(data: str | None) -> Action | None:
    """The action a button asks for, or None for anything forged, truncated or from another version."""
    if not data or len(data.encode()) > LIMIT:
        return None
    name, *args = data.split(":")
    if name not in ACTIONS:
        return None
    fewest, most = ACTIONS[name]
    if not fewest <= len(args) <= most:
        return None
    if any(not a or not a.isascii() or not a.replace("-", "").isalnum() for a in args):
        return None
    return Action(name, tuple(args))
