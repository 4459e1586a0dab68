"""The outbox: every message the bot sends on its own is a row here before it is sent.

A row has a lane (personal rows go before bulk ones), a kind (how it is rendered), a recipient, an optional
event, a JSON payload, a due time, and an optional dedupe key (a second row with the same key is ignored) and
batch (rows sent together, such as one broadcast, so that a report can count them). A row is marked
``sending`` before it is handed to Telegram: after a crash, only rows in that state have an unknown fate."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from storage.records import OutboxLane, OutboxMessage, OutboxStatus
from storage.timestamps import from_db, to_db

_INSERT = (
    "INSERT INTO outbox (recipient_id, kind, lane, event_id, payload, batch, due_at, dedupe_key, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING"
)
_DUE_IN_LANE = (
    "SELECT * FROM outbox WHERE lane = ? AND status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?"
)


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
        lane=OutboxLane(row["lane"]),
        batch=row["batch"],
        dedupe_key=row["dedupe_key"],
        last_error=row["last_error"],
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
        lane: OutboxLane = OutboxLane.PERSONAL,
        event_id: int | None = None,
        payload: dict[str, object] | None = None,
        dedupe_key: str | None = None,
        batch: str | None = None,
    ) -> bool:
        """Queue a message; a second row with the same dedupe key is ignored. True when it was queued."""
        cursor = await self._db.execute(_INSERT, (
            recipient_id, str(kind), str(lane), event_id, json.dumps(payload or {}, ensure_ascii=False), batch,
            to_db(due_at), dedupe_key, to_db(now),
        ))
        return cursor.rowcount > 0

    async def add_many(
        self,
        recipient_ids: Iterable[int],
        kind: str,
        *,
        due_at: datetime,
        now: datetime,
        lane: OutboxLane = OutboxLane.BULK,
        event_id: int | None = None,
        payload: dict[str, object] | None = None,
        dedupe_prefix: str | None = None,
        batch: str | None = None,
    ) -> int:
        """The same message for many people (a broadcast) in one statement; with ``dedupe_prefix``, each row's
        key is ``prefix:recipient``, so queueing the same audience twice queues nobody twice. Returns how many
        rows were queued."""
        text, due, created = json.dumps(payload or {}, ensure_ascii=False), to_db(due_at), to_db(now)
        cursor = await self._db.executemany(_INSERT, [
            (recipient, str(kind), str(lane), event_id, text, batch, due,
             f"{dedupe_prefix}:{recipient}" if dedupe_prefix else None, created)
            for recipient in recipient_ids
        ])
        return cursor.rowcount

    async def claim(self, now: datetime) -> OutboxMessage | None:
        """The next row to send (a due personal row whenever there is one, else a due bulk row), marked
        ``sending``. Run it in the transaction that reads what the row needs."""
        for lane in (OutboxLane.PERSONAL, OutboxLane.BULK):
            rows = await self._db.execute_fetchall(_DUE_IN_LANE, (str(lane), to_db(now), 1))
            if rows:
                await self._db.execute("UPDATE outbox SET status = 'sending' WHERE id = ?", (rows[0]["id"],))
                return _message(rows[0])
        return None

    async def next_due(self) -> datetime | None:
        rows = await self._db.execute_fetchall("SELECT MIN(due_at) FROM outbox WHERE status = 'pending'")
        row = rows[0] if rows else None
        return from_db(row[0])

    async def finish(self, message_id: int, status: OutboxStatus, now: datetime, error: str | None = None) -> None:
        """Record what became of a row that was tried (its attempts grow by one)."""
        await self._db.execute(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, "
            "sent_at = CASE WHEN ? = 'sent' THEN ? END WHERE id = ?",
            (str(status), error, str(status), to_db(now), message_id),
        )

    async def retry_at(self, message_id: int, due_at: datetime, error: str, *, counted: bool = True) -> None:
        """Back to pending, due again at ``due_at``. A 429 is Telegram asking to wait, not a failed attempt:
        it passes ``counted=False`` and uses none of the row's attempts."""
        await self._db.execute(
            "UPDATE outbox SET status = 'pending', attempts = attempts + ?, last_error = ?, due_at = ? WHERE id = ?",
            (1 if counted else 0, error, to_db(due_at), message_id),
        )

    async def recover_interrupted(self, now: datetime) -> tuple[int, int]:
        """After a crash, rows left ``sending`` may or may not have reached the person. A personal row is sent
        again (a second copy of a freed seat beats none); a bulk row is marked ``uncertain``, so that a
        broadcast's report can count it and nobody gets the broadcast twice. Returns (re-sent, uncertain)."""
        resent = await self._db.execute(
            "UPDATE outbox SET status = 'pending', last_error = 'the bot stopped while sending it' "
            "WHERE status = 'sending' AND lane = ?", (str(OutboxLane.PERSONAL),))
        uncertain = await self._db.execute(
            "UPDATE outbox SET status = 'uncertain', last_error = 'the bot stopped while sending it', "
            "sent_at = ? WHERE status = 'sending'", (to_db(now),))
        return resent.rowcount, uncertain.rowcount

    async def withdraw(self, kind: str, event_id: int, now: datetime, reason: str,
                       recipient_id: int | None = None) -> int:
        """Rows of this kind about this event (for one person, or everyone) that are still pending are marked
        skipped with ``reason``: a reminder for an event that moved, say. Returns how many."""
        cursor = await self._db.execute(
            "UPDATE outbox SET status = 'skipped', last_error = ?, sent_at = ? WHERE status = 'pending' "
            "AND kind = ? AND event_id = ? AND (? IS NULL OR recipient_id = ?)",
            (reason, to_db(now), str(kind), event_id, recipient_id, recipient_id),
        )
        return cursor.rowcount

    async def tally(self, batch: str) -> dict[OutboxStatus, int]:
        """How many rows of a batch are in each state (every state present, zero or not): for a broadcast's
        progress and report, delivered + skipped (blocked) + failed + uncertain = audience once none is left
        pending or sending."""
        rows = await self._db.execute_fetchall(
            "SELECT status, COUNT(*) FROM outbox WHERE batch = ? GROUP BY status", (batch,))
        counts = dict.fromkeys(OutboxStatus, 0)
        counts.update({OutboxStatus(status): count for status, count in rows})
        return counts

    async def all(self) -> list[OutboxMessage]:
        rows = await self._db.execute_fetchall("SELECT * FROM outbox ORDER BY id")
        return [_message(row) for row in rows]
