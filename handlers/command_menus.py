"""Each person's command menu follows their role: organisers and coordinators get theirs, in their language,
scoped to their chat; everyone else sees the menu everyone has."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.domain.languages import LANGUAGES
from bot.domain.roles import Role
from bot.render.i18n import DEFAULT_LANGUAGE, translator
from bot.telegram.ponte_bot import PonteBot
from handlers.journeys import Routing

log = logging.getLogger(__name__)
# A chat's menu without a language (any phone) and one per language the exchange speaks: set both ways, a menu
# in the person's language wins over everyone's menu in their phone's language.
_LANGUAGE_CODES = (None, *LANGUAGES)


async def publish_menu(bot: PonteBot, routing: Routing, telegram_id: int, role: Role, language: str | None) -> None:
    """Set (or, for a stakeholder, take away) the menu of one person's chat. A person who has not opened the
    bot yet has no chat to scope a menu to: noted, and done when they do."""
    scope = BotCommandScopeChat(telegram_id)
    t = translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    commands = [BotCommand(name, t._(text)) for name, text in routing.menu(role=role)]
    try:
        for code in _LANGUAGE_CODES:
            if role is Role.STAKEHOLDER:
                await bot.delete_my_commands(scope=scope, language_code=code)
            else:
                await bot.set_my_commands(commands, scope=scope, language_code=code)
    except TelegramError as error:
        log.info("no menu of its own for %s yet: %s", telegram_id, error)
