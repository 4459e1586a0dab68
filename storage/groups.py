"""Groups the bot was added to: only which of them it has already pointed to its private chat."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.timestamps import to_db


class GroupRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def point_once(self, chat_id: int, now: datetime) -> bool:
        """Record that the group was pointed to the private chat; False when it already had been."""
        cursor = await self._db.execute(
            "INSERT INTO group_pointer (chat_id, pointed_at) VALUES (?, ?) ON CONFLICT (chat_id) DO NOTHING",
            (chat_id, to_db(now)),
        )
        return cursor.rowcount == 1
