"""Changes to events waiting out their quiet period: what the event was before the first of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.timestamps import from_db, to_db


@dataclass(frozen=True)
class PendingChange:
    event_id: int
    before: str  # the event's notable fields before the first change, as JSON (bot.domain.changes)
    changed_at: datetime
    due_at: datetime


def _change(row: aiosqlite.Row) -> PendingChange:
    return PendingChange(row["event_id"], row["before"], from_db(row["changed_at"]), from_db(row["due_at"]))


class ChangeRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def get(self, event_id: int) -> PendingChange | None:
        rows = await self._db.execute_fetchall("SELECT * FROM event_change WHERE event_id = ?", (event_id,))
        return _change(rows[0]) if rows else None

    async def open(self, event_id: int, before: str, now: datetime, due_at: datetime) -> None:
        """Start a quiet period, unless one is running (its snapshot, from before its first change, stays)."""
        await self._db.execute(
            "INSERT INTO event_change (event_id, before, changed_at, due_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (event_id) DO NOTHING",
            (event_id, before, to_db(now), to_db(due_at)),
        )

    async def due(self, now: datetime) -> list[PendingChange]:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM event_change WHERE due_at <= ? ORDER BY due_at, event_id", (to_db(now),)
        )
        return [_change(row) for row in rows]

    async def next_due(self) -> datetime | None:
        rows = await self._db.execute_fetchall("SELECT MIN(due_at) FROM event_change")
        return from_db(rows[0][0]) if rows else None

    async def close(self, event_id: int) -> None:
        await self._db.execute("DELETE FROM event_change WHERE event_id = ?", (event_id,))
