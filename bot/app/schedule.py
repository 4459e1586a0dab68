"""Wakes the outbox dispatcher: at once at start-up, at the earliest time a row is due, and in a sweep every
few seconds for rows another process queued (an agenda import). Jobs live only in memory and are rebuilt from
the database; no job may be dropped for being late (APScheduler's default grace is one second), hence
misfire_grace_time=None."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram.ext import CallbackContext, JobQueue

from bot.config.clock import Clock
from bot.delivery.outbox import Dispatcher

SWEEP_SECONDS = 5
_NEVER_LATE = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


def schedule_outbox(job_queue: JobQueue, dispatcher: Dispatcher, clock: Clock) -> None:
    async def sweep(_: CallbackContext) -> None:
        await dispatcher.dispatch_due()

    def alarm(due: datetime | None) -> None:
        """After every dispatch: one timer for the earliest row still waiting (a reminder, a retry)."""
        for job in job_queue.get_jobs_by_name("outbox-next"):
            job.schedule_removal()
        if due is not None:
            wait = max((due - clock.now()).total_seconds(), 0.0)
            job_queue.run_once(sweep, when=timedelta(seconds=wait), name="outbox-next", job_kwargs=_NEVER_LATE)

    dispatcher.set_alarm(alarm)
    # An interval job's first run is one interval after the scheduler starts, not at once: what was due at
    # start-up (or left by a crash) would wait for it. This one runs as soon as the job queue starts.
    job_queue.run_once(sweep, when=0, name="outbox-start", job_kwargs=_NEVER_LATE)
    job_queue.run_repeating(sweep, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="outbox-sweep",
                            job_kwargs=_NEVER_LATE)
