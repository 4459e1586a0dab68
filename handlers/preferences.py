"""/language and /settings: the person's language, city and time zone."""

from __future__ import annotations

from telegram import Update

from bot.domain.roles import Role
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import LANGUAGES, N_, translator
from bot.render.timefmt import city_name
from handlers.command_menus import publish_menu
from handlers.common import reply
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press
from handlers.menus import city_change_buttons, language_buttons
from handlers.privacy import show_privacy_notice

# As running text names them: "Lingua: italiano", "Language: English".
_LANGUAGE_NAMES = {"it": N_("Italian"), "en": N_("English")}


async def ask_language(update: Update, context: PonteContext) -> None:
    """/language, or the settings' button: offer both languages."""
    await reply(update, context, context.t._("Which language do you prefer?"), language_buttons())


async def set_language(update: Update, context: PonteContext) -> None:
    """Store the chosen language and answer in it straight away."""
    action = context.action
    language = action.arg(0)
    if language not in LANGUAGES:
        await reply(update, context, context.t._("That button no longer works. Use /language to choose again."))
        return
    context.person = await context.services.people.set_language(update.effective_user.id, language)
    context.t = translator(language)
    if not context.person.consented:
        await show_privacy_notice(update, context, event_slug=None)
        return
    role = context.services.roles.role_of(update.effective_user.id)
    if role is not Role.STAKEHOLDER:
        # Their own menu is in their language too.
        await publish_menu(context.bot, context.routing, update.effective_user.id, role, language)
    await show_settings(update, context, note=context.t._("Done: I'll speak English from now on."))


async def show_settings(update: Update, context: PonteContext, note: str | None = None) -> None:
    """/settings: what is set now, with buttons to change it."""
    t = context.t
    person = context.person
    if person.timezone:
        place = t._("{city} (time zone {timezone})", city=city_name(person.timezone, t.language),
                    timezone=person.timezone)
    else:
        place = t._("not chosen yet")
    reminders = (t._("on, before each event you're signed up for") if person.reminders
                 else t._("off"))
    text = t._("⚙️ <b>Your settings</b>\nLanguage: {language}\nTimes shown for: {place}\nReminders: {reminders}",
               language=t._(_LANGUAGE_NAMES[t.language]), place=place, reminders=reminders)
    if note:
        text = note + "\n\n" + text
    rows = [
        [Button(t._("🌐 Change language"), callback_data.build("langmenu")),
         Button(t._("🏙 Change city"), callback_data.build("citymenu"))],
        [Button(t._("🔕 Turn reminders off") if person.reminders else t._("🔔 Turn reminders on"),
                callback_data.build("reminders", "off" if person.reminders else "on"))],
        [Button(t._("🔒 Privacy and your data"), callback_data.build("privacy"))],
    ]
    await reply(update, context, text, rows)


async def set_reminders(update: Update, context: PonteContext) -> None:
    """The settings' reminders button: on or off, then the settings again, saying what changed."""
    choice = context.action.arg(0)
    if choice not in ("on", "off"):
        await reply(update, context, context.t._("That button no longer works. Use /settings to choose again."))
        return
    context.person = await context.services.people.set_reminders(update.effective_user.id, choice == "on")
    note = (context.t._("🔔 Done: I'll remind you before the events you're signed up for.") if choice == "on"
            else context.t._("🔕 Done: no more reminders. The news about your events (a new time, a "
                             "cancellation) still comes."))
    await show_settings(update, context, note=note)


async def ask_city(update: Update, context: PonteContext) -> None:
    """The settings' city button; the choice leads back to the settings."""
    await reply(update, context, context.t._("Where are you based?"), city_change_buttons(context.t))


JOURNEYS = Contribution(
    commands=(
        Command("settings", show_settings, N_("Language, city, time zone and reminders")),
        Command("language", ask_language, N_("Change language"), before_consent=True),
    ),
    presses=(
        Press("lang", set_language, (1, 1), before_consent=True),
        Press("langmenu", ask_language, before_consent=True),
        Press("citymenu", ask_city),
        Press("settings", show_settings),
        Press("reminders", set_reminders, (1, 1)),  # reminders:on / reminders:off
    ),
)
