"""What the bot can do, and polite answers to everything it cannot."""

from __future__ import annotations

import html

from telegram import Update

from bot.render.i18n import N_, Translator
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution
from handlers.menus import main_menu


def help_text(context: PonteContext) -> str:
    t = context.t
    roles, person = context.services.roles, context.person
    organiser = bool(person and roles.is_organiser(person.telegram_id))
    coordinator = bool(person and roles.may_read_feedback(person.telegram_id))
    lines = [t._("Here's what you can do:")]
    lines += [f"/{name} — {t._(description)}"
              for name, description in context.routing.menu(organiser=organiser, coordinator=coordinator)]
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
    command = (update.effective_message.text.split(maxsplit=1) or ["/"])[0][:40]
    await reply(update, context, context.t._("I don't know the command {command}.", command=html.escape(command))
                + "\n\n" + help_text(context), main_menu(context.t))


async def reply_to_stray_text(update: Update, context: PonteContext) -> None:
    """Text, stickers or photos where the bot expects a command or a button press."""
    await reply(update, context, context.t._(
        "I only understand commands and buttons. Try /agenda to see the agenda, or /help for everything "
        "I can do."), main_menu(context.t))


async def stale_button(update: Update, context: PonteContext) -> None:
    """A button from an old message, another version of the bot, or forged data."""
    await toast(update, context, context.t._(
        "This button no longer works. Use /agenda or /help to carry on."), alert=True)


JOURNEYS = Contribution(commands=(Command("help", show_help, N_("What this bot can do"), before_consent=True),))
