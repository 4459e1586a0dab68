"""The audit log: who did what privileged thing, and when. Rows are added, never changed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.timestamps import from_db, to_db


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None  # None: the command line
    action: str
    detail: dict[str, str | int]


FORGOTTEN = "deleted"  # stands where the id of a person who deleted their data stood


class AuditRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def add(self, actor_id: int | None, action: str, detail: Mapping[str, str | int], now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO audit (at, actor_id, action, detail) VALUES (?, ?, ?, ?)",
            (to_db(now), actor_id, action, json.dumps(dict(detail), ensure_ascii=False, sort_keys=True)))

    async def forget(self, telegram_id: int) -> None:
        """A person deleted their data: the log keeps what was done and when, but not by or to whom. Their id
        becomes "deleted" wherever it stood (the actor, a detail), so no row leads back to them."""
        rows = await self._db.execute_fetchall(
            "SELECT id, actor_id, detail FROM audit WHERE actor_id = ? OR detail LIKE ?",
            (telegram_id, f"%{telegram_id}%"))
        for row in rows:
            detail = {key: FORGOTTEN if value in (telegram_id, str(telegram_id)) else value
                      for key, value in json.loads(row["detail"]).items()}
            actor = row["actor_id"]
            if actor == telegram_id:
                actor, detail["actor"] = None, FORGOTTEN
            await self._db.execute("UPDATE audit SET actor_id = ?, detail = ? WHERE id = ?",
                                   (actor, json.dumps(detail, ensure_ascii=False, sort_keys=True), row["id"]))

    async def latest(self, limit: int) -> list[AuditEntry]:
        """The newest first."""
        rows = await self._db.execute_fetchall("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [AuditEntry(row["id"], from_db(row["at"]), row["actor_id"], row["action"], json.loads(row["detail"]))
                for row in rows]
