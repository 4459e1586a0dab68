"""Meeting the bot: /start (with or without an event's link), the city, a typed time zone."""

from __future__ import annotations

import html
import re

from telegram import Update

from bot.domain.people import AWAITING_TIMEZONE
from bot.render.i18n import N_
from bot.render.timefmt import city_name
from handlers.agenda import show_agenda, show_event
from handlers.common import reply
from handlers.context import PonteContext
from handlers.help import help_text, reply_to_stray_text
from handlers.journeys import Command, Contribution, Press
from handlers.menus import city_buttons, main_menu
from handlers.privacy import show_privacy_notice

_EVENT_LINK = re.compile(r"^e_([a-z0-9][a-z0-9-]{0,39})$")


async def start(update: Update, context: PonteContext) -> None:
    """/start, or an ``?start=e_<slug>`` link from a poster: consent first, then what was asked for."""
    t = context.t
    payload = context.args[0] if context.args else ""
    match = _EVENT_LINK.match(payload)
    slug = match.group(1) if match else None
    known = slug is not None and await context.services.agenda.find(slug) is not None
    person = context.person
    if not (person and person.consented):
        await context.services.people.meet(update.effective_user.id)
        await show_privacy_notice(update, context, event_slug=slug if known else None)
        return
    if person.timezone is None and not (person.awaiting or "").startswith(AWAITING_TIMEZONE):
        # Consented, then left before choosing a city: pick up where they stopped.
        await reply(update, context, t._("Where are you based?"), city_buttons(t, slug if known else None))
        return
    if known:
        await show_event(update, context, slug)
        return
    if payload:
        await reply(update, context, t._(
            "I could not find the event this link points to: it may have been removed, or the link is "
            "incomplete. Here is the agenda."))
        await show_agenda(update, context, page=0, new=True)
        return
    await reply(update, context, t._(
        "Welcome back, {name}!", name=html.escape(person.display_name or update.effective_user.first_name))
        + "\n\n" + help_text(context), main_menu(t))


async def choose_city(update: Update, context: PonteContext) -> None:
    """Set the city (and so the time zone); for elsewhere, ask for the zone by name."""
    action = context.action
    t = context.t
    then_show = action.arg(1) or None
    try:
        person = await context.services.people.set_city(update.effective_user.id, action.arg(0), then_show)
    except ValueError:
        await reply(update, context, t._("That button no longer works. Use /settings to choose your city."))
        return
    context.person = person
    if person.awaiting and person.awaiting.startswith(AWAITING_TIMEZONE):
        await reply(update, context, t._(
            "Which time zone are you in? Type its name, for example <code>Europe/London</code>, "
            "<code>America/Chicago</code> or <code>Asia/Tokyo</code>."))
        return
    await _settled(update, context, then_show)


async def _settled(update: Update, context: PonteContext, then_show: str | None) -> None:
    t = context.t
    text = t._("All set! I will show times for {city} too.",
               city=city_name(context.person.timezone, t.language))
    if then_show and await context.services.agenda.find(then_show):
        await reply(update, context, text)
        await show_event(update, context, then_show, new=True)
        return
    await reply(update, context, text + "\n\n" + help_text(context), main_menu(t))


async def receive_text(update: Update, context: PonteContext) -> None:
    """Free text: a time zone when one was asked for, otherwise a pointer to the commands."""
    person = context.person
    if not (person and person.awaiting and person.awaiting.startswith(AWAITING_TIMEZONE)):
        await reply_to_stray_text(update, context)
        return
    t = context.t
    typed = update.effective_message.text.strip()
    then_show = person.awaiting.partition(":")[2] or None
    updated = await context.services.people.set_timezone(person.telegram_id, typed)
    if updated is None:
        await reply(update, context, t._(
            "I don't know the time zone “{typed}”. Type its name like <code>Europe/London</code> or "
            "<code>America/Chicago</code> (the list is at https://en.wikipedia.org/wiki/List_of_tz_database_time_zones).",
            typed=html.escape(typed[:64])))
        return
    context.person = updated
    await _settled(update, context, then_show)


JOURNEYS = Contribution(
    commands=(Command("start", start, N_("Start again"), before_consent=True),),
    presses=(Press("city", choose_city, (1, 2)),),  # city:torino[:slug of the event to show afterwards]
)
