"""Retention in the running bot: once a day (and a minute after start-up, so a bot restarted every day still
checks), the people whose data has passed PONTE_RETENTION_DAYS are deleted (bot.domain.retention). The job
holds nothing in memory: what is due is read from the database, by the injectable clock, each time."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import CallbackContext, JobQueue

from bot.domain.retention import Retention

EVERY = timedelta(days=1)
FIRST = timedelta(minutes=1)


def schedule_retention(job_queue: JobQueue, retention: Retention) -> None:
    async def purge(_: CallbackContext) -> None:
        await retention.purge()

    job_queue.run_repeating(purge, interval=EVERY, first=FIRST, name="retention",
                            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
