"""Drives the real Application through process_update against the recording stand-in of the Bot API."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.app.application import build_application
from bot.app.services import Services
from bot.domain.agenda_file import EXAMPLE_AGENDA as EXAMPLE
from bot.domain.agenda_file import parse_agenda
from bot.domain.flood import FloodGate
from bot.standin import FakeTelegram, StandinRequest
from bot.standin.engine import StoredMessage
from handlers.context import PonteApplication

PAUSE_BETWEEN_UPDATES = 1.0  # seconds


class HandlerError(AssertionError):
    """A handler raised: process_update would only have logged it."""


class Harness:
    def __init__(self, services: Services, telegram: FakeTelegram | None = None) -> None:
        self.services = services
        self.telegram = telegram or FakeTelegram()
        self.app: PonteApplication = build_application(services, request=StandinRequest(self.telegram))
        self.errors: list[BaseException] = []
        # People type and tap at a human pace: each update comes a moment after the one before, so the
        # flood gate lets journeys through; tests of floods hold this clock still.
        self.typing_time = 0.0
        self.app.flood_gate = FloodGate(monotonic=lambda: self.typing_time)
        self.paused: list[float] = []
        self.app.pause = self._pause
        # Replace the polite production handler: in tests every handler error must fail the test.
        self.app.error_handlers.clear()
        self.app.add_error_handler(self._record_error)

    async def _pause(self, seconds: float) -> None:
        """Waiting as Telegram asked, without waiting: the harness notes how long it would have been."""
        self.paused.append(seconds)

    async def _record_error(self, update: object, context: Any) -> None:
        self.errors.append(context.error)

    async def __aenter__(self) -> Harness:
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()

    async def process(self, update: dict[str, Any]) -> None:
        self.typing_time += PAUSE_BETWEEN_UPDATES
        await self.app.process_update(Update.de_json(update, self.app.bot))
        if self.errors:
            error = self.errors.pop(0)
            raise HandlerError(f"a handler raised {error!r}") from error

    def person(self, user_id: int, name: str = "Giulia", language: str | None = "it", **names: str) -> int:
        self.telegram.user(user_id, name, language_code=language, **names)
        return user_id

    async def send(self, user_id: int, text: str) -> None:
        await self.process(self.telegram.text_update(user_id, text))

    async def press(self, user_id: int, label_part: str) -> None:
        """Press the button whose label contains ``label_part`` on the newest message that has it."""
        for message in reversed(self.telegram.chat(user_id)):
            try:
                data = self.telegram.button(message, label_part)
            except LookupError:
                continue
            await self.process(self.telegram.press_update(user_id, message.message_id, data))
            return
        raise LookupError(f"no message of {user_id} has a button with {label_part!r}")

    async def press_data(self, user_id: int, data: str, message_id: int | None = None) -> None:
        """Press a button with exactly this data (forged, truncated or from an old message)."""
        message_id = message_id or self.telegram.last(user_id).message_id
        await self.process(self.telegram.press_update(user_id, message_id, data))

    async def onboard(self, user_id: int, name: str = "Giulia", language: str = "it", city: str | None = None) -> None:
        """A person who has met the bot: /start, consent, city (Turin's button, in their language, unless told)."""
        self.person(user_id, name, language)
        await self.send(user_id, "/start")
        await self.press(user_id, "✅")
        await self.press(user_id, city or ("Torino" if language == "it" else "Turin"))

    async def load_example(self) -> None:
        await self.services.agenda.apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))

    def last(self, user_id: int) -> StoredMessage:
        return self.telegram.last(user_id)

    def texts(self, user_id: int) -> list[str]:
        return [m.text for m in self.telegram.chat(user_id)]
