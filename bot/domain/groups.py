"""Ponte in groups: it serves people in private chats, and points a group there once."""

from __future__ import annotations

from bot.config.clock import Clock
from storage import Database


class Groups:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def first_pointer(self, chat_id: int) -> bool:
        """True the first time a group asks Ponte for something, and never again, across restarts: a group
        hears once where to find the bot, and is not spammed by every command typed there."""
        async with self._db.serialized() as tx:
            return await tx.groups.point_once(chat_id, self._clock.now())
