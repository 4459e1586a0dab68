"""Check-in at the venue: each event's check-in code, and who came (tables checkin_code and checkin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.participants import participant_from_row
from storage.records import Participant
from storage.timestamps import from_db, to_db


@dataclass(frozen=True)
class Checkin:
    event_id: int
    participant_id: int
    walk_in: bool  # not confirmed when they came (waiting, cancelled, never signed up)
    by_hand: bool  # checked in by an organiser rather than by scanning the code
    checked_in_at: datetime


@dataclass(frozen=True)
class PresentEntry:
    checkin: Checkin
    participant: Participant


def _checkin(row: aiosqlite.Row) -> Checkin:
    return Checkin(
        event_id=row["event_id"],
        participant_id=row["participant_id"],
        walk_in=bool(row["walk_in"]),
        by_hand=bool(row["by_hand"]),
        checked_in_at=from_db(row["checked_in_at"]),
    )


class CheckinRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def code_of(self, event_id: int) -> str | None:
        rows = await self._db.execute_fetchall("SELECT token FROM checkin_code WHERE event_id = ?", (event_id,))
        return rows[0]["token"] if rows else None

    async def add_code(self, event_id: int, token: str, now: datetime) -> str:
        """The event's code: ``token`` if it had none yet, else the one it already has (two organisers
        asking at once get the same code)."""
        await self._db.execute(
            "INSERT INTO checkin_code (event_id, token, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (event_id) DO NOTHING",
            (event_id, token, to_db(now)),
        )
        return await self.code_of(event_id)

    async def event_of(self, token: str) -> int | None:
        """The event a code belongs to, or None for a code that was never made."""
        rows = await self._db.execute_fetchall("SELECT event_id FROM checkin_code WHERE token = ?", (token,))
        return rows[0]["event_id"] if rows else None

    async def get(self, event_id: int, participant_id: int) -> Checkin | None:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM checkin WHERE event_id = ? AND participant_id = ?", (event_id, participant_id))
        return _checkin(rows[0]) if rows else None

    async def add(self, event_id: int, participant_id: int, *, walk_in: bool, by_hand: bool,
                  now: datetime) -> bool:
        """Record a person as present; False when they already were (nothing changes then)."""
        cursor = await self._db.execute(
            "INSERT INTO checkin (event_id, participant_id, walk_in, by_hand, checked_in_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, participant_id) DO NOTHING",
            (event_id, participant_id, int(walk_in), int(by_hand), to_db(now)),
        )
        return cursor.rowcount == 1

    async def present(self, event_id: int) -> list[PresentEntry]:
        """Who came, in the order they came, with who they are."""
        rows = await self._db.execute_fetchall(
            "SELECT p.*, c.event_id, c.participant_id, c.walk_in, c.by_hand, c.checked_in_at FROM checkin c "
            "JOIN participant p ON p.telegram_id = c.participant_id "
            "WHERE c.event_id = ? ORDER BY c.checked_in_at, c.participant_id",
            (event_id,),
        )
        return [PresentEntry(_checkin(row), participant_from_row(row)) for row in rows]

    async def present_ids(self, event_id: int) -> set[int]:
        rows = await self._db.execute_fetchall("SELECT participant_id FROM checkin WHERE event_id = ?", (event_id,))
        return {row["participant_id"] for row in rows}
