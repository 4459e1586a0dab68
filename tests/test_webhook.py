"""Webhook mode: ``ponte run --webhook URL`` takes Telegram's posts, stores each update before answering 200,
and refuses what Telegram would not send (no secret, a wrong one, a malformed or huge body, another method)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app.inbox import Inbox, handle_backlog
from bot.app.services import Services
from bot.app.webhook import MAX_BODY, SECRET_HEADER, webhook_app
from bot.config.clock import FixedClock
from bot.config.settings import Settings, SettingsError
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import parse_agenda
from bot.standin import ApiError, FakeTelegram
from bot.standin.server import serve
from bot.standin.webhook import WebhookPoster
from storage import Database
from tests.conftest import BEFORE_THE_WEEK, PRIVACY_SETTINGS, TEST_TOKEN
from tests.harness import EXAMPLE, Harness

SECRET = "s3cret-of-the-webhook-0123456789"
PUBLIC_URL = "https://ponte.example.org/telegram/hook"
MIKE = 4242


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    return env | {"LANG": "en_US.UTF-8", "PYTHONUNBUFFERED": "1", "PONTE_NOW": BEFORE_THE_WEEK.isoformat(),
                 **PRIVACY_SETTINGS} | extra


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _inbox(db_path: Path) -> list[tuple[int, object]]:
    with contextlib.closing(sqlite3.connect(db_path)) as connection:
        return connection.execute("SELECT update_id, handled_at FROM inbox ORDER BY update_id").fetchall()


async def _refusals(poster: WebhookPoster, telegram: FakeTelegram) -> None:
    """Each refused with its status; nothing of them may be stored."""
    update = telegram.text_update(MIKE, "/start")
    assert await poster.post(update, no_secret=True) == 403
    assert await poster.post(update, secret="not-the-secret-at-all-0123456789") == 403
    assert await poster.post(update, method="GET") == 405
    assert await poster.post(update, method="PUT") == 405
    assert await poster.post(b"{this is not json") == 400
    assert await poster.post(b"[1, 2, 3]") == 400
    assert await poster.post({"update_id": "seven", "message": update["message"]}) == 400
    assert await poster.post({"update_id": 2**70, "message": update["message"]}) == 400
    assert await poster.post({"update_id": 99, "message": "a string where a message goes"}) == 400
    assert await poster.post(b"[" * 100_000 + b"]" * 100_000) == 400  # nested past what JSON parsers allow
    assert await poster.post(b'{"update_id": 1, "pad": "' + b"x" * (MAX_BODY + 10) + b'"}') == 413


async def test_ponte_run_with_a_webhook(tmp_path: Path) -> None:
    """The whole path as a process: setWebhook at start, a person's /start and sign-up answered from posted
    updates, a redelivered update changing nothing, the refusals storing nothing, and a clean stop that
    leaves the webhook set."""
    db_path = tmp_path / "webhook.db"
    db = await Database.open(db_path)
    await Agenda(db, FixedClock(BEFORE_THE_WEEK), lambda: None).apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
    await db.close()
    telegram = FakeTelegram(username="ponte_webhook_bot")
    runner, api_port = await serve(telegram)
    port = _free_port()
    stderr_path = tmp_path / "run.log"
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--webhook", PUBLIC_URL, cwd=tmp_path, stdout=subprocess.DEVNULL,
            stderr=stderr, env=_env(PONTE_TOKEN="123456:WEBHOOK-E2E-abcdefghijklmnopqrstuvw",
                                    PONTE_API_URL=f"http://127.0.0.1:{api_port}/bot", PONTE_DB=str(db_path),
                                    PONTE_WEBHOOK_SECRET=SECRET, PONTE_WEBHOOK_PORT=str(port)))
    try:
        async with asyncio.timeout(60):
            await telegram.wait_for(lambda: telegram.webhook is not None or process.returncode is not None)
        assert telegram.webhook is not None, stderr_path.read_text()[-2000:]
        assert telegram.webhook["url"] == PUBLIC_URL and telegram.webhook["secret_token"] == SECRET
        assert telegram.webhook["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
        assert telegram.webhook["drop_pending_updates"] is False
        assert not telegram.calls_to("getUpdates")
        telegram.user(MIKE, "Mike", language_code="en")

        async with WebhookPoster(telegram, f"http://127.0.0.1:{port}") as poster:
            await _refusals(poster, telegram)
            assert _inbox(db_path) == []

            shown: list[str] = []  # what Mike's chat shows, message after message, edits included
            telegram.watch(lambda message, _: shown.append(message.text) if message.chat_id == MIKE else None)

            async def say(update: dict, text: str) -> None:
                """Post it; then the bot's answer, sent or edited after the post, says ``text``."""
                before = len(shown)
                assert await poster.post(update) == 200
                async with asyncio.timeout(20):
                    await telegram.wait_for(lambda: any(text in seen for seen in shown[before:]))

            def press(label: str) -> dict:
                message = next(m for m in reversed(telegram.chat(MIKE)) if m.keyboard)
                return telegram.press_update(MIKE, message.message_id, telegram.button(message, label))

            await say(telegram.text_update(MIKE, "/start"), "Welcome to Ponte")
            await say(press("I agree"), "Where are you based?")
            await say(press("Baltimore"), "in Baltimore time")
            await say(telegram.text_update(MIKE, "/start e_collaborative-services"), "collaborative services")
            sign_up = press("Sign up")
            await say(sign_up, "You're signed up.")
            # Telegram posts it again (it did not see the 200): answered 200, handled never again.
            assert await poster.post(sign_up) == 200
            await say(telegram.text_update(MIKE, "/my"), "collaborative services")
        query = sign_up["callback_query"]["id"]
        assert [c.params["callback_query_id"] for c in telegram.calls_to("answerCallbackQuery")].count(query) == 1
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):
            await process.wait()
        await runner.cleanup()
    log = stderr_path.read_text(encoding="utf-8")
    assert process.returncode == 0, log[-2000:]
    assert "Traceback" not in log
    # Left set on purpose: what Telegram posts while the bot is down waits for it.
    assert telegram.webhook is not None and not telegram.calls_to("deleteWebhook")
    stored = _inbox(db_path)
    assert len(stored) == 6 and all(handled is not None for _, handled in stored)


