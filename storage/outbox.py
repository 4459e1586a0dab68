"""The outbox: every message the bot sends on its own is a row here before it is sent."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from storage.records import OutboxMessage, OutboxStatus
from storage.timestamps import from_db, to_db


def _message(row: aiosqlite.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        recipient_id=row["recipient_id"],
        kind=row["kind"],
        event_id=row["event_id"],
        payload=row["payload"],
        due_at=from_db(row["due_at"]),
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
    )


class OutboxRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def add(
        self,
        recipient_id: int,
        kind: str,
        *,
        due_at: datetime,
        now: datetime,
        event_id: int | None = None,
        payload: dict[str, object] | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        """Queue a message; a second row with the same dedupe key is ignored."""
        await self._db.execute(
            "INSERT INTO outbox (recipient_id, kind, event_id, payload, due_at, dedupe_key, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
            (
                recipient_id,
                kind,
                event_id,
                json.dumps(payload or {}, ensure_ascii=False),
                to_db(due_at),
                dedupe_key,
                to_db(now),
            ),
        )

    async def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM outbox WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [_message(row) for row in rows]

    async def next_due(self) -> datetime | None:
        rows = await self._db.execute_fetchall("SELECT MIN(due_at) FROM outbox WHERE status = 'pending'")
        row = rows[0] if rows else None
        return from_db(row[0])

    async def finish(self, message_id: int, status: OutboxStatus, now: datetime, error: str | None = None) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, "
            "sent_at = CASE WHEN ? = 'sent' THEN ? END WHERE id = ?",
            (str(status), error, str(status), to_db(now), message_id),
        )

    async def retry_at(self, message_id: int, due_at: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, due_at = ? WHERE id = ?",
            (error, to_db(due_at), message_id),
        )

    async def all(self) -> list[OutboxMessage]:
        rows = await self._db.execute_fetchall("SELECT * FROM outbox ORDER BY id")
        return [_message(row) for row in rows]
