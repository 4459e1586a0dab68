"""What reminders are derived from: the people signed up for an event who want to be reminded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.records import RegistrationStatus
from storage.timestamps import from_db, to_db


@dataclass(frozen=True)
class Remindable:
    """A person confirmed or waiting for an event, who has consented, wants reminders and has not blocked the
    bot."""

    event_id: int
    participant_id: int
    status: RegistrationStatus
    since: datetime  # when their registration last changed (signed up, got a seat)
    position: int | None  # their place in the waiting line


_REMINDABLE = """
    SELECT r.event_id, r.participant_id, r.status, r.updated_at,
           CASE WHEN r.status = 'waitlisted' THEN (
               SELECT COUNT(*) FROM registration w
               WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.queued_seq <= r.queued_seq
           ) END AS position
    FROM registration r JOIN participant p ON p.telegram_id = r.participant_id
    WHERE r.event_id IN ({marks}) AND r.status IN ('confirmed', 'waitlisted')
      AND p.consent_at IS NOT NULL AND p.reminders = 1 AND p.unreachable_at IS NULL
    ORDER BY r.event_id, r.status, r.queued_seq, r.participant_id
"""


class ReminderRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def remindable(self, event_ids: list[int]) -> list[Remindable]:
        if not event_ids:
            return []
        rows = await self._db.execute_fetchall(_REMINDABLE.format(marks=",".join("?" * len(event_ids))), event_ids)
        return [Remindable(row[0], row[1], RegistrationStatus(row[2]), from_db(row[3]), row[4]) for row in rows]

    async def record_dropped(self, dedupe_key: str, reason: str, now: datetime) -> None:
        """A reminder written to the outbox too late to make sense: keep it, as skipped, with the reason."""
        await self._db.execute(
            "UPDATE outbox SET status = 'skipped', last_error = ?, sent_at = NULL, attempts = 0 "
            "WHERE dedupe_key = ? AND status = 'pending' AND created_at = ?",
            (reason, dedupe_key, to_db(now)),
        )
