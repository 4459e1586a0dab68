"""The stand-in's state: chats, messages, pending updates and a record of every request."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot

from bot.standin.errors import ApiError
from bot.standin.html_text import EntityError, visible_text
from bot.standin.limits import LIMITED_METHODS, SendLimits

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
BUTTON_LIMIT = 100
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the largest file a bot may download through the Bot API
_JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "scope", "link_preview_options",
                "reply_parameters", "entities", "caption_entities"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time"}
_BOOL_FIELDS = {"show_alert", "disable_notification", "drop_pending_updates", "protect_content",
                "allow_paid_broadcast"}
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    text: str
    markup: str
    keyboard: list[list[dict[str, Any]]]
    from_bot: bool
    document: tuple[str, bytes] | None = None


class FakeTelegram:
    def __init__(self, *, bot_id: int = 7_000_000_001, username: str = "ponte_test_bot",
                 now: Callable[[], float] = time.time, token: str | None = None) -> None:
        self.token = token  # when set, requests with another token are refused, as Telegram does
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Ponte", "username": username,
                         "can_join_groups": False, "can_read_all_group_messages": False,
                         "supports_inline_queries": False}
        self._now = now
        self.calls: list[Call] = []
        self.users: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, dict[str, Any]] = {}  # groups, supergroups and channels the bot is in
        self.blocked: set[int] = set()
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.profile: dict[tuple[Any, ...], Any] = {}
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._pending: list[dict[str, Any]] = []
        self._arrived: asyncio.Event | None = None
        self._closing = False
        self._watchers: list[Callable[[StoredMessage, bool], None]] = []
        self._answer_watchers: list[Callable[[str, bool], None]] = []
        self.fail_next: list[ApiError] = []
        self.fail_next_call_to: dict[str, list[ApiError]] = {}  # method -> refusals for its next calls
        self.files: dict[str, bytes] = {}  # file_id -> content, of documents people sent to the bot
        self._file_ids = itertools.count(1)
        self.limits: SendLimits | None = None  # Telegram's sending limits, when a test or benchmark sets them
        self._changed: asyncio.Condition | None = None
        # What setWebhook was last given (url, secret_token, allowed_updates...); None when polling.
        self.webhook: dict[str, Any] | None = None
        self._wakers: set[asyncio.Task[None]] = set()

    # -- the people on the other side -------------------------------------------------------------

    def user(self, user_id: int, first_name: str, *, language_code: str | None = "en",
             last_name: str | None = None, username: str | None = None) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    def group(self, chat_id: int, title: str, *, kind: str = "group") -> dict[str, Any]:
        """A group, supergroup or channel the bot was added to (their ids are negative, as in Telegram)."""
        if kind not in ("group", "supergroup", "channel"):
            raise ValueError(f"no chat type {kind!r}")
        self.groups[chat_id] = {"id": chat_id, "type": kind, "title": title}
        return self.groups[chat_id]

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.groups:
            return self.groups[chat_id]
        user = self.users[chat_id]
        return {"id": chat_id, "type": "private", "first_name": user["first_name"]}

    def _typed(self, chat_id: int, text: str, sender: dict[str, Any] | None) -> dict[str, Any]:
        message = {"message_id": next(self._message_ids), "date": int(self._now()), "chat": self._chat(chat_id),
                   "text": text}
        if sender is not None:
            message["from"] = sender
        command = re.match(r"^/[A-Za-z0-9_]+(@\w+)?", text)
        if command:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        self.messages[(chat_id, message["message_id"])] = StoredMessage(chat_id, message["message_id"], text,
                                                                         text, [], False)
        return message

    def text_update(self, user_id: int, text: str) -> dict[str, Any]:
        """An update for a message the person types (commands get their entity, as in Telegram)."""
        return {"update_id": next(self._update_ids), "message": self._typed(user_id, text, self.users[user_id])}

    def document_update(self, user_id: int, filename: str, content: bytes, *,
                        mime_type: str = "application/octet-stream", caption: str | None = None) -> dict[str, Any]:
        """An update for a file a person sends (a document); the bot can fetch it with getFile."""
        file_id = f"file{next(self._file_ids)}"
        self.files[file_id] = content
        message = {"message_id": next(self._message_ids), "date": int(self._now()), "chat": self._chat(user_id),
                   "from": self.users[user_id],
                   "document": {"file_id": file_id, "file_unique_id": f"unique-{file_id}", "file_name": filename,
                                "mime_type": mime_type, "file_size": len(content)}}
        if caption:
            message["caption"] = caption
        self.messages[(user_id, message["message_id"])] = StoredMessage(user_id, message["message_id"],
                                                                         caption or "", caption or "", [], False)
        return {"update_id": next(self._update_ids), "message": message}

    def file_content(self, file_path: str) -> bytes | None:
        """What a file path given by getFile downloads (None: there is no such file)."""
        file_id = file_path.rsplit("/", 1)[-1]
        return self.files.get(file_id)

    def group_text_update(self, chat_id: int, user_id: int | None, text: str) -> dict[str, Any]:
        """A message typed in a group; with no ``user_id`` it has no sender (an anonymous admin writes as the
        group itself). In a channel it is a channel post, which never has a sender."""
        chat = self.groups[chat_id]
        if chat["type"] == "channel":
            return {"update_id": next(self._update_ids), "channel_post": self._typed(chat_id, text, None)}
        message = self._typed(chat_id, text, self.users[user_id] if user_id is not None else None)
        if user_id is None:
            message["sender_chat"] = chat
        return {"update_id": next(self._update_ids), "message": message}

    def edited_update(self, chat_id: int, message_id: int, user_id: int | None, text: str) -> dict[str, Any]:
        """A person (or, with no ``user_id``, a channel) changed a message they had sent."""
        stored = self.messages[(chat_id, message_id)]
        stored.text = stored.markup = text
        message = {"message_id": message_id, "date": int(self._now()), "edit_date": int(self._now()),
                   "chat": self._chat(chat_id), "text": text}
        if user_id is not None:
            message["from"] = self.users[user_id]
        field = "edited_channel_post" if self._chat(chat_id)["type"] == "channel" else "edited_message"
        return {"update_id": next(self._update_ids), field: message}

    def membership_update(self, chat_id: int, user_id: int, status: str) -> dict[str, Any]:
        """my_chat_member: someone added the bot to a chat (``member``), removed it, or blocked it in private
        (``kicked``)."""
        bot = {k: v for k, v in self.bot_user.items() if k in ("id", "is_bot", "first_name", "username")}
        old = "left" if status == "member" else "member"
        new = {"status": status, "user": bot} | ({"until_date": 0} if status == "kicked" else {})
        return {"update_id": next(self._update_ids), "my_chat_member": {
            "chat": self._chat(chat_id), "from": self.users[user_id], "date": int(self._now()),
            "old_chat_member": {"status": old, "user": bot}, "new_chat_member": new}}

    def press_update(self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None,
                     ) -> dict[str, Any]:
        """An update for a button press on a message the bot sent (or a forged one, if tests want); in
        the person's private chat unless ``chat_id`` names a group."""
        chat_id = user_id if chat_id is None else chat_id
        stored = self.messages.get((chat_id, message_id))
        message = {"message_id": message_id, "date": int(self._now()), "chat": self._chat(chat_id),
                   "from": self.bot_user, "text": stored.text if stored else ""}
        if stored and stored.keyboard:
            message["reply_markup"] = {"inline_keyboard": stored.keyboard}
        return {"update_id": next(self._update_ids), "callback_query": {
            "id": str(next(self._callback_ids)), "from": self.users[user_id], "chat_instance": str(chat_id),
            "message": message, "data": data}}

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (the HTTP and polling path)."""
        self._pending.append(update)
        if self._arrived is not None:
            self._arrived.set()

    def watch_answers(self, callback: Callable[[str, bool], None]) -> None:
        """Be told of the short answers shown on pressed buttons (text, whether it is an alert)."""
        self._answer_watchers.append(callback)

    def release_polls(self) -> None:
        """Answer any waiting getUpdates now (the server is shutting down)."""
        self._closing = True
        if self._arrived is not None:
            self._arrived.set()

    def watch(self, callback: Callable[[StoredMessage, bool], None]) -> None:
        """Be told of every message the bot sends or edits (``True`` for an edit); the shell prints them."""
        self._watchers.append(callback)

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        """Until the bot has sent what ``predicate`` looks for (callers bound it with asyncio.timeout)."""
        if self._changed is None:
            self._changed = asyncio.Condition()
        async with self._changed:
            await self._changed.wait_for(predicate)

    def _notify(self) -> None:
        if self._changed is not None:
            task = asyncio.get_running_loop().create_task(self._wake_waiters())
            self._wakers.add(task)
            task.add_done_callback(self._wakers.discard)

    async def _wake_waiters(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- what tests read ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def chat(self, user_id: int) -> list[StoredMessage]:
        """The bot's messages in a person's chat, oldest first, as they read now."""
        return [m for (chat, _), m in sorted(self.messages.items()) if chat == user_id and m.from_bot]

    def last(self, user_id: int) -> StoredMessage:
        return self.chat(user_id)[-1]

    def button(self, message: StoredMessage, label_part: str) -> str:
        """The callback data of the button whose label contains ``label_part``."""
        for row in message.keyboard:
            for button in row:
                if label_part.lower() in button["text"].lower() and "callback_data" in button:
                    return button["callback_data"]
        labels = [b["text"] for row in message.keyboard for b in row]
        raise LookupError(f"no button with {label_part!r} among {labels}")

    # -- the Bot API ----------------------------------------------------------------------------

    def handle(self, method: str, raw: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None,
               ) -> tuple[int, dict[str, Any]]:
        method = canonical_method(method)
        params = _decode(raw)
        self.calls.append(Call(method, params, files or {}))
        try:
            if self.fail_next:
                raise self.fail_next.pop(0)
            if self.fail_next_call_to.get(method):
                raise self.fail_next_call_to[method].pop(0)
            if self.limits is not None and method in LIMITED_METHODS:
                self.limits.admit(params.get("chat_id"), paid=bool(params.get("allow_paid_broadcast")))
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = handler(params, files or {})
        except ApiError as error:
            self._notify()
            body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return error.code, body
        self._notify()
        return 200, {"ok": True, "result": result}

    async def get_updates(self, raw: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        params = _decode(raw)
        self.calls.append(Call("getUpdates", params))
        offset = params.get("offset") or 0
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        if not self._pending and params.get("timeout") and not self._closing:
            if self._arrived is None:
                self._arrived = asyncio.Event()
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=float(params["timeout"]))
        return 200, {"ok": True, "result": self._pending[: params.get("limit") or 100]}

    def _api_getfile(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        if size > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"unique-{file_id}", "file_size": size,
                "file_path": f"documents/{file_id}"}

    def _api_getme(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _api_deletewebhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def _api_setwebhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        """Telegram posts only to HTTPS addresses, and takes a secret of 1-256 letters, digits, _ and -."""
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        if not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _WEBHOOK_SECRET.match(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = dict(params)
        return True

    def _api_getwebhookinfo(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        info = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._pending)}
        if self.webhook is not None:
            info |= {"url": self.webhook["url"], "allowed_updates": self.webhook.get("allowed_updates") or []}
        return info

    def _api_close(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        return True

    def _api_setmycommands(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100 or any(
            not _COMMAND.match(c.get("command", "")) or not 1 <= len(c.get("description", "")) <= 256
            for c in commands
        ):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.profile[self._commands_key(params)] = commands
        return True

    def _api_deletemycommands(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self.profile.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: dict[str, Any]) -> tuple[Any, ...]:
        """Where a menu is kept: ("commands", language) for everyone, ("commands", language, chat id) for one
        chat (BotCommandScopeChat), as Telegram keeps them apart. A chat the bot has never met is refused."""
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "default":
            return ("commands", params.get("language_code", ""))
        if scope.get("type") != "chat":
            raise ApiError(400, "Bad Request: can't parse BotCommandScope")
        chat_id = int(scope.get("chat_id", 0))
        if chat_id not in self.users and chat_id not in self.groups:
            raise ApiError(400, "Bad Request: chat not found")
        return ("commands", params.get("language_code", ""), chat_id)

    def menu(self, chat_id: int, language: str = "") -> list[str] | None:
        """The commands one chat's menu shows on a phone in ``language`` (as Telegram picks: that chat's menu
        in the language, else that chat's menu, else everyone's in the language, else everyone's)."""
        for key in (("commands", language, chat_id), ("commands", "", chat_id), ("commands", language),
                    ("commands", "")):
            if key in self.profile:
                return [c["command"] for c in self.profile[key]]
        return None

    def _api_setmydescription(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        if len(params.get("description", "")) > 512:
            raise ApiError(400, "Bad Request: BOT_DESCRIPTION_INVALID")
        self.profile[("description", params.get("language_code", ""))] = params.get("description", "")
        return True

    def _api_setmyshortdescription(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        if len(params.get("short_description", "")) > 120:
            raise ApiError(400, "Bad Request: BOT_SHORT_DESCRIPTION_INVALID")
        self.profile[("short_description", params.get("language_code", ""))] = params.get("short_description", "")
        return True

    def _api_answercallbackquery(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        if len(params.get("text", "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        if params.get("text"):
            for watcher in self._answer_watchers:
                watcher(params["text"], bool(params.get("show_alert")))
        return True

    def _api_sendmessage(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._reachable(params)
        markup, text = self._text(params.get("text", ""), params.get("parse_mode"), TEXT_LIMIT)
        stored = StoredMessage(chat_id, next(self._message_ids), text, markup, self._keyboard(params), True)
        return self._store(stored)

    def _api_senddocument(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        chat_id = self._reachable(params)
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        markup, text = self._text(params.get("caption", ""), params.get("parse_mode"), CAPTION_LIMIT, empty_ok=True)
        stored = StoredMessage(chat_id, next(self._message_ids), text, markup, self._keyboard(params), True,
                               document=files["document"])
        return self._store(stored)

    def _api_editmessagetext(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        stored = self._own_message(params)
        markup, text = self._text(params.get("text", ""), params.get("parse_mode"), TEXT_LIMIT)
        keyboard = self._keyboard(params)
        if text == stored.text and markup == stored.markup and keyboard == stored.keyboard:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        stored.text, stored.markup, stored.keyboard = text, markup, keyboard
        return self._store(stored, edited=True)

    def _api_editmessagereplymarkup(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        stored = self._own_message(params)
        keyboard = self._keyboard(params)
        if keyboard == stored.keyboard:
            raise ApiError(400, "Bad Request: message is not modified")
        stored.keyboard = keyboard
        return self._store(stored, edited=True)

    def _api_deletemessage(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self._own_message(params)
        del self.messages[(params["chat_id"], params["message_id"])]
        return True

    # -- helpers ----------------------------------------------------------------------------------

    def _reachable(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id in self.groups:
            return chat_id
        if chat_id not in self.users:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _own_message(self, params: dict[str, Any]) -> StoredMessage:
        stored = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if stored is None or not stored.from_bot:
            raise ApiError(400, "Bad Request: message to edit not found")
        return stored

    @staticmethod
    def _text(markup: str, parse_mode: str | None, limit: int, *, empty_ok: bool = False) -> tuple[str, str]:
        if parse_mode not in (None, "HTML"):
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        try:
            text = visible_text(markup) if parse_mode == "HTML" else markup
        except EntityError as error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        if not text.strip() and not empty_ok:
            raise ApiError(400, "Bad Request: message text is empty")
        # Telegram counts UTF-16 code units: at most two per character, so short texts need no count.
        if len(text) * 2 > limit and len(text.encode("utf-16-le")) // 2 > limit:
            raise ApiError(400, "Bad Request: message is too long")
        return markup, text

    @staticmethod
    def _keyboard(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
        markup = params.get("reply_markup")
        if not markup:
            return []
        rows = markup.get("inline_keyboard", [])
        if sum(len(row) for row in rows) > BUTTON_LIMIT:
            raise ApiError(400, "Bad Request: reply markup is too long")
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and "url" not in button:
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button")
        return rows

    def _store(self, stored: StoredMessage, *, edited: bool = False) -> dict[str, Any]:
        self.messages[(stored.chat_id, stored.message_id)] = stored
        for watcher in self._watchers:
            watcher(stored, edited)
        message: dict[str, Any] = {"message_id": stored.message_id, "date": int(self._now()),
                                   "chat": self._chat(stored.chat_id), "from": self.bot_user}
        if stored.document:
            name, content = stored.document
            message["document"] = {"file_id": f"doc{stored.message_id}", "file_unique_id": f"u{stored.message_id}",
                                   "file_name": name, "file_size": len(content)}
            if stored.text:
                message["caption"] = stored.text
        else:
            message["text"] = stored.text
        if stored.keyboard:
            message["reply_markup"] = {"inline_keyboard": stored.keyboard}
        return message


@functools.lru_cache(maxsize=256)
def canonical_method(name: str) -> str:
    """Bot API method names are case-insensitive, as at Telegram: ``editmessagetext`` is recorded as
    ``editMessageText``, the name python-telegram-bot gives it."""
    return _METHODS.get(name.lower(), name)


_METHODS = {name.lower(): name for name in dir(Bot) if name[:1].islower() and name != name.lower()}


@functools.lru_cache(maxsize=512)
def _json(text: str) -> Any:
    """A JSON field, parsed once per distinct text: bots send the same keyboards over and over. What it
    returns is shared, so the stand-in only reads it."""
    return json.loads(text)


def _decode(raw: dict[str, Any]) -> dict[str, Any]:
    """Form fields arrive as text, as they do at Telegram: give each its type."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            if name in _JSON_FIELDS:
                value = _json(value)
            elif name in _INT_FIELDS:
                value = int(value)
            elif name in _BOOL_FIELDS:
                value = value.lower() == "true"
        params[name] = value
    return params
