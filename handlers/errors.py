"""The last line: log what went wrong and tell the person politely, in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.domain.languages import language_for
from bot.render.i18n import translator
from handlers.context import PonteContext

log = logging.getLogger(__name__)


async def report_error(update: object, context: PonteContext) -> None:
    """Log the failure with its update, and apologise to the person it happened to."""
    log.error("error while handling %r", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        # The error handler gets a fresh context, not the failed journey's: find the language again.
        user = update.effective_user
        person = await context.services.people.get(user.id) if user else None
        t = translator(language_for(person.language if person else None, user.language_code if user else None))
        if update.callback_query:
            await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, t._(
            "Sorry, something went wrong on my side. Please try again in a moment; if it happens again, "
            "the organizers have been told."))
    except (TelegramError, OSError, RuntimeError):
        log.warning("could not apologise for the error above", exc_info=True)
