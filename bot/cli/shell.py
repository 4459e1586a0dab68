"""``ponte shell``: the real application, handlers and database, talking to a local stand-in of the Bot API.

The bot's messages print with their buttons numbered; typing a number presses one; ``/as NAME [it|en]``
becomes another simulated person; ``/wait 23h`` moves the shell's clock ahead; ``/file PATH`` sends a file
(an organiser's agenda); what the bot sends on its own
(a freed seat, a reminder, a change notice) prints as it goes out, while nobody types."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import itertools
import logging
import os
import re
import sys
import tempfile
import threading
from pathlib import Path

from telegram import Update

from bot.app.application import build_application, publish_profile
from bot.app.progress import BroadcastWatch
from bot.app.services import open_services
from bot.config.clock import ShiftedClock
from bot.config.durations import DurationError, parse_duration
from bot.config.settings import Settings
from bot.delivery.outbox import Dispatcher
from bot.domain.agenda_file import EXAMPLE_AGENDA, parse_agenda
from bot.domain.flood import FloodGate
from bot.domain.questionnaires import Questionnaires
from bot.render.i18n import Translator, load_all
from bot.render.timefmt import day_at
from bot.standin import FakeTelegram, StandinRequest
from bot.standin.engine import StoredMessage

log = logging.getLogger(__name__)
_TAG = re.compile(r"<[^>]+>")
_AS = re.compile(r"^/as(?:\s+(.*))?$", re.IGNORECASE)
_WAIT = re.compile(r"^/wait(?:\s+(.*))?$", re.IGNORECASE)
_FILE = re.compile(r"^/file(?:\s+(.*))?$", re.IGNORECASE)
_NAME = re.compile(r"^[^\W\d_][\w'’-]{0,31}$")
# The simulated people the shell knows from the start, with fixed Telegram ids (so that PONTE_ADMINS=1002
# makes Mike an organiser); anyone else met with /as gets the next id, 1003 onwards, in order of arrival.
CAST = (("Giulia", "it"), ("Mike", "en"))
FIRST_ID = 1001
# The shell's outbox sweep: notices due later, or queued by another process on the same database (an agenda
# import), print on their own within a second. Cheap on a local file; `ponte run` keeps its own schedule.
SWEEP_SECONDS = 1.0


class Shell:
    def __init__(self, telegram: FakeTelegram, t: Translator, out=sys.stdout, *, interactive: bool = False,
                 clock: ShiftedClock | None = None, timezone: str = "Europe/Rome") -> None:
        self.telegram = telegram
        self.clock = clock or ShiftedClock()
        self.timezone = timezone
        self.t = t
        self.out = out
        self.interactive = interactive
        self.people: dict[str, int] = {}
        self.languages: dict[str, str] = {}
        for name, language in CAST:
            self.people[name.lower()] = FIRST_ID + len(self.people)
            self.languages[name.lower()] = language
            # Their chats exist from the start, as a real person's does once they have met the bot: a notice
            # for Mike must reach him even before /as Mike (a stand-in with no such chat would refuse it).
            telegram.user(self.people[name.lower()], name, language_code=language)
        self.current = 0
        # True while the shell waits for a line: what arrives meanwhile reprints the prompt after it.
        self.waiting = False
        self.files = Path(tempfile.mkdtemp(prefix="ponte-shell-"))
        telegram.watch(self.show)
        telegram.watch_answers(self.show_answer)

    @property
    def name(self) -> str:
        return self.telegram.users[self.current]["first_name"]

    def command(self, line: str) -> bool:
        """Run ``/as`` or ``/wait`` if the line is one (True), else leave the line to the bot (False)."""
        wait = _WAIT.match(line)
        if wait:
            self.wait((wait.group(1) or "").strip())
            return True
        switch = _AS.match(line)
        if not switch:
            return False
        words = (switch.group(1) or "").split()
        if not words:
            self.list_people()
        elif len(words) <= 2 and _NAME.match(words[0]) and (len(words) == 1 or words[1].lower() in ("it", "en")):
            self.become(words[0], words[1].lower() if len(words) == 2 else None)
        else:
            self.say(self.t._("Usage: /as NAME [it|en], for example /as Mike en; /as alone lists the people."))
        return True

    def wait(self, duration: str) -> None:
        """Move the shell's clock ahead: what falls due meanwhile (reminders, notices) is sent next."""
        try:
            delta = parse_duration(duration)
        except DurationError:
            self.say(self.t._("Usage: /wait DURATION, a number and a unit such as 90s, 15m, 23h or 2d."))
            return
        self.clock.advance(delta)
        self.say(self.t._("The shell's clock moved {duration} ahead: it is now {moment}.", duration=duration,
                          moment=day_at(self.t, self.clock.now(), self.timezone, None)))

    def forget_empty_folder(self) -> None:
        """The folder for files the bot sent goes when nothing was saved in it."""
        with contextlib.suppress(OSError):
            self.files.rmdir()

    def become(self, name: str, language: str | None) -> None:
        key = name.lower()
        if key not in self.people:
            self.people[key] = FIRST_ID + len(self.people)
            self.languages[key] = language or "it"
        if language:
            self.languages[key] = language
        user_id = self.people[key]
        if user_id not in self.telegram.users:
            self.telegram.user(user_id, name[:1].upper() + name[1:], language_code=self.languages[key])
        self.telegram.users[user_id]["language_code"] = self.languages[key]
        self.current = user_id
        self.say(self.t._("You're now {name} (phone language: {language}).", name=self.name,
                          language=self.languages[key]))

    def list_people(self) -> None:
        """The simulated people and their Telegram ids, the ones PONTE_ADMINS takes."""
        self.say(self.t._("The simulated people, with their Telegram ids:"))
        for key, user_id in self.people.items():
            user = self.telegram.users.get(user_id)
            name = user["first_name"] if user else key[:1].upper() + key[1:]
            if user_id == self.current:
                line = self.t._("{name} · id {id} · phone language: {language} (that's you now)", name=name,
                                id=user_id, language=self.languages[key])
            else:
                line = self.t._("{name} · id {id} · phone language: {language}", name=name, id=user_id,
                                language=self.languages[key])
            self.say("  " + line)
        self.say(self.t._("/as NAME [it|en] becomes one of them, or someone new with the next id. Start with "
                          "PONTE_ADMINS=1002 to make Mike an organizer."))

    def say(self, text: str) -> None:
        print(f"· {text}", file=self.out, flush=True)

    def prompt(self) -> None:
        print(f"{self.name}> ", end="", file=self.out, flush=True)

    def show_answer(self, text: str, alert: bool) -> None:
        """The short answer a phone shows on the pressed button (a pop-up when it is an alert)."""
        print(f"\n{'⚠️' if alert else '💬'} {text}", file=self.out, flush=True)

    def show(self, message: StoredMessage, edited: bool) -> None:
        """Print what the bot sent (or edited), with its buttons numbered."""
        chat = self.telegram.users.get(message.chat_id) or self.telegram.groups.get(message.chat_id, {})
        name = chat.get("first_name") or chat.get("title") or str(message.chat_id)
        heading = self.t._("Ponte → {name} (message updated)", name=name) if edited else f"Ponte → {name}"
        print(f"\n┌─ {heading}", file=self.out)
        if message.document:
            filename, content = message.document
            path = self.files / filename
            path.write_bytes(content)
            print("│ " + self.t.n_("📎 file {name} ({n} byte), saved as {path}",
                                  "📎 file {name} ({n} bytes), saved as {path}", len(content), name=filename,
                                  path=path), file=self.out)
        for line in _plain(message.markup).splitlines():
            print(f"│ {line}", file=self.out)
        for number, label in enumerate(_labels(message), start=1):
            print(f"│ [{number}] {label}", file=self.out)
        print("└─", file=self.out, flush=True)
        if self.waiting and self.interactive:
            self.prompt()

    def update_for(self, line: str) -> dict | None:
        """The update a typed line stands for: a number presses a button of the latest message with buttons;
        ``/file PATH`` sends that file to the bot, as a document (an organiser's agenda, say)."""
        sent = _FILE.match(line)
        if sent:
            path = Path((sent.group(1) or "").strip()).expanduser()
            try:
                content = path.read_bytes()
            except OSError:
                self.say(self.t._("Usage: /file PATH sends that file to the bot, for example /file agenda.toml "
                                  "(there is no file at {path}).", path=path))
                return None
            return self.telegram.document_update(self.current, path.name, content)
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