async def test_an_update_is_stored_before_the_200_and_handled_after_a_restart(services: Services) -> None:
    """The 200 means stored: here nothing handles the queue (as if the process died right after answering),
    and the update is in the inbox, unhandled; the next start handles it."""
    async with Harness(services) as bot:
        inbox = Inbox(services.db, services.clock)
        bot.app.on_handled = inbox.handled
        bot.person(MIKE, "Mike", "en")
        update = bot.telegram.text_update(MIKE, "/start")
        async with TestClient(TestServer(webhook_app(bot.app, inbox, SECRET, "/hook"))) as client:
            response = await client.post("/hook", json=update, headers={SECRET_HEADER: SECRET})
            assert response.status == 200
            refused = await client.post("/hook", json=bot.telegram.text_update(MIKE, "/agenda"))
            assert refused.status == 403
        assert [payload["update_id"] for payload in await inbox.unhandled()] == [update["update_id"]]
        assert not bot.telegram.chat(MIKE)
        # After a restart: what was stored and not handled is handled first.
        await handle_backlog(bot.app, await inbox.unhandled())
        await inbox.idle()
        assert "Welcome to Ponte" in bot.last(MIKE).text
        assert await inbox.unhandled() == []


async def test_posts_at_once_are_stored_together_and_a_twin_is_queued_once(services: Services) -> None:
    """Telegram keeps up to 40 posts in flight, and may post an update again before the first answer."""
    async with Harness(services) as bot:
        inbox = Inbox(services.db, services.clock)
        bot.person(MIKE, "Mike", "en")
        updates = [bot.telegram.text_update(MIKE, f"/agenda {n}") for n in range(30)]
        async with TestClient(TestServer(webhook_app(bot.app, inbox, SECRET, "/hook"))) as client:

            async def post(update: dict) -> int:
                response = await client.post("/hook", json=update, headers={SECRET_HEADER: SECRET})
                return response.status

            statuses = await asyncio.gather(*(post(update) for update in [*updates, updates[7], updates[7]]))
        assert statuses == [200] * 32
        assert bot.app.update_queue.qsize() == 30
        assert len(await inbox.unhandled()) == 30


