"""The one place that builds the python-telegram-bot application and registers every handler."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.app.problems import record_problem
from bot.app.services import Services
from bot.delivery.outbox import Deliver, Delivery, DeliveryResult
from bot.render.buttons import Notice
from bot.render.i18n import LANGUAGES, translator
from bot.telegram.courier import TelegramCourier
from bot.telegram.ponte_bot import PonteBot
from handlers import (
    agenda,
    agenda_upload,
    broadcast,
    checkin,
    feedback,
    gates,
    help,
    mydata,
    organiser,
    people,
    preferences,
    privacy,
    report,
    signup,
    start,
    team,
)
from handlers.buttons import press_button
from handlers.command_menus import publish_menu
from handlers.context import PonteApplication, PonteContext
from handlers.errors import report_error
from handlers.journeys import Routing

_NEW_MESSAGES = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
# Every journey, in the order of the phone's command menu and /help.
JOURNEYS = (agenda, signup, feedback, preferences, privacy, mydata, help, start, organiser, checkin, broadcast,
            agenda_upload, team, report)


def build_application(services: Services, *, request: BaseRequest | None = None) -> PonteApplication:
    """The application, talking to ``PONTE_API_URL`` (or through ``request``, for the stand-in)."""
    # The bot is built here rather than by the builder so that it is a PonteBot; its HTTP clients are the
    # builder's defaults (256 connections for calls, 1 for long polling).
    routing = Routing([module.JOURNEYS for module in JOURNEYS])
    bot = PonteBot(
        services.settings.token,
        base_url=services.settings.api_url,
        base_file_url=file_url(services.settings.api_url),
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=request or HTTPXRequest(connection_pool_size=1),
        defaults=Defaults(parse_mode=ParseMode.HTML),
    )
    application = (
        ApplicationBuilder()
        .application_class(PonteApplication, kwargs={"services": services, "routing": routing})
        .bot(bot)
        .context_types(ContextTypes(context=PonteContext))
        # ponte run polls through bot.app.inbox, which stores each update before confirming it.
        .updater(None)
        # Updates are handled concurrently; the storage serialises transactions, so order cannot oversell.
        .concurrent_updates(True)
        .build()
    )
    for group, handler in _handlers(routing):
        application.add_handler(handler, group=group)
    # Both run for every error: one notes it for `ponte status`, the other logs it and apologises.
    application.add_error_handler(record_problem)
    application.add_error_handler(report_error)
    services.dispatcher.attach(_noting_who_blocked_us(TelegramCourier(application.bot), services))
    return application


def file_url(api_url: str) -> str:
    """Where files are downloaded from, beside the Bot API: Telegram's /bot becomes /file/bot."""
    if api_url.endswith("/bot"):
        return api_url[: -len("/bot")] + "/file/bot"
    return api_url.rstrip("/") + "/file/bot"


def _noting_who_blocked_us(courier: TelegramCourier, services: Services) -> Deliver:
    """The courier, telling the domain of everyone Telegram says is gone (403: blocked the bot), so that
    broadcasts count them apart and queue nothing more for them until they come back."""

    async def deliver(chat_id: int, notice: Notice, *, paid: bool = False) -> DeliveryResult:
        result = await courier(chat_id, notice, paid=paid)
        if result.status is Delivery.GONE:
            await services.people.blocked_us(chat_id)
        return result

    return deliver


def _handlers(routing: Routing) -> list[tuple[int, object]]:
    return [
        # -1: only a person's private chat goes further (a group gets at most one pointer there); one
        # person's flood is held back with one polite word; then who is writing, in which language, and
        # nothing that needs consent until it is given.
        (-1, TypeHandler(Update, gates.admit)),
        # 0: one journey per update, first match wins. Button presses first: they are most of the traffic,
        # and no command handler could take one. Each press goes to the journey that declared its action.
        (0, CallbackQueryHandler(press_button)),
        # A person blocked or unblocked the bot (their private chat's my_chat_member update).
        (0, ChatMemberHandler(people.note_blocking, ChatMemberHandler.MY_CHAT_MEMBER)),
        *((0, CommandHandler(c.name, c.run, filters=_NEW_MESSAGES)) for c in routing.commands),
        # Then what no journey claimed: an unknown command, text (the answer to a pending question), the rest.
        (0, MessageHandler(filters.COMMAND & _NEW_MESSAGES, help.unknown_command)),
        # A file: an organiser's agenda, checked and shown before it is applied.
        (0, MessageHandler(filters.Document.ALL & _NEW_MESSAGES, agenda_upload.receive_document)),
        # Any other message (text, a photo, a sticker) may answer a pending question: start routes it.
        (0, MessageHandler(_NEW_MESSAGES, start.receive_text)),
    ]


async def publish_profile(application: PonteApplication) -> None:
    """The command menu and descriptions in both languages (English is the default for other phones)."""
    bot = application.bot
    routing = application.routing
    for language in LANGUAGES:
        t = translator(language)
        code = None if language == "en" else language
        commands = [BotCommand(name, t._(description)) for name, description in routing.menu(organiser=False)]
        await bot.set_my_commands(commands, language_code=code)
        await bot.set_my_description(help.bot_description(t), language_code=code)
        await bot.set_my_short_description(help.bot_short_description(t), language_code=code)
    # Everyone with a role gets their own menu, in their language, as every start brings the roles up to date.
    services = application.services
    for telegram_id in sorted(services.roles.holders()):
        person = await services.people.get(telegram_id)
        await publish_menu(bot, routing, telegram_id, services.roles.role_of(telegram_id),
                           person.language if person else None)
