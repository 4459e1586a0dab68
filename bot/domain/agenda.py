"""The agenda: what people read, and how an organiser's file is applied to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.config.clock import Clock
from bot.domain.signups import fill_free_seats
from storage import Database
from storage.records import Event, EventSeats, RegistrationStatus
from storage.registrations import RosterEntry


@dataclass(frozen=True)
class OverCapacity:
    """An event whose new capacity is below the people already confirmed; nobody was removed."""

    event: Event
    confirmed: int
    beyond: list[RosterEntry]


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)
    over_capacity: list[OverCapacity] = field(default_factory=list)
    promoted: dict[str, int] = field(default_factory=dict)


class Agenda:
    def __init__(self, db: Database, clock: Clock, wake_outbox: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        self._wake_outbox = wake_outbox

    async def upcoming(self) -> list[EventSeats]:
        """Events not yet over, in time order, with their seats."""
        async with self._db.serialized() as tx:
            return await tx.events.with_seats(ending_after=self._clock.now())

    async def programme(self) -> tuple[list[EventSeats], list[EventSeats]]:
        """(events not yet over, events over), each in time order, with their seats: what the agenda shows,
        and what it still shows once the programme has ended."""
        now = self._clock.now()
        async with self._db.serialized() as tx:
            events = await tx.events.with_seats()
        return [e for e in events if e.event.ends_at > now], [e for e in events if e.event.ends_at <= now]

    async def find(self, slug: str) -> EventSeats | None:
        async with self._db.serialized() as tx:
            return await tx.events.seats_by_slug(slug)

    async def all_events(self) -> list[Event]:
        async with self._db.serialized() as tx:
            return await tx.events.all()

    async def is_empty(self) -> bool:
        return not await self.all_events()

    async def apply(self, events: list[Event], *, dry_run: bool = False) -> ImportReport:
        """Apply a validated file in one transaction, matching events by slug. Events missing from the
        file stay as they are: cancelling one is a decision the organiser writes down (status)."""
        now = self._clock.now()
        report = ImportReport()
        promoted_any = False
        async with self._db.transaction() as tx:
            existing = {e.slug: e for e in await tx.events.all()}
            for event in events:
                old = existing.pop(event.slug, None)
                if old is None:
                    if not dry_run:
                        await tx.events.insert(event, now)
                    report.added.append(event.slug)
                    continue
                if replace(old, id=None) == event:
                    report.unchanged.append(event.slug)
                    continue
                report.changed.append(event.slug)
                if dry_run:
                    continue
                await tx.events.update(old.id, event, now)
                updated = replace(event, id=old.id)
                confirmed, _ = await tx.registrations.counts(old.id)
                if event.capacity is not None and confirmed > event.capacity:
                    roster = [r for r in await tx.registrations.roster(old.id)
                              if r.registration.status is RegistrationStatus.CONFIRMED]
                    report.over_capacity.append(OverCapacity(updated, confirmed, roster[event.capacity:]))
                promoted = await fill_free_seats(tx, updated, now)
                if promoted:
                    report.promoted[event.slug] = len(promoted)
                    promoted_any = True
            report.not_in_file = sorted(existing)
            if dry_run:
                report.promoted.clear()
        if promoted_any:
            self._wake_outbox()
        return report

