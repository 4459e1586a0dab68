"""The registration table: confirmed seats and the waiting list of each event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.events import _event
from storage.participants import _participant
from storage.records import Event, Participant, Registration
from storage.timestamps import from_db, to_db

ACTIVE = ("confirmed", "waitlisted")


def _registration(row: aiosqlite.Row, prefix: str = "") -> Registration:
    return Registration(
        id=row[f"{prefix}id"],
        event_id=row[f"{prefix}event_id"],
        participant_id=row[f"{prefix}participant_id"],
        status=row[f"{prefix}status"],
        queued_seq=row[f"{prefix}queued_seq"],
        created_at=from_db(row[f"{prefix}created_at"]),
        updated_at=from_db(row[f"{prefix}updated_at"]),
    )


@dataclass(frozen=True)
class PersonalEntry:
    """One line of a person's own agenda."""

    registration: Registration
    event: Event
    waitlist_position: int | None


@dataclass(frozen=True)
class RosterEntry:
    registration: Registration
    participant: Participant
    waitlist_position: int | None


_REG_COLUMNS = ", ".join(
    f"r.{c} AS r_{c}"
    for c in ("id", "event_id", "participant_id", "status", "queued_seq", "created_at", "updated_at")
)
# A waiting person's position is their rank in the queue: derived, so it can never have gaps.
_POSITION = """
    CASE WHEN r.status = 'waitlisted' THEN (
        SELECT COUNT(*) FROM registration w
        WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.queued_seq <= r.queued_seq
    ) END AS position
"""


class RegistrationRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def get(self, event_id: int, participant_id: int) -> Registration | None:
        async with self._db.execute(
            "SELECT * FROM registration WHERE event_id = ? AND participant_id = ?", (event_id, participant_id)
        ) as cur:
            row = await cur.fetchone()
        return _registration(row) if row else None

    async def save(
        self, event_id: int, participant_id: int, status: str, queued_seq: int | None, now: datetime
    ) -> None:
        """Record a person's status for an event: one row per person and event, reused on a new sign-up."""
        await self._db.execute(
            "INSERT INTO registration (event_id, participant_id, status, queued_seq, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, participant_id) DO UPDATE SET "
            "status = excluded.status, queued_seq = excluded.queued_seq, updated_at = excluded.updated_at",
            (event_id, participant_id, status, queued_seq, to_db(now), to_db(now)),
        )

    async def next_queue_seq(self, event_id: int) -> int:
        async with self._db.execute(
            "SELECT COALESCE(MAX(queued_seq), 0) + 1 FROM registration WHERE event_id = ?", (event_id,)
        ) as cur:
            row = await cur.fetchone()
        return int(row[0])

    async def waitlist_position(self, event_id: int, queued_seq: int) -> int:
        async with self._db.execute(
            "SELECT COUNT(*) FROM registration WHERE event_id = ? AND status = 'waitlisted' "
            "AND queued_seq <= ?",
            (event_id, queued_seq),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0])

    async def counts(self, event_id: int) -> tuple[int, int]:
        """(confirmed, waitlisted) for one event."""
        async with self._db.execute(
            "SELECT COALESCE(SUM(status = 'confirmed'), 0), COALESCE(SUM(status = 'waitlisted'), 0) "
            "FROM registration WHERE event_id = ?",
            (event_id,),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]), int(row[1])

    async def first_waiting(self, event_id: int, limit: int) -> list[Registration]:
        async with self._db.execute(
            "SELECT * FROM registration WHERE event_id = ? AND status = 'waitlisted' "
            "ORDER BY queued_seq LIMIT ?",
            (event_id, limit),
        ) as cur:
            return [_registration(row) for row in await cur.fetchall()]

    async def active_for_participant(self, participant_id: int) -> list[PersonalEntry]:
        async with self._db.execute(
            f"SELECT e.*, {_REG_COLUMNS}, {_POSITION} FROM registration r JOIN event e ON e.id = r.event_id "
            "WHERE r.participant_id = ? AND r.status IN ('confirmed', 'waitlisted') "
            "ORDER BY e.starts_at, e.position, e.slug",
            (participant_id,),
        ) as cur:
            return [
                PersonalEntry(_registration(row, "r_"), _event(row), row["position"])
                for row in await cur.fetchall()
            ]

    async def roster(self, event_id: int) -> list[RosterEntry]:
        """Confirmed people first (in the order they got their seat), then the waiting list in order."""
        async with self._db.execute(
            f"SELECT p.*, {_REG_COLUMNS}, {_POSITION} FROM registration r "
            "JOIN participant p ON p.telegram_id = r.participant_id "
            "WHERE r.event_id = ? AND r.status IN ('confirmed', 'waitlisted') "
            "ORDER BY r.status = 'waitlisted', CASE WHEN r.status = 'confirmed' THEN r.updated_at END, "
            "r.queued_seq, r.id",
            (event_id,),
        ) as cur:
            return [
                RosterEntry(_registration(row, "r_"), _participant(row), row["position"])
                for row in await cur.fetchall()
            ]
