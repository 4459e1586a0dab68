"""Before any journey: who is writing, in which language, and whether they have consented yet."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.domain.languages import language_for
from bot.render import callback_data
from bot.render.i18n import translator
from handlers.context import PonteContext
from handlers.privacy import show_privacy_notice

# What a person may do before consenting: read and answer the privacy notice, pick a language, get help.
_OPEN_COMMANDS = {"start", "help", "language", "privacy"}
_OPEN_BUTTONS = {"consent", "lang", "langmenu", "noop"}


async def load_person(update: Update, context: PonteContext) -> None:
    """Load the person once per update and choose their language; stop updates that need consent."""
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    people = context.services.people
    context.person = await people.get(user.id)
    stored = context.person.language if context.person else None
    context.t = translator(language_for(stored, user.language_code))
    if context.person and context.person.consented:
        context.person = await people.note_username(user.id, user.username)
        return
    if _is_open(update):
        return
    await show_privacy_notice(update, context, event_slug=None)
    raise ApplicationHandlerStop


def _is_open(update: Update) -> bool:
    if update.callback_query:
        action = callback_data.parse(update.callback_query.data)
        return action is not None and action.name in _OPEN_BUTTONS
    message = update.effective_message
    if message and message.text and message.text.startswith("/"):
        command = message.text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(message.text) > 1 else ""
        return command in _OPEN_COMMANDS
    return False
