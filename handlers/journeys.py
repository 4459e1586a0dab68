"""What each journey module contributes, and the routing built from all of them by the composition root.

A journey module ends with ``JOURNEYS = Contribution(commands=(...), presses=(...))``; adding a journey
touches that module and the list of modules in bot.app, nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import Update

from bot.domain.pending import PendingStep
from bot.render import callback_data
from bot.render.callback_data import Action
from handlers.context import PonteContext

Journey = Callable[[Update, PonteContext], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    run: Journey
    menu: str | None = None  # its line in the phone's menu and /help (a msgid); None keeps it out
    organisers_only: bool = False  # for the menu only: the rule itself is checked in the domain
    coordinators_too: bool = False  # an organisers_only command coordinators also find in their menu
    before_consent: bool = False  # usable before the person has agreed to the privacy notice


@dataclass(frozen=True)
class Press:
    action: str
    run: Journey
    arity: tuple[int, int] = (0, 0)  # fewest and most arguments the payload carries
    before_consent: bool = False
    # A button of a question the person is asked (see bot.domain.pending): pressing it keeps the question
    # open, where any other button or command ends it.
    answers: PendingStep | None = None


@dataclass(frozen=True)
class Contribution:
    commands: tuple[Command, ...] = ()
    presses: tuple[Press, ...] = ()


class Routing:
    """Every journey's commands (in menu order) and button presses."""

    def __init__(self, contributions: Sequence[Contribution]) -> None:
        self.commands = tuple(command for part in contributions for command in part.commands)
        self.presses: dict[str, Press] = {}
        for press in (press for part in contributions for press in part.presses):
            if press.action in self.presses:
                raise ValueError(f"two journeys handle the button action {press.action!r}")
            self.presses[press.action] = press
        names = [command.name for command in self.commands]
        if len(names) != len(set(names)):
            raise ValueError(f"two journeys handle the same command: {names}")

    def press(self, data: str | None) -> tuple[Press, Action] | None:
        """The journey a button's payload asks for, or None for old, forged or truncated data."""
        action = callback_data.parse(data)
        press = self.presses.get(action.name) if action else None
        if press is None or not press.arity[0] <= len(action.args) <= press.arity[1]:
            return None
        return press, action

    def menu(self, *, organiser: bool, coordinator: bool = False) -> list[tuple[str, str]]:
        """(command, msgid) for the phone's menu and /help."""
        return [(c.name, c.menu) for c in self.commands if c.menu and (
            organiser or not c.organisers_only or (coordinator and c.coordinators_too))]

    def open_before_consent(self, update: Update) -> bool:
        """Whether this update may be handled before the person consents (read and answer the notice,
        pick a language, get help)."""
        if update.callback_query:
            found = self.press(update.callback_query.data)
            return found is not None and found[0].before_consent
        command = command_name(update)
        return command is not None and any(c.before_consent for c in self.commands if c.name == command)


def command_name(update: Update) -> str | None:
    """The command a message starts with (``/agenda@ponte_bot`` -> ``agenda``), or None."""
    message = update.effective_message
    text = message.text if message else None
    if not text or not text.startswith("/"):
        return None
    words = text[1:].split(maxsplit=1)
    return words[0].split("@", 1)[0].lower() if words else ""
