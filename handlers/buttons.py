"""Every button press, parsed once and routed to its journey."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.render import callback_data
from handlers import agenda, organiser, privacy, settings, signup, start
from handlers.context import PonteContext
from handlers.help import stale_button

Journey = Callable[[Update, PonteContext], Awaitable[None]]
ROUTES: dict[str, Journey] = {
    "consent": privacy.answer_consent,
    "lang": settings.choose_language,
    "langmenu": settings.ask_language,
    "city": start.choose_city,
    "citymenu": settings.ask_city,
    "agenda": agenda.agenda_page,
    "event": agenda.open_event,
    "signup": signup.sign_up,
    "cancel": signup.ask_cancel,
    "cancel-yes": signup.cancel,
    "ics": signup.send_calendar,
    "my": signup.my_events,
    "settings": settings.show_settings,
    "privacy": privacy.show_privacy,
    "forget": privacy.confirm_forget,
    "forget-yes": privacy.forget_me,
    "rosters": organiser.choose_event,
    "roster": organiser.show_attendees,
}


async def press_button(update: Update, context: PonteContext) -> None:
    """Route a press; anything unparseable (old, forged, truncated) gets a polite word."""
    action = callback_data.parse(update.callback_query.data)
    if action is None:
        await stale_button(update, context)
        return
    context.action = action
    await ROUTES[action.name](update, context)
