"""The last line: log what went wrong and tell the person politely, in their language."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError

from handlers.context import PonteContext
from handlers.people import reader

log = logging.getLogger(__name__)


async def report_error(update: object, context: PonteContext) -> None:
    """Log the failure with its update, and apologise to the person it happened to."""
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=context.error)
        return
    # Telegram ids only: an update carries names and usernames, which logs must not keep.
    user = update.effective_user
    log.error("error while handling update %s from %s", update.update_id, user.id if user else "nobody",
              exc_info=context.error, extra={"update_id": update.update_id, "person": user.id if user else None})
    if update.effective_chat is None or not (update.message or update.callback_query):
        return  # nobody is waiting for an answer (a membership change, an edit)
    if update.callback_query:
        # The journey may have answered the press already: the apology below goes out all the same.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        # The error handler gets a fresh context, not the failed journey's: find the language again.
        _, t = await reader(context.services, update.effective_user)
        await context.bot.send_message(update.effective_chat.id, t._(
            "Sorry, something went wrong on my end, and I've made a note of it for the organizers. Please try "
            "again in a moment."))
    except (TelegramError, OSError, RuntimeError):
        log.warning("could not apologise for the error above", exc_info=True)
