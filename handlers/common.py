"""Replying: edit the message a button sits on, or send a new one; keyboards from (label, data) pairs."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Update
from telegram.error import BadRequest

from bot.render.buttons import Button
from bot.telegram.errors import Refusal, refusal
from bot.telegram.markup import keyboard, keyboard_text
from handlers.context import PonteContext

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096
Rows = Sequence[Sequence[Button]]


async def reply(update: Update, context: PonteContext, text: str, rows: Rows = (), *, new: bool = False,
                notice: str | None = None, alert: bool = False) -> None:
    """Answer in place when a button was pressed (navigation must not flood the chat), else send.
    ``notice`` is the short answer shown on the pressed button itself."""
    if len(text) > TEXT_LIMIT:
        raise ValueError(f"a reply of {len(text)} characters: views must fit Telegram's {TEXT_LIMIT}")
    await toast(update, context, notice, alert=alert)
    query = update.callback_query
    if query is not None and query.message is not None and not new:
        try:
            await context.bot.edit_view(query.message.chat.id, query.message.message_id, text, keyboard_text(rows))
            return
        except BadRequest as error:
            kind = refusal(error)
            if kind is Refusal.NOT_MODIFIED:
                return
            if kind is not Refusal.MESSAGE_GONE:
                raise
            # The message is gone (deleted, or too old to edit): say it anew.
    await context.bot.send_message(
        update.effective_chat.id, text, reply_markup=keyboard(rows), disable_web_page_preview=True
    )


async def toast(update: Update, context: PonteContext, text: str | None = None, *, alert: bool = False) -> None:
    """A short answer on the pressed button itself (once per press, as Telegram allows: a journey that
    replies twice answers the press only the first time)."""
    if update.callback_query is not None and not context.answered:
        context.answered = True
        await context.bot.answer_press(update.callback_query.id, text[:200] if text else None, alert=alert)

