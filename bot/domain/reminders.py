"""Reminders before an event, derived from the database: the events, who is signed up, and how long before
each event people are reminded (the event's own offsets, else PONTE_REMINDERS).

Nothing is scheduled ahead. Each time the outbox is dispatched, :meth:`Reminders.materialise` writes the
reminders whose moment has come as outbox rows, each with a dedupe key naming the event, the person, the
offset and the event's start, so that a row is written once, a moved event gets fresh reminders, and the
old ones never fire. :meth:`Reminders.next_due` tells the schedule when the next moment comes, so that the
dispatcher wakes for it; after a restart the same two calls rebuild everything from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.notices import NoticeKind
from storage import Database
from storage.records import Event, RegistrationStatus

# How far back a restart looks for reminders it missed: those whose event has started are recorded as
# dropped, the others go out late ("starts in 20 minutes").
LOOKBACK = timedelta(days=2)
DROPPED = "late: the event had already started when the reminder was due to go out"
SUPERSEDED = "late: a later reminder of the same event fell due at the same time and went out instead"


def reminder_key(event: Event, person: int, offset: timedelta) -> str:
    return f"reminder:{event.id}:{person}:{int(offset.total_seconds())}:{event.starts_at.isoformat()}"


@dataclass(frozen=True)
class ReminderPayload:
    """What an outbox row of a reminder carries; the rest is read from the event when it is sent."""

    offset: int  # seconds before the start
    starts_at: str  # the start it was written for: a row for a moved event is not sent
    status: str  # confirmed or waitlisted, when it was written
    position: int | None  # the place in the waiting line, for a waiting person

    def as_dict(self) -> dict[str, object]:
        return {"offset": self.offset, "starts_at": self.starts_at, "status": self.status,
                "position": self.position}


class Reminders:
    def __init__(self, db: Database, default_offsets: tuple[timedelta, ...]) -> None:
        self._db = db
        self._default = tuple(sorted(default_offsets, reverse=True))
        # Moments up to here have been looked at. Only an optimisation: after a restart it starts LOOKBACK
        # back, and the dedupe keys keep anything from being written twice.
        self._checked_until: datetime | None = None

    def offsets(self, event: Event) -> tuple[timedelta, ...]:
        """How long before ``event`` its confirmed participants are reminded, longest first."""
        return self._default if event.reminders is None else event.reminders

    def offsets_for(self, event: Event, status: RegistrationStatus) -> tuple[timedelta, ...]:
        """People waiting for a seat get the earliest reminder only, so that they can plan."""
        offsets = self.offsets(event)
        return offsets if status is RegistrationStatus.CONFIRMED else offsets[:1]

    async def materialise(self, now: datetime) -> int:
        """Write every reminder whose moment is in (last look, now] to the outbox; returns how many."""
        since = min(self._checked_until or now - LOOKBACK, now)
        written = 0
        async with self._db.transaction() as tx:
            events = {e.id: e for e in await tx.events.all()
                      if not e.cancelled and any(since < e.starts_at - o <= now for o in self.offsets(e))}
            for person in await tx.reminders.remindable(sorted(events)):
                event = events[person.event_id]
                # Not for a moment that had passed when they signed up, or when the event was moved.
                offsets = [o for o in self.offsets_for(event, person.status)
                           if since < event.starts_at - o <= now and event.starts_at - o > person.since
                           and (event.moved_at is None or event.starts_at - o > event.moved_at)]
                for offset in offsets:
                    key = reminder_key(event, person.participant_id, offset)
                    payload = ReminderPayload(int(offset.total_seconds()), event.starts_at.isoformat(),
                                              str(person.status), person.position)
                    await tx.outbox.add(person.participant_id, NoticeKind.REMINDER, due_at=event.starts_at - offset,
                                        now=now, event_id=event.id, payload=payload.as_dict(), dedupe_key=key)
                    if now >= event.starts_at:
                        await tx.reminders.record_dropped(key, DROPPED, now)
                    elif offset != offsets[-1]:
                        # Several fell due together (after downtime): the latest one says it all.
                        await tx.reminders.record_dropped(key, SUPERSEDED, now)
                    else:
                        written += 1
        self._checked_until = now
        return written

    async def next_due(self, now: datetime) -> datetime | None:
        """The next moment a reminder falls due for an event somebody is signed up for, if any."""
        async with self._db.serialized() as tx:
            events = await tx.events.with_seats(ending_after=now)
        moments = [e.event.starts_at - offset for e in events
                   if not e.event.cancelled and e.confirmed + e.waitlisted
                   for offset in self.offsets(e.event) if e.event.starts_at - offset > now]
        return min(moments, default=None)