async def deliver_on_their_own(dispatcher: Dispatcher, watch: BroadcastWatch) -> None:
    """The shell's outbox schedule: send whatever is due, and follow broadcasts, every second, until cancelled."""
    while True:
        try:
            await dispatcher.dispatch_due()
            await watch.tick()
        except Exception:
            # A locked or busy database must not end the schedule: the next sweep tries again.
            log.exception("the shell's outbox sweep failed")
        await asyncio.sleep(SWEEP_SECONDS)


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
    # The wall clock, which /wait moves ahead.
    clock = settings.clock()
    services = await open_services(settings, clock)
    telegram = FakeTelegram(username="ponte_shell_bot")
    interactive = sys.stdin.isatty()
    shell = Shell(telegram, t, interactive=interactive, clock=clock, timezone=settings.timezone)
    try:
        if await services.agenda.is_empty():
            await services.agenda.apply(parse_agenda(EXAMPLE_AGENDA.read_text(encoding="utf-8")))
            shell.say(t._("Fresh database {path}: loaded the example agenda.", path=path))
        if await Questionnaires(services.db, clock).install_default():
            shell.say(t._("Loaded the default questionnaire, asked after site visits and workshops."))
        application = build_application(services, request=StandinRequest(telegram))
        # The flood gate counts a typed line as a person's moment: a script piped into the shell is not a
        # flood, however fast it is read (the gate itself is tested on its own).
        typed_lines = itertools.count()
        application.flood_gate = FloodGate(monotonic=lambda: float(next(typed_lines)))
        async with application:
            await publish_profile(application)
            await application.start()
            shell.say(t._("This is the real Ponte bot, talking to a stand-in of Telegram on this computer. Type "
                          "as the person would (/start, /agenda, …); a number presses that button of the last "
                          "message; /as NAME [it|en] becomes someone else, /as alone lists who; /wait 23h moves the "
                          "clock ahead (reminders and notices due meanwhile arrive); /file PATH sends a file (an "
                          "organizer's agenda); /quit leaves."))
            shell.become(*CAST[0])
            watch = BroadcastWatch(services, application.bot)
            deliveries = asyncio.create_task(deliver_on_their_own(services.dispatcher, watch))
            queue: asyncio.Queue[str | None] = asyncio.Queue()
            threading.Thread(target=_read_lines, args=(queue, asyncio.get_running_loop()), daemon=True).start()
            while True:
                if interactive:
                    shell.prompt()
                shell.waiting = True
                line = await queue.get()
                shell.waiting = False
                if line is None or line.strip().lower() in ("/quit", "/exit"):
                    break
                line = line.strip()
                if not line:
                    continue
                if not interactive:
                    print(f"\n{shell.name}> {line}", flush=True)
                if shell.command(line):
                    await services.dispatcher.dispatch_due()
                    continue
                update = shell.update_for(line)
                if update is None:
                    continue
                await application.process_update(Update.de_json(update, application.bot))
                await services.dispatcher.idle()
                await services.dispatcher.dispatch_due()
                # A broadcast sent by this line has gone out: its report follows before the next line.
                await watch.tick()
                await services.dispatcher.idle()
                await services.dispatcher.dispatch_due()
            deliveries.cancel()
            await asyncio.gather(deliveries, return_exceptions=True)
            await services.dispatcher.idle()
            await application.stop()
    finally:
        await services.db.close()
        shell.forget_empty_folder()
    return 0
