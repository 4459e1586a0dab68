"""Personal data is not kept forever: a person is deleted, the same way as when they ask, once
``PONTE_RETENTION_DAYS`` have passed since their last moment with Ponte.

That moment is the later of the end of the last event they signed up for (a cancelled sign-up counts: the
event was theirs to decide on) or checked in at (a walk-in has no sign-up), and their last activity: consent,
a change to their profile or settings, a sign-up or cancellation, a check-in, a feedback answer, a broadcast or
agenda file written as an organiser. A person who never signed up for anything is therefore counted from their
last activity. Reading the agenda leaves no trace, so it does not count."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config.clock import Clock
from bot.domain.people import People
from storage import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Leaving:
    """A person whose data has passed its time."""

    telegram_id: int
    last_event_end: datetime | None  # None: never signed up for anything
    last_moment: datetime  # what the days are counted from
    days_since: int


class Retention:
    def __init__(self, db: Database, clock: Clock, people: People, days: int) -> None:
        self._db = db
        self._clock = clock
        self._people = people
        self.days = days

    def _cutoff(self, now: datetime) -> datetime:
        """Kept while the last moment is at most ``days`` ago: exactly ``days`` ago still stays."""
        return now - timedelta(days=self.days)

    async def due(self) -> list[Leaving]:
        """Who would be deleted now, longest gone first. Changes nothing."""
        now = self._clock.now()
        async with self._db.serialized() as tx:
            found = await tx.personal_data.last_activity(before=self._cutoff(now))
        return [Leaving(row.telegram_id, row.last_event_end, row.last_moment, (now - row.last_moment).days)
                for row in found]

    async def purge(self) -> list[Leaving]:
        """Delete everyone whose time has passed; returns who was. Each deletion checks again, in its own
        transaction, that the person has not come back meanwhile."""
        cutoff = self._cutoff(self._clock.now())
        deleted = [leaving for leaving in await self.due()
                   if await self._people.forget(leaving.telegram_id, idle_before=cutoff)]
        if deleted:
            # Ids only: logs never carry names.
            log.info("retention: deleted the data of %d people with no event or activity in the last %d days: %s",
                     len(deleted), self.days, ", ".join(str(leaving.telegram_id) for leaving in deleted))
        return deleted
