"""Delivers the outbox's notices through the Bot API and says what became of each."""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery.outbox import Delivery, DeliveryResult
from bot.render.buttons import Notice
from bot.telegram.errors import Refusal, refusal, retry_seconds
from bot.telegram.markup import keyboard


class TelegramCourier:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def __call__(self, chat_id: int, notice: Notice, *, paid: bool = False) -> DeliveryResult:
        """``paid``: a broadcast's message sent as a paid broadcast (allow_paid_broadcast, charged in Stars,
        up to 1,000 a second)."""
        try:
            await self._bot.send_message(chat_id, notice.text, reply_markup=keyboard(notice.buttons),
                                         disable_web_page_preview=True,
                                         allow_paid_broadcast=True if paid else None)
        except RetryAfter as error:
            return DeliveryResult(Delivery.RETRY, retry_after=retry_seconds(error), error=str(error))
        except (BadRequest, Forbidden) as error:  # before NetworkError: BadRequest is one of those
            gone = refusal(error) is Refusal.RECIPIENT_GONE
            return DeliveryResult(Delivery.GONE if gone else Delivery.FAILED, error=str(error))
        except NetworkError as error:
            return DeliveryResult(Delivery.RETRY, error=str(error))
        except TelegramError as error:
            return DeliveryResult(Delivery.FAILED, error=str(error))
        return DeliveryResult(Delivery.SENT)
