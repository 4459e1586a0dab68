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
    feedback_delay: timedelta | None = None  # how long after its end feedback is asked; None: the default
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
    unreachable_at: datetime | None = None  # when the person blocked the bot (Telegram said so)
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


class BroadcastStatus(enum.StrEnum):
    DRAFT = "draft"
    CANCELLED = "cancelled"
    SENDING = "sending"
    DONE = "done"


class Audience(enum.StrEnum):
    EVERYONE = "everyone"  # everyone who consented
    TORINO = "torino"
    BALTIMORE = "baltimore"
    ELSEWHERE = "elsewhere"
    CONFIRMED = "confirmed"  # one event's confirmed participants
    SIGNED_UP = "signed_up"  # one event's confirmed participants and waiting list

    @property
    def of_an_event(self) -> bool:
        return self in (Audience.CONFIRMED, Audience.SIGNED_UP)


@dataclass(frozen=True)
class Broadcast:
    id: int
    author_id: int | None  # None once the organiser who wrote it deleted their data
    audience: Audience
    event_id: int | None
    event_title: Texts | None  # kept with the broadcast, so that its report still names a deleted event
    one_text: bool
    texts: Texts | None  # None until written; with one text for all, both hold it
    status: BroadcastStatus
    audience_size: int
    blocked_before: int  # known to have blocked the bot when it was sent: no message was queued for them
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress_chat_id: int | None
    progress_message_id: int | None
    progress_text: str | None
    progress_at: datetime | None


@dataclass(frozen=True)
class Recipient:
    telegram_id: int
    language: str | None
    unreachable: bool


@dataclass(frozen=True)
class BroadcastTally:
    """What became of a broadcast's messages so far, from its outbox rows."""

    queued: int  # rows written when it was sent
    sent: int
    skipped: int  # the person blocked the bot (or the row had nothing to say)
    failed: tuple[tuple[str, int], ...]  # (reason, how many)
    uncertain: int  # in flight at a crash: maybe delivered, not sent again
    waiting: int  # still to go (pending, or being sent)

    @property
    def failed_count(self) -> int:
        return sum(n for _, n in self.failed)

    @property
    def missing(self) -> int:
        """Rows deleted with their recipient (who deleted their data meanwhile)."""
        return max(self.queued - self.sent - self.skipped - self.failed_count - self.uncertain - self.waiting, 0)
