"""What the inbox keeps of an update, and how what it keeps becomes python-telegram-bot's Update again. The
same form is handled whether the update arrived a moment ago or is replayed after a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Bot, CallbackQuery, Chat, Message, Update, User

# What a press's message keeps: enough to answer the press and edit the message (see replayable).
_MESSAGE_KEPT = ("message_id", "date", "chat")
# Every field the Bot API gives a callback query, and those it always gives.
_QUERY_FIELDS = frozenset({"id", "from", "chat_instance", "message", "data", "inline_message_id", "game_short_name"})
_QUERY_REQUIRED = frozenset({"id", "from", "chat_instance"})
_MESSAGE_KEYS = frozenset(_MESSAGE_KEPT)


def replayable(update: dict[str, Any]) -> dict[str, Any]:
    """What handling an update again needs, and no more. A press carries the whole message its button sits
    on (an event's detail, a kilobyte of text and keyboard) that no journey reads: the message's id, date and
    chat are enough to answer it and edit it. Storing less is cheaper under a rush (measured: it halved the
    inbox's share of a sign-up) and keeps less of what people read."""
    query = update.get("callback_query")
    message = query.get("message") if query else None
    if not message:
        return update
    kept = {key: message[key] for key in _MESSAGE_KEPT if key in message}
    return {**update, "callback_query": {**query, "message": kept}}


def parse(update: dict[str, Any], bot: Bot) -> Update:
    """The Update of a stored update (see :func:`replayable`). A press on a message, most of any rush, is
    built from its few fields with the library's constructors: ``Update.de_json`` looks for each of the
    sixty kinds of content a message may carry, a third more for a message known to carry none (measured:
    62 against 85 µs a press). Anything else is parsed by ``Update.de_json``."""
    if not _plain_press(update):
        return Update.de_json(update, bot)
    query = update["callback_query"]
    message = query["message"]
    defaults = getattr(bot, "defaults", None)
    # As de_json dates messages: in the zone of the bot's defaults, if it has one, else in UTC.
    moment = datetime.fromtimestamp(message["date"], tz=defaults.tzinfo if defaults else UTC)
    pressed_on = Message(message["message_id"], moment, Chat.de_json(message["chat"], bot))
    press = CallbackQuery(query["id"], User.de_json(query["from"], bot), query["chat_instance"], message=pressed_on,
                          data=query.get("data"), inline_message_id=query.get("inline_message_id"),
                          game_short_name=query.get("game_short_name"))
    parsed = Update(update["update_id"], callback_query=press)
    for made in (pressed_on, press, parsed):
        made.set_bot(bot)
    return parsed


def _plain_press(update: dict[str, Any]) -> bool:
    """A press on a message, in the form the inbox keeps, with no field this module does not know."""
    query = update.get("callback_query")
    if len(update) != 2 or not isinstance(query, dict) or not isinstance(query.get("message"), dict):
        return False
    message = query["message"]
    # Date 0: a message Telegram no longer gives access to, which de_json represents its own way.
    return (message.keys() == _MESSAGE_KEYS and bool(message["date"])
            and _QUERY_REQUIRED <= query.keys() <= _QUERY_FIELDS)
