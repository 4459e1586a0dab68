"""Replying: edit the message a button sits on, or send a new one; keyboards from (label, data) pairs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import Update
from telegram.error import BadRequest, RetryAfter

from bot.domain.text_length import MESSAGE_LIMIT, visible_units
from bot.render.buttons import Button
from bot.telegram.errors import Refusal, refusal, retry_seconds
from bot.telegram.markup import keyboard, keyboard_text
from handlers.context import PonteContext

log = logging.getLogger(__name__)
# A person waits for their answer this long at most when Telegram asks Ponte to slow down (429); a press's
# own short answer waits less, since Telegram forgets a press after a few seconds.
PATIENCE = 30.0
PRESS_PATIENCE = 5.0
Rows = Sequence[Sequence[Button]]
T = TypeVar("T")


async def when_allowed(context: PonteContext, call: Callable[[], Awaitable[T]], patience: float = PATIENCE) -> T:
    """Make a call; when Telegram answers 429, wait as long as it asks (up to ``patience``) and make it again."""
    try:
        return await call()
    except RetryAfter as error:
        wait = retry_seconds(error)
        if wait > patience:
            raise
        log.info("Telegram asked to wait %.0f s before answering", wait)
        await context.application.pause(wait)
        return await call()


async def reply(update: Update, context: PonteContext, text: str, rows: Rows = (), *, new: bool = False,
                notice: str | None = None, alert: bool = False) -> None:
    """Answer in place when a button was pressed (navigation must not flood the chat), else send.
    ``notice`` is the short answer shown on the pressed button itself."""
    if len(text) > MESSAGE_LIMIT and visible_units(text) > MESSAGE_LIMIT:
        # Views keep within Telegram's limit, counted as it counts: the text a person sees.
        raise ValueError(f"a reply of {visible_units(text)} units: views must fit Telegram's {MESSAGE_LIMIT}")
    await toast(update, context, notice, alert=alert)
    query = update.callback_query
    if query is not None and query.message is not None and not new:
        try:
            markup = keyboard_text(rows)
            await when_allowed(context, lambda: context.bot.edit_view(
                query.message.chat.id, query.message.message_id, text, markup))
            return
        except BadRequest as error:
            kind = refusal(error)
            if kind is Refusal.NOT_MODIFIED:
                return
            if kind is not Refusal.MESSAGE_GONE:
                raise
            # The message is gone (deleted, or too old to edit): say it anew.
    await when_allowed(context, lambda: context.bot.send_message(
        update.effective_chat.id, text, reply_markup=keyboard(rows), disable_web_page_preview=True))


async def toast(update: Update, context: PonteContext, text: str | None = None, *, alert: bool = False) -> None:
    """A short answer on the pressed button itself (once per press, as Telegram allows: a journey that
    replies twice answers the press only the first time)."""
    if update.callback_query is None or context.answered:
        return
    context.answered = True
    query_id, short = update.callback_query.id, text[:200] if text else None
    try:
        await when_allowed(context, lambda: context.bot.answer_press(query_id, short, alert=alert), PRESS_PATIENCE)
    except (RetryAfter, BadRequest) as error:
        # The short answer is a courtesy (the message itself shows the result): a press Telegram made us
        # wait too long for, or has forgotten meanwhile, goes without it rather than with an apology.
        log.info("a press went unanswered: %s", error)

