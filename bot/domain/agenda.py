"""The agenda: what people read, and how an organiser's file is applied to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.config.clock import Clock
from bot.config.settings import DEFAULT_CHANGE_DELAY
from bot.domain.agenda_file import AgendaFileError, parse_agenda
from bot.domain.audit import AuditAction, note
from bot.domain.changes import audience, notable, note_change, snapshot
from bot.domain.roles import Roles
from bot.domain.signups import fill_free_seats
from storage import Database, Transaction
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
    # Events the file cancels (also listed as changed), and how many people each change will be told to.
    cancelled: list[str] = field(default_factory=list)
    notified: dict[str, int] = field(default_factory=dict)
    change_delay: timedelta = DEFAULT_CHANGE_DELAY


class DraftGone(Exception):
    """The agenda file sent to the bot was applied or dropped already, or is not this organiser's."""


class Agenda:
    def __init__(self, db: Database, clock: Clock, wake_outbox: Callable[[], None], *,
                 change_delay: timedelta = DEFAULT_CHANGE_DELAY, roles: Roles | None = None) -> None:
        self._db = db
        self._clock = clock
        self._wake_outbox = wake_outbox
        self._change_delay = change_delay
        self._roles = roles or Roles(frozenset())

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
        async with self._db.transaction() as tx:
            report = await self._apply(tx, events, dry_run)
            if not dry_run:
                # Only the command line (and the tests' own set-up) applies a file directly.
                await note(tx, self._clock, None, AuditAction.AGENDA_IMPORTED, _import_detail(report))
        if report.promoted or report.notified:
            self._wake_outbox()
        return report

    async def _apply(self, tx: Transaction, events: list[Event], dry_run: bool) -> ImportReport:
        now = self._clock.now()
        report = ImportReport(change_delay=self._change_delay)
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
            if event.cancelled and not old.cancelled:
                report.cancelled.append(event.slug)
            if dry_run:
                told = await _would_tell(tx, old, event, now)
                if told:
                    report.notified[event.slug] = told
                continue
            told = await note_change(tx, old, event, now, self._change_delay)
            if told:
                report.notified[event.slug] = told
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
        report.not_in_file = sorted(existing)
        return report

    async def preview_file(self, organiser_id: int, text: str) -> tuple[int, ImportReport]:
        """An agenda file an organiser sent to the bot: checked (raises :class:`AgendaFileError`), kept as a
        draft, and what applying it would do. Organisers only (raises NotAllowedError)."""
        self._roles.require_organiser(organiser_id)
        events = parse_agenda(text)
        async with self._db.transaction() as tx:
            report = await self._apply(tx, events, dry_run=True)
            draft_id = await tx.drafts.add(organiser_id, text, self._clock.now())
        return draft_id, report

    async def apply_draft(self, organiser_id: int, draft_id: int) -> ImportReport:
        """Apply a draft the organiser confirmed, once: a second press raises :class:`DraftGone`."""
        self._roles.require_organiser(organiser_id)
        async with self._db.transaction() as tx:
            draft = await tx.drafts.get(draft_id)
            if draft is None or draft.organiser_id != organiser_id:
                raise DraftGone(draft_id)
            try:
                events = parse_agenda(draft.content)
            except AgendaFileError:
                raise DraftGone(draft_id) from None
            if not await tx.drafts.settle(draft_id, self._clock.now(), applied=True):
                raise DraftGone(draft_id)
            report = await self._apply(tx, events, dry_run=False)
            await note(tx, self._clock, organiser_id, AuditAction.AGENDA_IMPORTED,
                       {**_import_detail(report), "draft": draft_id})
        if report.promoted or report.notified:
            self._wake_outbox()
        return report

    async def drop_draft(self, organiser_id: int, draft_id: int) -> bool:
        """Forget a draft without applying it; False when it was applied or dropped already."""
        self._roles.require_organiser(organiser_id)
        async with self._db.transaction() as tx:
            draft = await tx.drafts.get(draft_id)
            if draft is None or draft.organiser_id != organiser_id:
                return False
            return await tx.drafts.settle(draft_id, self._clock.now(), applied=False)


def _import_detail(report: ImportReport) -> dict[str, int]:
    return {"added": len(report.added), "changed": len(report.changed), "cancelled": len(report.cancelled)}


async def _would_tell(tx: Transaction, old: Event, new: Event, now: datetime) -> int:
    """How many people applying this change would tell (a dry run writes nothing)."""
    pending = await tx.changes.get(old.id)
    base = json.loads(pending.before) if pending else snapshot(old)
    return await audience(tx, old.id) if notable(base, snapshot(new), now) else 0
