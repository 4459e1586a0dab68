"""The typed context every handler receives: the services, and who is writing in which language."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CallbackContext

from bot.domain.flood import FloodGate
from bot.domain.people import Participant
from bot.domain.services import Domain

if TYPE_CHECKING:
    from handlers.journeys import Routing
from bot.render.callback_data import Action
from bot.render.i18n import DEFAULT_LANGUAGE, Translator, translator
from bot.telegram.ponte_bot import PonteBot


class PonteApplication(Application[PonteBot, "PonteContext", dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]):
    """The python-telegram-bot application, holding Ponte's services instead of string-keyed bot_data."""

    def __init__(self, *, services: Domain, routing: Routing, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.routing = routing
        # Told the id of every update once its handling is over (the durable inbox marks it handled).
        self.on_handled: Callable[[int], None] | None = None
        self.flood_gate = FloodGate()
        # How a reply waits when Telegram asks it to (429); tests wait instantly.
        self.pause: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if self.on_handled is not None and isinstance(update, Update):
                self.on_handled(update.update_id)


class PonteContext(CallbackContext[PonteBot, dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Filled in for every update by :func:`handlers.people.load_person` before any journey runs."""

    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None) -> None:
        super().__init__(application, chat_id, user_id)
        self.person: Participant | None = None
        self.t: Translator = translator(DEFAULT_LANGUAGE)
        # A button press is answered once; a journey that replies twice must not answer it again.
        self.answered = False
        # The pressed button's action, parsed once by handlers.buttons.
        self.action: Action = Action("noop")

    @property
    def services(self) -> Domain:
        return self.application.services  # type: ignore[attr-defined]

    @property
    def routing(self) -> Routing:
        return self.application.routing  # type: ignore[attr-defined]
