"""The audit log of privileged actions: who (a Telegram id, or the command line), what, when.

Each action is recorded where the domain checks it is allowed, in the same transaction as the action when
there is one (:func:`note`), so an action and its record cannot part. Details hold ids and counts, never
names: the log outlives the people in it (see the README's privacy section)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from bot.config.clock import Clock
from storage import Database, Transaction
from storage.audit import AuditEntry

Detail = Mapping[str, str | int]


class AuditAction(enum.StrEnum):
    AGENDA_IMPORTED = "agenda_imported"  # from the command line or a file sent in the chat
    BROADCAST_SENT = "broadcast_sent"
    INVITE_CREATED = "invite_created"
    INVITE_REVOKED = "invite_revoked"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    EXPORT = "export"  # answers or a report taken out of Ponte


async def note(tx: Transaction, clock: Clock, actor_id: int | None, action: AuditAction,
               detail: Detail | None = None) -> None:
    """Record an action inside the transaction that performs it."""
    await tx.audit.add(actor_id, action.value, detail or {}, clock.now())


class Audit:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record(self, actor_id: int | None, action: AuditAction, detail: Detail | None = None) -> None:
        """Record an action that has no transaction of its own (an export): call it once the action is
        allowed and done. ``actor_id`` None is the command line."""
        async with self._db.serialized() as tx:
            await note(tx, self._clock, actor_id, action, detail)

    async def latest(self, limit: int = 50) -> list[AuditEntry]:
        """The newest entries first."""
        async with self._db.serialized() as tx:
            return await tx.audit.latest(limit)
