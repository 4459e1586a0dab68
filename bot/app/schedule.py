"""Wakes the outbox dispatcher: a periodic sweep, and a timer for the earliest message due.
Jobs live only in memory, so everything is rebuilt from the database at start-up; and no job may be
dropped for being late (APScheduler's default grace is one second), hence misfire_grace_time=None."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import CallbackContext, JobQueue

from bot.config.clock import Clock
from bot.delivery.outbox import Dispatcher

# Short enough that what another process queued (an agenda import's change notices, due at the end of their
# quiet period) goes out within a few seconds of its moment; each sweep is two small queries.
SWEEP_SECONDS = 2
_NEVER_LATE = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


def schedule_outbox(job_queue: JobQueue, dispatcher: Dispatcher, clock: Clock) -> None:
    async def sweep(_: CallbackContext) -> None:
        await dispatcher.dispatch_due()
        due = await dispatcher.next_due()
        if due is None:
            return
        wait = (due - clock.now()).total_seconds()
        if 0 < wait < SWEEP_SECONDS:
            for job in job_queue.get_jobs_by_name("outbox-next"):
                job.schedule_removal()
            job_queue.run_once(sweep, when=timedelta(seconds=wait), name="outbox-next", job_kwargs=_NEVER_LATE)

    job_queue.run_repeating(sweep, interval=SWEEP_SECONDS, first=0, name="outbox-sweep", job_kwargs=_NEVER_LATE)
