"""What the bot can do, and polite answers to everything it cannot."""

from __future__ import annotations

import html

from telegram import Update

from bot.render.i18n import N_, Translator
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.menus import main_menu

# The phone's command menu and /help, in this order.
COMMANDS = (
    ("agenda", N_("The program of the exchange")),
    ("my", N_("Your events and waiting lists")),
    ("settings", N_("Language, city and time zone")),
    ("language", N_("Change language")),
    ("privacy", N_("What is kept about you, and deleting it")),
    ("help", N_("What this bot can do")),
    ("start", N_("Start again")),
)
ORGANISER_COMMANDS = (("attendees", N_("Who is coming to an event (organizers)")),)


def help_text(context: PonteContext) -> str:
    t = context.t
    lines = [t._("Here is what you can do:")]
    commands = list(COMMANDS)
    if context.person and context.services.roles.is_organiser(context.person.telegram_id):
        commands += ORGANISER_COMMANDS
    lines += [f"/{name} — {t._(description)}" for name, description in commands]
    return "\n".join(lines)


def bot_description(t: Translator) -> str:
    return t._(
        "Ponte coordinates the Turin–Baltimore best-practice exchange of the EU International Urban "
        "Cooperation program: read the agenda in your language and time zone, and sign up for round tables, "
        "site visits and workshops."
    )


def bot_short_description(t: Translator) -> str:
    return t._("Agenda and sign-ups for the Turin–Baltimore exchange.")


async def show_help(update: Update, context: PonteContext) -> None:
    """/help lists the commands."""
    await reply(update, context, help_text(context), main_menu(context.t))


async def unknown_command(update: Update, context: PonteContext) -> None:
    """A command that does not exist: say so, and list those that do."""
    command = update.effective_message.text.split(maxsplit=1)[0][:40]
    await reply(update, context, context.t._("I don't know the command {command}.", command=html.escape(command))
                + "\n\n" + help_text(context), main_menu(context.t))


async def reply_to_stray_text(update: Update, context: PonteContext) -> None:
    """Text, stickers or photos where the bot expects a command or a button press."""
    await reply(update, context, context.t._(
        "I only understand commands and buttons. Try /agenda for the program or /help for everything "
        "I can do."), main_menu(context.t))


async def stale_button(update: Update, context: PonteContext) -> None:
    """A button from an old message, another version of the bot, or forged data."""
    await toast(update, context, context.t._(
        "This button no longer works. Use /agenda or /help to carry on."), alert=True)
