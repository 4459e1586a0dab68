"""``ponte shell``: the real application, handlers and database, talking to a local stand-in of the Bot API.

The bot's messages print with their buttons numbered; typing a number presses one; ``/as NAME [it|en]``
becomes another simulated person."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import logging
import os
import re
import sys
import tempfile
import threading
from pathlib import Path

from telegram import Update

from bot.app.application import build_application, publish_profile
from bot.app.services import open_services
from bot.config.clock import SystemClock
from bot.config.settings import Settings
from bot.domain.agenda_file import EXAMPLE_AGENDA, parse_agenda
from bot.render.i18n import Translator, load_all
from bot.standin import FakeTelegram, StandinRequest
from bot.standin.engine import StoredMessage

_TAG = re.compile(r"<[^>]+>")
_AS = re.compile(r"^/as\s+(\S+)(?:\s+(it|en))?\s*$", re.IGNORECASE)


class Shell:
    def __init__(self, telegram: FakeTelegram, t: Translator, out=sys.stdout) -> None:
        self.telegram = telegram
        self.t = t
        self.out = out
        self.people: dict[str, int] = {}
        self.current = 0
        self.files = Path(tempfile.mkdtemp(prefix="ponte-shell-"))
        telegram.watch(self.show)
        telegram.watch_answers(self.show_answer)

    def become(self, name: str, language: str | None) -> None:
        key = name.lower()
        if key not in self.people:
            self.people[key] = 1000 + len(self.people) + 1
            self.telegram.user(self.people[key], name, language_code=language or "it")
        elif language:
            self.telegram.users[self.people[key]]["language_code"] = language
        self.current = self.people[key]
        user = self.telegram.users[self.current]
        self.say(self.t._("You are now {name} (phone language: {language}).", name=user["first_name"],
                          language=user.get("language_code", "?")))

    def say(self, text: str) -> None:
        print(f"· {text}", file=self.out, flush=True)

    def show_answer(self, text: str, alert: bool) -> None:
        """The short answer a phone shows on the pressed button (a pop-up when it is an alert)."""
        print(f"\n{'⚠️' if alert else '💬'} {text}", file=self.out, flush=True)

    def show(self, message: StoredMessage, edited: bool) -> None:
        """Print what the bot sent (or edited), with its buttons numbered."""
        name = self.telegram.users[message.chat_id]["first_name"]
        heading = self.t._("Ponte → {name} (message updated)", name=name) if edited else f"Ponte → {name}"
        print(f"\n┌─ {heading}", file=self.out)
        if message.document:
            filename, content = message.document
            path = self.files / filename
            path.write_bytes(content)
            print("│ " + self.t._("📎 file {name} ({size} bytes), saved as {path}", name=filename,
                                 size=len(content), path=path), file=self.out)
        for line in _plain(message.markup).splitlines():
            print(f"│ {line}", file=self.out)
        for number, label in enumerate(_labels(message), start=1):
            print(f"│ [{number}] {label}", file=self.out)
        print("└─", file=self.out, flush=True)

    def update_for(self, line: str) -> dict | None:
        """The update a typed line stands for: a number presses a button of the latest message with buttons."""
        if line.isdigit():
            with_buttons = [m for m in self.telegram.chat(self.current) if m.keyboard]
            if not with_buttons:
                self.say(self.t._("There are no buttons to press yet."))
                return None
            message = with_buttons[-1]
            buttons = [b for row in message.keyboard for b in row]
            index = int(line) - 1
            if not 0 <= index < len(buttons):
                self.say(self.t._("There is no button {number}.", number=line))
                return None
            if "url" in buttons[index]:
                self.say(self.t._("That button opens {url} in the browser.", url=buttons[index]["url"]))
                return None
            return self.telegram.press_update(self.current, message.message_id, buttons[index]["callback_data"])
        return self.telegram.text_update(self.current, line)


def _plain(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup))


def _labels(message: StoredMessage) -> list[str]:
    return [b["text"] for row in message.keyboard for b in row]


def _read_lines(queue: asyncio.Queue[str | None], loop: asyncio.AbstractEventLoop) -> None:
    # A daemon thread: input() blocks, and the event loop must keep running the scheduler meanwhile.
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def run_shell(settings: Settings, t: Translator, *, db_path: Path | None = None) -> int:
    load_all()
    if "PONTE_LOG_LEVEL" not in os.environ:
        # The conversation is the output here; the scheduler's INFO lines would bury it.
        logging.getLogger().setLevel(logging.WARNING)
    path = db_path or (settings.db_path if settings.db_path != Path("ponte.db") else Path("ponte-shell.db"))
    settings = dataclasses.replace(settings, db_path=path)
    clock = SystemClock()
    services = await open_services(settings, clock)
    telegram = FakeTelegram(username="ponte_shell_bot")
    shell = Shell(telegram, t)
    try:
        if await services.agenda.is_empty():
            await services.agenda.apply(parse_agenda(EXAMPLE_AGENDA.read_text(encoding="utf-8")))
            shell.say(t._("Fresh database {path}: loaded the example agenda.", path=path))
        application = build_application(services, request=StandinRequest(telegram))
        async with application:
            await publish_profile(application)
            await application.start()
            interactive = sys.stdin.isatty()
            shell.say(t._("This is the real Ponte bot, talking to a stand-in of Telegram on this computer. Type "
                          "as the person would (/start, /agenda, …); a number presses that button of the last "
                          "message; /as NAME [it|en] becomes someone else; /quit leaves."))
            shell.become("Giulia", "it")
            queue: asyncio.Queue[str | None] = asyncio.Queue()
            threading.Thread(target=_read_lines, args=(queue, asyncio.get_running_loop()), daemon=True).start()
            while True:
                if interactive:
                    print(f"{telegram.users[shell.current]['first_name']}> ", end="", flush=True)
                line = await queue.get()
                if line is None or line.strip().lower() in ("/quit", "/exit"):
                    break
                line = line.strip()
                if not line:
                    continue
                if not interactive:
                    print(f"\n{telegram.users[shell.current]['first_name']}> {line}", flush=True)
                switch = _AS.match(line)
                if switch:
                    shell.become(switch.group(1), switch.group(2) and switch.group(2).lower())
                    continue
                update = shell.update_for(line)
                if update is None:
                    continue
                await application.process_update(Update.de_json(update, application.bot))
                await services.dispatcher.idle()
                await services.dispatcher.dispatch_due()
            await application.stop()
    finally:
        await services.db.close()
    return 0
