"""python-telegram-bot's ExtBot, with lighter calls for the two requests of every button press."""

from __future__ import annotations

from telegram.ext import ExtBot

_NO_PREVIEW = '{"is_disabled": true}'
# Bot API method names are case-insensitive (Telegram's Bot API documentation says so). Written in lower
# case they are not python-telegram-bot's own method names, so do_api_request takes them as what they are,
# a deliberate raw call, instead of warning that a typed method exists.
EDIT_MESSAGE_TEXT = "editmessagetext"
ANSWER_CALLBACK_QUERY = "answercallbackquery"
GET_UPDATES = "getupdates"


class PonteBot(ExtBot[None]):
    """Every press is answered, and most edit the message the button sits on. These two calls go through
    the public ``do_api_request`` (which keeps the rate limiter and turns Telegram's errors into BadRequest
    and the like), with their fields already in the text form the Bot API receives and no ``Message``
    built from the answer: the typed path (a JSON dump per field, and building a ``Message`` that Ponte
    never reads) was over half of a sign-up's own cost when measured with bench/signup_burst.py."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The two lean calls carry every field already, so they need none of the Defaults this bot fills in
        # for the rest (parse_mode): a bot without Defaults, sharing this one's connections, makes them,
        # sparing the defaults pass on every press (measured: 4.5 µs a call).
        self._lean = ExtBot(self.token, base_url=self.base_url.removesuffix(self.token), request=self.request)

    async def edit_view(self, chat_id: int, message_id: int, text: str, keyboard: str | None) -> None:
        """editMessageText in HTML without a link preview; ``keyboard`` is the JSON of the inline keyboard
        (bot.markup.keyboard_text). Errors are raised as by edit_message_text."""
        data = {"chat_id": str(chat_id), "message_id": str(message_id), "text": text, "parse_mode": "HTML",
                "link_preview_options": _NO_PREVIEW}
        if keyboard:
            data["reply_markup"] = keyboard
        await self._lean.do_api_request(EDIT_MESSAGE_TEXT, data)

    async def answer_press(self, query_id: str, text: str | None = None, *, alert: bool = False) -> None:
        """answerCallbackQuery: stops the spinner on the pressed button, with an optional short answer."""
        data = {"callback_query_id": query_id}
        if text:
            data["text"] = text
            data["show_alert"] = "true" if alert else "false"
        await self._lean.do_api_request(ANSWER_CALLBACK_QUERY, data)
