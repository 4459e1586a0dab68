"""Frozen records the repositories return."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


class EventStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self is not RegistrationStatus.CANCELLED


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # handed to Telegram, answer not yet recorded: after a crash, its fate is unknown
    SENT = "sent"
    SKIPPED = "skipped"  # nothing to say any more, or nobody to say it to (blocked the bot, account gone)
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # was being sent when the bot stopped, and is not sent again (a bulk row)

    @property
    def finished(self) -> bool:
        return self not in (OutboxStatus.PENDING, OutboxStatus.SENDING)


class OutboxLane(enum.StrEnum):
    """Personal rows (a freed seat, a change notice, a reminder: one person is waiting for this one) go
    before bulk rows (a broadcast), whenever any is due."""

    PERSONAL = "personal"
    BULK = "bulk"


@dataclass(frozen=True)
class Texts:
    """A human-facing text in both languages of the exchange."""

    it: str
    en: str

    def get(self, language: str) -> str:
        return self.it if language == "it" else self.en


@dataclass(frozen=True)
class Speaker:
    name: str
    affiliation: Texts = Texts("", "")


@dataclass(frozen=True)
class Event:
    slug: str
    kind: str
    title: Texts
    description: Texts
    venue: Texts
    starts_at: datetime
    ends_at: datetime
    timezone: str
    address: str = ""
    map_url: str | None = None
    capacity: int | None = None
    signup_closes_at: datetime | None = None
    status: EventStatus = EventStatus.SCHEDULED
    speakers: tuple[Speaker, ...] = ()
    position: int = 0
    online_url: str | None = None  # for confirmed participants only, never on the public agenda
    reminders: tuple[timedelta, ...] | None = None  # how long before it people are reminded; None: the default
    id: int | None = field(default=None, compare=False)
    # Kept by the database, not written in the agenda file: how many times the event was changed (the
    # calendar file's SEQUENCE) and when its time last moved.
    sequence: int = field(default=0, compare=False)
    moved_at: datetime | None = field(default=None, compare=False)

    @property
    def cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED


@dataclass(frozen=True)
class EventSeats:
    """An event with how many of its seats are taken and how many people wait."""

    event: Event
    confirmed: int
    waitlisted: int

    @property
    def seats_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.confirmed, 0)

    @property
    def over_capacity(self) -> int:
        """How many more people are confirmed than there are seats (after a capacity was lowered)."""
        if self.event.capacity is None:
            return 0
        return max(self.confirmed - self.event.capacity, 0)


@dataclass(frozen=True)
class Participant:
    telegram_id: int
    language: str | None = None
    display_name: str | None = None
    city: str | None = None
    timezone: str | None = None
    consent_at: datetime | None = None
    awaiting: str | None = None
    username: str | None = None
    reminders: bool = True  # whether the person wants reminders before their events

    @property
    def consented(self) -> bool:
        return self.consent_at is not None


@dataclass(frozen=True)
class Registration:
    id: int
    event_id: int
    participant_id: int
    status: RegistrationStatus
    queued_seq: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    recipient_id: int
    kind: str
    event_id: int | None
    payload: str  # JSON text; ``data`` reads it
    due_at: datetime
    status: OutboxStatus
    attempts: int
    lane: OutboxLane = OutboxLane.PERSONAL
    batch: str | None = None
    dedupe_key: str | None = None
    last_error: str | None = None

    @property
    def data(self) -> dict[str, Any]:
        value = json.loads(self.payload or "{}")
        return value if isinstance(value, dict) else {}
