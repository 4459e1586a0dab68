"""Retention in the running bot: once a day (and a minute after start-up, so a bot restarted every day still
checks), the people whose data has passed PONTE_RETENTION_DAYS are deleted (bot.domain.retention). The job
holds nothing in memory: what is due is read from the database, by the injectable clock, each time.

`ponte purge` deletes from another process: every few seconds the bot looks whether another process wrote
to the database, and if so forgets the people it keeps in memory, so that nobody deleted is served from it."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import CallbackContext, JobQueue

from bot.domain.people import People
from bot.domain.retention import Retention

EVERY = timedelta(days=1)
FIRST = timedelta(minutes=1)
LOOK_ELSEWHERE = timedelta(seconds=5)
_NEVER_LATE = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


def schedule_retention(job_queue: JobQueue, retention: Retention, people: People) -> None:
    async def purge(_: CallbackContext) -> None:
        await retention.purge()

    async def look_elsewhere(_: CallbackContext) -> None:
        await people.forget_cache_if_changed_elsewhere()

    job_queue.run_repeating(purge, interval=EVERY, first=FIRST, name="retention", job_kwargs=_NEVER_LATE)
    job_queue.run_repeating(look_elsewhere, interval=LOOK_ELSEWHERE, first=LOOK_ELSEWHERE,
                            name="people-changed-elsewhere", job_kwargs=_NEVER_LATE)
