"""Every button press, parsed once and routed to its journey."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot import callback_data
from handlers import agenda, preferences, privacy, signup, start
from handlers.context import PonteContext
from handlers.help import stale_button

Journey = Callable[[Update, PonteContext], Awaitable[None]]
ROUTES: dict[str, Journey] = {
    "consent": privacy.answer_consent,
    "lang": preferences.set_language,
    "langmenu": preferences.ask_language,
    "city": start.choose_city,
    "citymenu": preferences.ask_city,
    "city-change": start.choose_city,
    "tz": start.choose_suggested_zone,
    "tz-back": start.leave_timezone_question,
    "agenda": agenda.agenda_page,
    "event": agenda.open_event,
    "signup": signup.sign_up,
    "cancel": signup.ask_cancel,
    "cancel-yes": signup.cancel,
    "ics": signup.send_calendar,
    "my": signup.my_events,
    "settings": preferences.show_settings,
    "privacy": privacy.show_privacy,
    "forget": privacy.confirm_forget,
    "forget-yes": privacy.forget_me,
}


async def press_button(update: Update, context: PonteContext) -> None:
    """Route a press; anything unparseable (old, forged, truncated) gets a polite word."""
    action = callback_data.parse(update.callback_query.data)
    if action is None:
        await stale_button(update, context)
        return
    context.action = action
    await ROUTES[action.name](update, context)
