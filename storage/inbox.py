"""The inbox: every update Telegram delivers is stored here before Telegram is told it arrived, and marked
once handled. A handled update keeps only its id (no names, no texts): enough to refuse it if redelivered."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.timestamps import to_db


class InboxRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def store(self, updates: list[tuple[int, str]], now: datetime) -> set[int]:
        """Store (update_id, JSON) pairs in one statement; returns the ids never seen before."""
        if not updates:
            return set()
        marks = ", ".join("(?, ?, ?)" for _ in updates)
        received = to_db(now)  # once: converting a moment costs more than binding the text a hundred times
        values = [v for update_id, payload in updates for v in (update_id, payload, received)]
        rows = await self._db.execute_fetchall(
            f"INSERT INTO inbox (update_id, payload, received_at) VALUES {marks} "
            "ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            values,
        )
        return {row[0] for row in rows}

    async def unhandled(self) -> list[str]:
        """The updates stored but not handled (the bot stopped or crashed first), oldest first."""
        rows = await self._db.execute_fetchall(
            "SELECT payload FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
        )
        return [row[0] for row in rows]

    async def last_id(self) -> int | None:
        rows = await self._db.execute_fetchall("SELECT MAX(update_id) FROM inbox")
        return rows[0][0] if rows else None

    async def mark_handled(self, update_ids: list[int], now: datetime) -> None:
        marks = ",".join("?" * len(update_ids))
        await self._db.execute(
            f"UPDATE inbox SET handled_at = ?, payload = NULL WHERE update_id IN ({marks})",
            (to_db(now), *update_ids),
        )

    async def forget_handled_before(self, moment: datetime) -> None:
        """Telegram redelivers for a day at most, and numbers updates afresh after a quiet week."""
        await self._db.execute(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?", (to_db(moment),)
        )

    async def forget_person(self, telegram_id: int, now: datetime) -> None:
        """Drop the stored text of every update that names this person anywhere (as sender, as the chat, in
        a reply or a forward): Telegram ids sit under an "id" key. The update ids stay, so a redelivery is
        still refused; an update not yet handled is marked handled, as it can no longer be replayed."""
        await self._db.execute(
            "UPDATE inbox SET payload = NULL, handled_at = COALESCE(handled_at, ?) "
            "WHERE payload IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM json_tree(inbox.payload) WHERE key = 'id' AND type = 'integer' AND atom = ?)",
            (to_db(now), telegram_id),
        )
