"""Agenda files organisers sent to the bot, kept until they confirm or drop them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.timestamps import from_db, to_db


@dataclass(frozen=True)
class AgendaDraft:
    id: int
    organiser_id: int
    content: str
    created_at: datetime
    applied_at: datetime | None
    dropped_at: datetime | None


class DraftRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def add(self, organiser_id: int, content: str, now: datetime) -> int:
        cursor = await self._db.execute(
            "INSERT INTO agenda_draft (organiser_id, content, created_at) VALUES (?, ?, ?)",
            (organiser_id, content, to_db(now)),
        )
        return int(cursor.lastrowid)

    async def get(self, draft_id: int) -> AgendaDraft | None:
        rows = await self._db.execute_fetchall("SELECT * FROM agenda_draft WHERE id = ?", (draft_id,))
        if not rows:
            return None
        row = rows[0]
        return AgendaDraft(row["id"], row["organiser_id"], row["content"], from_db(row["created_at"]),
                           from_db(row["applied_at"]), from_db(row["dropped_at"]))

    async def settle(self, draft_id: int, now: datetime, *, applied: bool) -> bool:
        """Mark a draft applied or dropped; False when it already was one or the other (a second press)."""
        column = "applied_at" if applied else "dropped_at"
        cursor = await self._db.execute(
            f"UPDATE agenda_draft SET {column} = ?, content = CASE WHEN ? THEN content ELSE '' END "
            "WHERE id = ? AND applied_at IS NULL AND dropped_at IS NULL",
            (to_db(now), applied, draft_id),
        )
        return cursor.rowcount == 1

    async def forget(self, organiser_id: int) -> None:
        """A person who leaves takes the files they sent with them."""
        await self._db.execute("DELETE FROM agenda_draft WHERE organiser_id = ?", (organiser_id,))
