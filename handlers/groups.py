"""Outside private chats: Ponte serves each person one to one, so a group hears once where to find it."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.domain.languages import language_for
from bot.render.i18n import translator
from handlers.context import PonteContext

log = logging.getLogger(__name__)


def in_private_chat(update: Update) -> bool:
    """A message or a button press from a person in their own chat with the bot: all that Ponte answers.
    Edited messages, channel posts, membership changes and anything without a sender are not."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot or chat is None or chat.type != ChatType.PRIVATE:
        return False
    return update.message is not None or update.callback_query is not None


def private_membership(update: Update) -> bool:
    """A person blocked or unblocked the bot in their private chat (Telegram's my_chat_member update)."""
    member, chat = update.my_chat_member, update.effective_chat
    return member is not None and chat is not None and chat.type == ChatType.PRIVATE and not member.from_user.is_bot


async def keep_to_private_chats(update: Update, context: PonteContext) -> None:
    """Stop every update outside a private chat before anything personal (the privacy notice, a roster)
    could be said in front of a group; a group's first command gets a pointer to the private chat."""
    if in_private_chat(update) or private_membership(update):
        return
    query = update.callback_query
    if query is not None:
        try:
            await query.answer()  # stops the spinner on the button, without a word in front of the group
        except TelegramError as error:
            log.info("a press outside a private chat could not be answered: %s", error)
    elif _command_for_ponte(update, context.bot.username) and await context.services.groups.first_pointer(
            update.effective_chat.id):
        await _point_to_private_chat(update, context)
    raise ApplicationHandlerStop


def _command_for_ponte(update: Update, username: str) -> bool:
    """A command typed by a person in a group, for this bot (``/start@ponte_bot``, or a bare ``/start``)."""
    message, user, chat = update.message, update.effective_user, update.effective_chat
    if message is None or user is None or user.is_bot or chat is None:
        return False
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP) or not message.text:
        return False
    if not any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in message.entities):
        return False
    addressee = message.text.split(maxsplit=1)[0].partition("@")[2]
    return not addressee or addressee.lower() == username.lower()


async def _point_to_private_chat(update: Update, context: PonteContext) -> None:
    # The person is not looked up: nothing about them is read or kept because they typed in a group.
    t = translator(language_for(None, update.effective_user.language_code))
    username = context.bot.username
    text = t._("👋 I'm Ponte, the bot of the Turin–Baltimore exchange. I talk with each person in a private "
               "chat, so that what you tell me stays between us: write to me there.")
    button = InlineKeyboardButton(t._("💬 Write to Ponte"), url=f"https://t.me/{username}")
    try:
        await context.bot.send_message(update.effective_chat.id, text,
                                        reply_markup=InlineKeyboardMarkup([[button]]))
    except TelegramError as error:
        # Removed from the group, or not allowed to write there: nothing else to do.
        log.info("could not point group %s to the private chat: %s", update.effective_chat.id, error)
