"""Telling people when an event they are signed up for changes: its time, its place, its online link, or
it is cancelled or restored. Title and description edits alone tell nobody.

The first change to an event stores what the event was (a snapshot) and a moment at the end of a quiet
period (PONTE_CHANGE_DELAY), in the same transaction as the change, whichever process made it. When that
moment comes, :meth:`Changes.materialise` compares the snapshot with the event as it is then: a net change
becomes one outbox row per person confirmed or waiting, a change undone meanwhile becomes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.domain.notices import NoticeKind
from storage import Database, Transaction
from storage.records import Event, EventStatus
from storage.timestamps import to_db

# What a notice is about; the map link travels with the place but alone is no reason to write to anybody.
NOTABLE = ("starts_at", "ends_at", "timezone", "venue_it", "venue_en", "address", "online_url", "status")


def snapshot(event: Event) -> dict[str, str | None]:
    """The fields of an event that people are told about, as plain values."""
    return {
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "timezone": event.timezone,
        "venue_it": event.venue.it,
        "venue_en": event.venue.en,
        "address": event.address,
        "map_url": event.map_url,
        "online_url": event.online_url,
        "status": str(event.status),
    }


def notable(before: dict[str, str | None], after: dict[str, str | None], now: datetime | None = None) -> bool:
    """Whether people are told about this change; never about an event that was over and still is (the
    organisers tidying up the record)."""
    if now is not None and all(datetime.fromisoformat(s["ends_at"]) <= now for s in (before, after)):
        return False
    return any(before.get(key) != after.get(key) for key in NOTABLE)


async def note_change(tx: Transaction, old: Event, new: Event, now: datetime, delay: timedelta) -> int:
    """Called in the transaction that changes ``old`` into ``new``: start the quiet period if this change is
    one people are told about; returns how many people the net change will be told to (0 when it undoes
    the change made earlier in the period)."""
    pending = await tx.changes.get(old.id)
    base = json.loads(pending.before) if pending else snapshot(old)
    if notable(snapshot(old), snapshot(new), now):
        await tx.changes.open(old.id, json.dumps(snapshot(old)), now, now + delay)
    if not notable(base, snapshot(new), now):
        return 0
    return await audience(tx, old.id)


async def audience(tx: Transaction, event_id: int) -> int:
    """How many people a change notice for this event goes to: everyone confirmed or waiting."""
    return sum(1 for entry in await tx.registrations.roster(event_id)
               if entry.participant.consented and entry.participant.unreachable_at is None)


class Changes:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def materialise(self, now: datetime) -> int:
        """Quiet periods that have ended become notices; returns how many were queued."""
        queued = 0
        async with self._db.transaction() as tx:
            for change in await tx.changes.due(now):
                await tx.changes.close(change.event_id)
                event = await tx.events.by_id(change.event_id)
                before = json.loads(change.before)
                if event is None or not notable(before, snapshot(event), now):
                    continue
                after = snapshot(event)
                for entry in await tx.registrations.roster(event.id):
                    if not entry.participant.consented or entry.participant.unreachable_at is not None:
                        continue  # nothing is queued for a person who blocked the bot, until they come back
                    person = entry.participant.telegram_id
                    await tx.outbox.add(
                        person, NoticeKind.EVENT_CHANGED, due_at=now, now=now, event_id=event.id,
                        payload={"before": before, "after": after, "status": str(entry.registration.status)},
                        dedupe_key=f"change:{event.id}:{person}:{to_db(change.changed_at)}",
                    )
                    queued += 1
        return queued

    async def next_due(self, now: datetime) -> datetime | None:
        """The end of the next quiet period; one already over is the next dispatch's (or sweep's) to settle."""
        async with self._db.serialized() as tx:
            due = await tx.changes.next_due()
        return due if due is not None and due > now else None


def is_cancellation(before: dict[str, str | None], after: dict[str, str | None]) -> bool:
    return before.get("status") != EventStatus.CANCELLED and after.get("status") == EventStatus.CANCELLED


def is_restoration(before: dict[str, str | None], after: dict[str, str | None]) -> bool:
    return before.get("status") == EventStatus.CANCELLED and after.get("status") != EventStatus.CANCELLED
