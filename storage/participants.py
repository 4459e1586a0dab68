"""The participant table."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.records import Participant
from storage.timestamps import from_db, to_db


def participant_from_row(row: aiosqlite.Row) -> Participant:
    return Participant(
        telegram_id=row["telegram_id"],
        language=row["language"],
        display_name=row["display_name"],
        city=row["city"],
        timezone=row["timezone"],
        consent_at=from_db(row["consent_at"]),
        awaiting=row["awaiting"],
        username=row["username"],
        unreachable_at=from_db(row["unreachable_at"]),
        reminders=bool(row["reminders"]),
    )


class ParticipantRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def get(self, telegram_id: int) -> Participant | None:
        rows = await self._db.execute_fetchall("SELECT * FROM participant WHERE telegram_id = ?", (telegram_id,))
        row = rows[0] if rows else None
        return participant_from_row(row) if row else None

    async def get_many(self, telegram_ids: list[int]) -> dict[int, Participant]:
        if not telegram_ids:
            return {}
        marks = ",".join("?" * len(telegram_ids))
        rows = await self._db.execute_fetchall(
            f"SELECT * FROM participant WHERE telegram_id IN ({marks})", telegram_ids
        )
        return {row["telegram_id"]: participant_from_row(row) for row in rows}

    async def ensure(self, telegram_id: int, now: datetime) -> None:
        """Create the row that holds only the id, as before consent; an existing row is left as it is."""
        await self._db.execute(
            "INSERT INTO participant (telegram_id, created_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (telegram_id) DO NOTHING",
            (telegram_id, to_db(now), to_db(now)),
        )

    async def update(self, telegram_id: int, now: datetime, **fields: object) -> None:
        allowed = {"language", "display_name", "city", "timezone", "consent_at", "awaiting", "username",
                   "unreachable_at", "reminders"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not participant fields: {sorted(unknown)}")
        values = [to_db(v) if isinstance(v, datetime) else v for v in fields.values()]
        assignments = ", ".join(f"{name} = ?" for name in fields)
        await self._db.execute(
            f"UPDATE participant SET {assignments}, updated_at = ? WHERE telegram_id = ?",
            (*values, to_db(now), telegram_id),
        )

    async def delete(self, telegram_id: int) -> None:
        await self._db.execute("DELETE FROM participant WHERE telegram_id = ?", (telegram_id,))
