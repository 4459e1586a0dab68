"""What a Bot API error means for Ponte. Telegram says it in the description text only, so the matching lives
here, once."""

from __future__ import annotations

import enum
import warnings
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning


class Refusal(enum.Enum):
    NOT_MODIFIED = "not modified"  # an edit into the same content: nothing to do
    MESSAGE_GONE = "message gone"  # deleted, or too old to edit: send anew
    RECIPIENT_GONE = "recipient gone"  # blocked the bot, deactivated, or never opened the chat
    OTHER = "other"


_MESSAGE_GONE = ("message to edit not found", "message can't be edited", "message not found")
_RECIPIENT_GONE = ("chat not found", "user is deactivated", "bot was blocked", "user not found")


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, whichever form python-telegram-bot gives it in."""
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta; both forms are handled.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def refusal(error: TelegramError) -> Refusal:
    if isinstance(error, Forbidden):
        return Refusal.RECIPIENT_GONE
    if not isinstance(error, BadRequest):
        return Refusal.OTHER
    text = error.message.lower()
    if "not modified" in text:
        return Refusal.NOT_MODIFIED
    if any(part in text for part in _MESSAGE_GONE):
        return Refusal.MESSAGE_GONE
    if any(part in text for part in _RECIPIENT_GONE):
        return Refusal.RECIPIENT_GONE
    return Refusal.OTHER
