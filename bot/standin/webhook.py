"""Telegram's side of webhook mode: post an update to the address setWebhook named, with its secret, and
say what the bot answered. Tests and the shell point it at the bot's local port (a reverse proxy would
stand between them in production), keeping the path of the registered address."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.standin.engine import FakeTelegram

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPoster:
    """Posts as Telegram does: JSON, the secret header from setWebhook, one update per request."""

    def __init__(self, telegram: FakeTelegram, local_base: str) -> None:
        self._telegram = telegram
        self._base = local_base.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> WebhookPoster:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def url(self) -> str:
        """The local address of the one setWebhook registered (same path and query)."""
        if self._telegram.webhook is None:
            raise LookupError("the bot has not called setWebhook")
        parts = urlsplit(self._telegram.webhook["url"])
        return self._base + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    async def post(self, update: dict[str, Any] | bytes, *, secret: str | None = None, no_secret: bool = False,
                   method: str = "POST", headers: dict[str, str] | None = None) -> int:
        """Post ``update`` (or raw bytes) and return the HTTP status: with the registered secret, or
        ``secret``, or none at all (``no_secret``, as a stranger would)."""
        assert self._session is not None, "use WebhookPoster as an async context manager"
        sent = dict(headers or {})
        if not no_secret:
            sent[SECRET_HEADER] = secret if secret is not None else (self._telegram.webhook or {})["secret_token"]
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        sent.setdefault("Content-Type", "application/json")
        async with self._session.request(method, self.url, data=body, headers=sent) as response:
            await response.read()
            return response.status