async def test_a_store_that_fails_is_not_answered_200(services: Services) -> None:
    """Telegram posts again whatever was not answered 200: a database that refuses the write gets a 500."""
    async with Harness(services) as bot:
        inbox = Inbox(services.db, services.clock)
        bot.person(MIKE, "Mike", "en")
        await services.db.close()
        async with TestClient(TestServer(webhook_app(bot.app, inbox, SECRET, "/hook"))) as client:
            response = await client.post("/hook", json=bot.telegram.text_update(MIKE, "/start"),
                                         headers={SECRET_HEADER: SECRET})
        assert response.status == 500
        assert bot.app.update_queue.empty()


def test_webhook_settings() -> None:
    env = {"PONTE_TOKEN": TEST_TOKEN}
    settings = Settings.from_env(env, env_file=None)
    assert (settings.webhook_listen, settings.webhook_port, settings.webhook_secret) == ("127.0.0.1", 8080, None)
    with pytest.raises(SettingsError, match="PONTE_WEBHOOK_SECRET is not set"):
        settings.webhook(PUBLIC_URL)
    settings = Settings.from_env(env | {"PONTE_WEBHOOK_SECRET": SECRET, "PONTE_WEBHOOK_LISTEN": "0.0.0.0",
                                        "PONTE_WEBHOOK_PORT": "8443"}, env_file=None)
    webhook = settings.webhook(PUBLIC_URL)
    assert (webhook.path, webhook.listen, webhook.port, webhook.secret) == ("/telegram/hook", "0.0.0.0", 8443, SECRET)
    assert settings.webhook("https://ponte.example.org").path == "/"
    for url in ("http://ponte.example.org/hook", "ponte.example.org/hook", "https:///hook"):
        with pytest.raises(SettingsError, match="--webhook"):
            settings.webhook(url)
    for name, value in (("PONTE_WEBHOOK_SECRET", "short"), ("PONTE_WEBHOOK_SECRET", "has spaces in it, sixteen+"),
                        ("PONTE_WEBHOOK_LISTEN", "my.host"), ("PONTE_WEBHOOK_PORT", "70000"),
                        ("PONTE_WEBHOOK_PORT", "http")):
        with pytest.raises(SettingsError, match=name) as raised:
            Settings.from_env(env | {name: value}, env_file=None)
        if name == "PONTE_WEBHOOK_SECRET":
            assert value not in str(raised.value)  # a secret is never repeated


def test_webhook_mode_without_a_secret_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "run", "--webhook", PUBLIC_URL], cwd=tmp_path,
                            env=_env(PONTE_TOKEN=TEST_TOKEN, PONTE_DB=str(tmp_path / "x.db")), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "PONTE_WEBHOOK_SECRET" in result.stderr


async def test_a_refused_address_or_a_taken_port_is_one_line(tmp_path: Path) -> None:
    """Telegram refusing the address, or another program on the port: one line each, exit 1, no traceback."""
    telegram = FakeTelegram(username="ponte_webhook_bot")
    telegram.fail_next_call_to["setWebhook"] = [
        ApiError(400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known")]
    runner, api_port = await serve(telegram)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        said = {}
        for case, port in (("refused", _free_port()), ("taken", taken.getsockname()[1])):
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--webhook", PUBLIC_URL, cwd=tmp_path,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                env=_env(PONTE_TOKEN=TEST_TOKEN, PONTE_API_URL=f"http://127.0.0.1:{api_port}/bot",
                         PONTE_DB=str(tmp_path / "refused.db"), PONTE_WEBHOOK_SECRET=SECRET,
                         PONTE_WEBHOOK_PORT=str(port)))
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
            assert process.returncode == 1, stderr.decode()[-2000:]
            said[case] = stderr.decode().strip().splitlines()[-1]
            assert "Traceback" not in stderr.decode()
    finally:
        taken.close()
        await runner.cleanup()
    # Telegram's own words, as python-telegram-bot passes them on.
    assert said["refused"].startswith(f"Telegram refused the webhook address {PUBLIC_URL}: ")
    assert "failed to resolve host" in said["refused"].lower()
    assert said["refused"].endswith("on port 443, 80, 88 or 8443, reachable from the internet.")
    assert said["taken"].startswith("Ponte cannot listen on 127.0.0.1 port ")
