"""The organiser's view of a broadcast while it goes out: one message, edited with the count and an estimate
of the time left at a pace Telegram allows, and at the end the delivery report (queued in the outbox by the
domain, so it is written once). Everything it needs is in the database, so a restart carries on."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram.error import RetryAfter, TelegramError
from telegram.ext import CallbackContext, JobQueue

from bot.app.services import Services
from bot.domain.broadcasts import Report
from bot.domain.languages import language_for
from bot.render.broadcasts import audience_label, finished_text, progress_text
from bot.render.i18n import translator
from bot.telegram.errors import Refusal, refusal, retry_seconds
from bot.telegram.ponte_bot import PonteBot

log = logging.getLogger(__name__)
# Telegram lets a bot edit one message about once a second; a progress line every few seconds is plenty,
# and leaves the chat's allowance to the messages themselves.
EDIT_EVERY = timedelta(seconds=3)
# How long the Send press has to show the first progress line before the watch goes on without it (a crash
# between the two must not leave a broadcast unfinished).
FIRST_WORD = timedelta(seconds=10)


class BroadcastWatch:
    def __init__(self, services: Services, bot: PonteBot) -> None:
        self._services = services
        self._bot = bot
        # Telegram asked to slow down (429): no progress edit before then (the report still goes, through the
        # outbox, which waits as told). In memory: a restart ends the wait anyway.
        self._quiet_until: datetime | None = None

    async def tick(self) -> None:
        """Look at every broadcast on its way: finish those that are complete, update the others' progress
        when its text changed and the last edit is old enough."""
        broadcasts = self._services.broadcasts
        now = self._services.clock.now()
        for report in await broadcasts.on_their_way():
            started = report.broadcast.started_at
            if report.broadcast.progress_text is None and started is not None and now - started < FIRST_WORD:
                # The Send press is still showing its first progress line: a small broadcast could be over
                # before it, and that line would then cover the final one. Its journey has the first word.
                continue
            if report.finished:
                if await broadcasts.finish(report.broadcast.id) is not None:
                    await self._show(report, final=True)
                continue
            await self._show(report, final=False)

    async def _show(self, report: Report, *, final: bool) -> None:
        broadcast = report.broadcast
        if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
            return
        now = self._services.clock.now()
        last = broadcast.progress_at or broadcast.started_at
        if not final and last is not None and now - last < EDIT_EVERY:
            return
        if not final and self._quiet_until is not None and now < self._quiet_until:
            return
        author = await self._services.people.get(broadcast.author_id) if broadcast.author_id else None
        t = translator(language_for(author.language if author else None, None))
        audience = audience_label(t, broadcast.audience, broadcast.event_title)
        if final:
            text = finished_text(t, audience, report.total)
        else:
            text = progress_text(t, audience, report.done, report.total, _seconds_left(report, now))
        if text == broadcast.progress_text:
            return  # editing a message into itself is an error ("message is not modified")
        try:
            await self._bot.edit_view(broadcast.progress_chat_id, broadcast.progress_message_id, text, None)
        except RetryAfter as error:
            log.info("progress of broadcast %s waits: %s", broadcast.id, error)
            self._quiet_until = now + timedelta(seconds=retry_seconds(error))
            return
        except TelegramError as error:
            if refusal(error) is not Refusal.NOT_MODIFIED:
                # Deleted by the organiser, or too old to edit: the report still comes at the end.
                log.info("progress of broadcast %s not shown: %s", broadcast.id, error)
        await self._services.broadcasts.note_progress(broadcast.id, text)


def _seconds_left(report: Report, now: datetime) -> float | None:
    """From the pace so far: the messages still to go at the rate the gone ones went."""
    started = report.broadcast.started_at
    gone = report.done - report.broadcast.blocked_before
    if started is None or gone <= 0:
        return None
    elapsed = (now - started).total_seconds()
    if elapsed <= 0:
        return None
    return report.waiting / (gone / elapsed)


def watch_broadcasts(job_queue: JobQueue, watch: BroadcastWatch) -> None:
    """Every second: cheap (one query while nothing goes out), and the report follows a broadcast's last
    message within a second, also after a restart."""

    async def follow(_: CallbackContext) -> None:
        await watch.tick()

    job_queue.run_repeating(follow, interval=1.0, first=0, name="broadcast-progress",
                            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
