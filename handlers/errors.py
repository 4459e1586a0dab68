"""The last line: log what went wrong and tell the person politely, in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from handlers.context import PonteContext

log = logging.getLogger(__name__)


async def report_error(update: object, context: PonteContext) -> None:
    """Log the failure with its update, and apologise to the person it happened to."""
    log.error("error while handling %r", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        if update.callback_query and not context.answered:
            await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, context.t._(
            "Sorry, something went wrong on my side. Please try again in a moment; if it happens again, "
            "the organisers have been told."))
    except TelegramError:
        log.warning("could not apologise for the error above", exc_info=True)
