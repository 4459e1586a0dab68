"""A person's pending question: the one step the bot waits for them to answer by typing.

The participant's ``awaiting`` column holds it as text; this module is the only code that reads or writes
that text, so every other module compares typed values. A questionnaire or a broadcast draft adds its own
step here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.records import Participant


class PendingStep(StrEnum):
    TIMEZONE = "timezone"  # "which time zone are you in?", after choosing "Elsewhere"
    # An organiser writing a broadcast (bot.domain.broadcasts): its text in Italian, then in English, or
    # one text for everyone. The draft itself is the organiser's latest one.
    BROADCAST_IT = "broadcast-it"
    BROADCAST_EN = "broadcast-en"
    BROADCAST_ONE = "broadcast-one"
    # Answering a questionnaire (bot.domain.feedback): typed text answers its current free-text question,
    # and anywhere else is told to use the buttons.
    FEEDBACK = "feedback"


class Origin(StrEnum):
    """Where the person was when the question was asked: where its end, and its Back button, lead."""

    WELCOME = "welcome"    # meeting the bot: the welcome, or the event its link pointed to
    SETTINGS = "settings"  # the settings screen


@dataclass(frozen=True)
class Pending:
    step: PendingStep
    event_slug: str | None = None  # the event to show once answered (a person who came from its link)
    origin: Origin = Origin.WELCOME
    response_id: int | None = None  # the response being answered, for FEEDBACK


# Stored as "step", "step:slug" or "step:slug:origin" ("feedback:<response id>" for a questionnaire);
# "timezone" and "timezone:slug" are what earlier versions wrote, so a person half-way through the question
# when Ponte is upgraded carries on.
_SEPARATOR = ":"


def to_column(pending: Pending | None) -> str | None:
    if pending is None:
        return None
    if pending.step is PendingStep.FEEDBACK:
        return f"{pending.step.value}{_SEPARATOR}{pending.response_id}"
    parts = [pending.step.value, pending.event_slug or ""]
    if pending.origin is not Origin.WELCOME:
        parts.append(pending.origin.value)
    return _SEPARATOR.join(parts).rstrip(_SEPARATOR)


def from_column(text: str | None) -> Pending | None:
    """The stored question, or None for none (or for one this version does not know)."""
    if not text:
        return None
    step, _, rest = text.partition(_SEPARATOR)
    if step == PendingStep.FEEDBACK.value:
        return Pending(PendingStep.FEEDBACK, response_id=int(rest)) if rest.isdigit() else None
    slug, _, origin = rest.partition(_SEPARATOR)
    try:
        return Pending(PendingStep(step), slug or None, Origin(origin) if origin else Origin.WELCOME)
    except ValueError:
        return None


def pending_of(person: Participant | None) -> Pending | None:
    """What the person is being asked, if anything."""
    return from_column(person.awaiting) if person else None
