"""Running the bot: long polling, the outbox schedule, and a clean stop on SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app.application import build_application, publish_profile
from bot.app.inbox import Inbox, poll
from bot.app.progress import BroadcastWatch, watch_broadcasts
from bot.app.schedule import schedule_outbox
from bot.app.services import open_services
from bot.config.clock import Clock
from bot.config.settings import Settings
from bot.domain.questionnaires import Questionnaires
from bot.render.i18n import load_all

log = logging.getLogger(__name__)


async def serve(settings: Settings, *, clock: Clock | None = None, stop: asyncio.Event | None = None) -> None:
    """Poll Telegram until ``stop`` is set (or a signal arrives)."""
    load_all()
    clock = clock or settings.clock()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    services = await open_services(settings, clock)
    try:
        application = build_application(services)
        async with application:
            await publish_profile(application)
            if await services.agenda.is_empty():
                log.warning("the agenda is empty: load one with `ponte agenda import FILE`")
            if await Questionnaires(services.db, clock).install_default():
                log.info("installed the default questionnaire after-the-visit: replace it with "
                         "`ponte questionnaire import FILE`")
            schedule_outbox(application.job_queue, services.dispatcher, clock)
            watch_broadcasts(application.job_queue, BroadcastWatch(services, application.bot))
            inbox = Inbox(services.db, clock)
            application.on_handled = inbox.handled
            await application.start()
            log.info("Ponte is running as @%s", application.bot.username)
            # Updates stored but not handled before a stop or a crash are handled first, then new ones.
            await poll(application, inbox, stop)
            log.info("stopping")
            await application.update_queue.join()
            await inbox.idle()
            await services.dispatcher.idle()
            await application.stop()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await services.db.close()
