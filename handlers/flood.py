"""One person flooding the bot gets answers at a pace Telegram accepts, and one polite word."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.common import toast
from handlers.context import PonteContext
from handlers.people import reader


async def hold_back_floods(update: Update, context: PonteContext) -> None:
    """Drop what a person cannot have meant (a burst far beyond tapping speed), saying so once."""
    user = update.effective_user
    admitted, warn = context.application.flood_gate.admit(user.id)
    if admitted:
        return
    if warn:
        _, t = await reader(context.services, user)
        text = t._("That's a lot at once! I'll answer again in a few seconds; what you sent meanwhile is "
                   "skipped, so please send it again.")
        if update.callback_query is not None:
            await toast(update, context, text, alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, text)
    elif update.callback_query is not None:
        await toast(update, context)  # stop the spinner, silently
    raise ApplicationHandlerStop
