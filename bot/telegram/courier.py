"""Delivers the outbox's notices through the Bot API and says what became of each."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.outbox import Delivery, DeliveryResult
from bot.render.buttons import Notice
from bot.telegram.errors import Refusal, refusal
from bot.telegram.markup import keyboard


class TelegramCourier:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def __call__(self, chat_id: int, notice: Notice) -> DeliveryResult:
        try:
            await self._bot.send_message(chat_id, notice.text, reply_markup=keyboard(notice.buttons),
                                         disable_web_page_preview=True)
        except RetryAfter as error:
            with warnings.catch_warnings():
                # PTB 22 warns that retry_after becomes a timedelta; both forms are handled below.
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return DeliveryResult(Delivery.RETRY, retry_after=seconds, error=str(error))
        except (BadRequest, Forbidden) as error:  # before NetworkError: BadRequest is one of those
            gone = refusal(error) is Refusal.RECIPIENT_GONE
            return DeliveryResult(Delivery.GONE if gone else Delivery.FAILED, error=str(error))
        except NetworkError as error:
            return DeliveryResult(Delivery.RETRY, error=str(error))
        except TelegramError as error:
            return DeliveryResult(Delivery.FAILED, error=str(error))
        return DeliveryResult(Delivery.SENT)
