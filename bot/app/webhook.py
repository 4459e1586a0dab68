"""Webhook mode: Telegram posts each update to the bot's public address, and the bot answers 200 only once
the update is stored in the durable inbox, so a crash never loses one (Telegram posts again what was not
answered 200). python-telegram-bot's own ``run_webhook`` answers before the update is even handled, so this
small aiohttp server feeds the same Application and the same inbox as long polling does.

Refused, with nothing stored: a request without Telegram's secret header or with another secret (403), a
body over ``MAX_BODY`` (413), anything but an update as JSON (400), a method other than POST (405)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.app.inbox import ALLOWED_UPDATES, Inbox
from bot.config.settings import Webhook

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few kilobytes (a message holds at most 4,096 characters, plus its entities and a quoted
# reply); a megabyte leaves room for any of them and bounds what a stranger can make the bot read.
MAX_BODY = 1024 * 1024
# Update ids are SQLite integers in the inbox.
_LARGEST_ID = 2**63 - 1


class Intake:
    """Stores posted updates in groups: each post waits for the statement that stores it, and the posts that
    arrive while one statement runs go together in the next, as one getUpdates answer does for polling.
    Telegram keeps up to 40 posts in flight; one statement each made storing most of a post's cost (measured
    on a busy 2-core machine: 380 to 520 posts a second one by one, 640 to 1,540 in groups, 1,470 with the
    storing left out)."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, data: dict[str, Any]) -> bool:
        """Once ``data`` is stored: True when its update_id was never seen before."""
        loop = asyncio.get_running_loop()
        stored: asyncio.Future[bool] = loop.create_future()
        self._waiting.append((data, stored))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write())
        return await stored

    async def _write(self) -> None:
        # Whatever happens, every waiting post gets its answer: none may hang.
        while self._waiting:
            batch, self._waiting = self._waiting, []
            # The same update posted twice in one group is stored once and queued once.
            unique = list({data["update_id"]: data for data, _ in batch}.values())
            try:
                new = {update["update_id"] for update in await self._inbox.receive(unique)}
            except Exception as error:
                for _, stored in batch:
                    if not stored.done():
                        stored.set_exception(error)
                continue
            for data, stored in batch:
                first = data["update_id"] in new
                new.discard(data["update_id"])
                if not stored.done():
                    stored.set_result(first)


def webhook_app(application: Application, inbox: Inbox, secret: str, path: str) -> web.Application:
    """The aiohttp application answering Telegram's posts on ``path``."""
    expected = secret.encode()
    intake = Intake(inbox)

    async def receive(request: web.Request) -> web.Response:
        """Store one update, then say 200: Telegram takes that as delivered."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook request refused: missing or wrong secret")
            return web.Response(status=403, text="Forbidden")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="Request Entity Too Large")
        try:
            # Beyond client_max_size (MAX_BODY) aiohttp stops reading: a body sent without its length too.
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="Request Entity Too Large")
        update = _update(body, application)
        if update is None:
            log.warning("webhook request refused: the body is not an update", extra={"bytes": len(body)})
            return web.Response(status=400, text="Bad Request")
        data, parsed = update
        try:
            new = await intake.store(data)
        except Exception:
            # Not answered 200, so Telegram posts it again later: nothing is lost.
            log.exception("could not store update %s", data["update_id"], extra={"update_id": data["update_id"]})
            return web.Response(status=500, text="Internal Server Error")
        if new:
            application.update_queue.put_nowait(parsed)
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY)
    # Only POST is routed: aiohttp answers any other method on this path with 405 and an Allow header.
    app.router.add_post(path, receive)
    return app


def _update(body: bytes, application: Application) -> tuple[dict[str, Any], Update] | None:
    """The update a body holds, as stored and as parsed, or None when it is not one. Parsed before it is
    stored: an update stored and then found unreadable would be replayed, and fail, at every start."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if type(update_id) is not int or not 0 <= update_id <= _LARGEST_ID:
        return None
    try:
        parsed = Update.de_json(data, application.bot)
    except Exception:
        # Any shape python-telegram-bot cannot read (a string where an object goes, a missing field).
        return None
    if parsed is None:
        return None
    return data, parsed


class ListenError(Exception):
    """The address and port cannot be listened on (taken by another program, or not this machine's)."""

    def __init__(self, webhook: Webhook, problem: OSError) -> None:
        super().__init__(f"{webhook.listen} port {webhook.port}: {problem.strerror or problem}")
        self.address = webhook.listen
        self.port = webhook.port
        self.problem = problem.strerror or str(problem)


class WebhookRefused(Exception):
    """Telegram refused the webhook's address (it cannot resolve or reach it, or not on an allowed port)."""

    def __init__(self, url: str, problem: TelegramError) -> None:
        super().__init__(f"{url}: {problem.message}")
        self.url = url
        self.problem = problem.message


class WebhookServer:
    """Listens on the settings' address and port; at start tells Telegram where to post."""

    def __init__(self, application: Application, inbox: Inbox, webhook: Webhook) -> None:
        self._application = application
        self._webhook = webhook
        # In-flight requests get a few seconds at a stop: each is one insert, and Telegram posts again what
        # was cut off.
        self._runner = web.AppRunner(webhook_app(application, inbox, webhook.secret, webhook.path),
                                     access_log=None, shutdown_timeout=5)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._webhook.listen, self._webhook.port)
        try:
            await site.start()
        except OSError as error:
            raise ListenError(self._webhook, error) from error
        log.info("listening for Telegram on %s port %s, path %s", self._webhook.listen, self._webhook.port,
                 self._webhook.path)
        # Listening first, then telling Telegram: an update it posts at once finds the door open.
        # drop_pending_updates=False: what Telegram holds from while the bot was down is delivered now.
        try:
            await self._application.bot.set_webhook(
                self._webhook.url, secret_token=self._webhook.secret, allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False)
        except BadRequest as error:
            raise WebhookRefused(self._webhook.url, error) from error

    async def stop(self) -> None:
        """Stop listening. The webhook stays set at Telegram on purpose: updates sent while the bot is down
        wait at Telegram (it retries for a day) and arrive when it is back, as with polling; deleting it
        would leave a second instance behind the same load balancer, still running, deaf; and a switch
        back to polling deletes it anyway (``ponte run`` without --webhook does at start)."""
        await self._runner.cleanup()
