"""Errors the running bot met (the error handler records them), for ``ponte status``: the type of error,
where it was raised, and the update's id. No message text, no names, no person's id."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.timestamps import to_db

# The latest are enough to see what is going wrong; older ones are in the logs.
KEEP = 200


class ProblemRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def record(self, at: datetime, kind: str, place: str, update_id: int | None) -> None:
        await self._db.execute("INSERT INTO problem (at, kind, place, update_id) VALUES (?, ?, ?, ?)",
                               (to_db(at), kind[:200], place[:300], update_id))
        await self._db.execute("DELETE FROM problem WHERE id <= (SELECT MAX(id) FROM problem) - ?", (KEEP,))
