"""Meeting the bot: /start (with or without an event's link), the city, and the time zone question."""

from __future__ import annotations

import html
import re

from telegram import Update

from bot.domain.pending import Origin, Pending, PendingStep, pending_of
from bot.domain.people import CITY_TIMEZONES
from bot.render import callback_data, zone_lookup
from bot.render.buttons import Button
from bot.render.i18n import N_, Translator
from bot.render.timefmt import city_name
from handlers import broadcast, checkin
from handlers.agenda import show_agenda, show_event
from handlers.common import reply
from handlers.context import PonteContext
from handlers.help import help_text, reply_to_stray_text
from handlers.journeys import Command, Contribution, Press
from handlers.menus import back_button, city_buttons, main_menu
from handlers.preferences import show_settings
from handlers.privacy import show_privacy_notice

_EVENT_LINK = re.compile(r"^e_([a-z0-9][a-z0-9-]{0,39})$")


async def start(update: Update, context: PonteContext) -> None:
    """/start, or an ``?start=e_<slug>`` link from a poster: consent first, then what was asked for."""
    t = context.t
    payload = context.args[0] if context.args else ""
    if payload.startswith("c_"):
        await checkin.scan_link(update, context, payload)  # the check-in code at an event's door
        return
    match = _EVENT_LINK.match(payload)
    slug = match.group(1) if match else None
    known = slug is not None and await context.services.agenda.find(slug) is not None
    person = context.person
    if not (person and person.consented):
        await context.services.people.meet(update.effective_user.id)
        await show_privacy_notice(update, context, event_slug=slug if known else None)
        return
    if person.timezone is None:
        # Consented, then left before choosing a city (any question was dropped by this command): pick up
        # where they stopped.
        await reply(update, context, t._("Where are you based?"), city_buttons(t, slug if known else None))
        return
    if known:
        await show_event(update, context, slug)
        return
    if payload:
        await reply(update, context, t._(
            "I couldn't find the event this link points to: it may have been removed, or the link is "
            "incomplete. Here's the agenda."))
        await show_agenda(update, context, page=0, new=True)
        return
    await reply(update, context, t._(
        "Welcome back, {name}!", name=html.escape(person.display_name or update.effective_user.first_name))
        + "\n\n" + help_text(context), main_menu(t))


async def choose_city(update: Update, context: PonteContext) -> None:
    """A city button, met at the welcome or in the settings: Torino and Baltimore set the time zone,
    Elsewhere asks for it."""
    action = context.action
    t = context.t
    from_settings = action.name == "city-change"
    origin = Origin.SETTINGS if from_settings else Origin.WELCOME
    then_show = None if from_settings else action.arg(1) or None
    try:
        person = await context.services.people.set_city(
            update.effective_user.id, action.arg(0), then_show=then_show, origin=origin)
    except ValueError:
        await reply(update, context, t._("That button no longer works. Use /settings to choose your city."))
        return
    context.person = person
    if pending_of(person) is not None:
        back = back_button(t, callback_data.build("tz-back"))
        await reply(update, context, t._(
            "Which time zone are you in? Type your city, such as <i>London</i> or <i>Tokyo</i>, or the name "
            "of your time zone, such as <code>America/Chicago</code>."), [[back]])
        return
    await _settled(update, context, origin, then_show)


async def receive_text(update: Update, context: PonteContext) -> None:
    """A message that is no command: the answer to the question the person was asked (bot.domain.pending),
    otherwise a pointer to the commands. Every question answered by typing is routed from here."""
    pending = pending_of(context.person)
    if pending is None:
        await reply_to_stray_text(update, context)
    elif pending.step is PendingStep.TIMEZONE and update.effective_message.text is not None:
        await _answer_timezone(update, context, pending)
    elif pending.step in broadcast.STEPS:
        await broadcast.receive_text(update, context, pending.step)
    else:
        await reply_to_stray_text(update, context)


async def _answer_timezone(update: Update, context: PonteContext, pending: Pending) -> None:
    """The city or zone typed after choosing "Elsewhere"."""
    typed = update.effective_message.text
    match = zone_lookup.lookup(typed)
    if match.zone is None:
        await _not_a_zone(update, context, typed, match)
        return
    context.person = await context.services.people.set_timezone(context.person.telegram_id, match.zone)
    await _settled(update, context, pending.origin, pending.event_slug)


async def choose_suggested_zone(update: Update, context: PonteContext) -> None:
    """One of the zones offered for a text that named none."""
    zone = zone_lookup.from_button_key(context.action.arg(0))
    if zone is None:
        await reply(update, context, context.t._("That button no longer works. Use /settings to choose your city."))
        return
    # Pressed after the question was answered, the zone still changes, and the settings show it.
    pending = pending_of(context.person)
    context.person = await context.services.people.set_timezone(update.effective_user.id, zone)
    if pending is None:
        await _settled(update, context, Origin.SETTINGS, None)
        return
    await _settled(update, context, pending.origin, pending.event_slug)


async def leave_timezone_question(update: Update, context: PonteContext) -> None:
    """Back from the time zone question: to the settings, or to the cities when meeting the bot."""
    person = context.person
    pending = pending_of(person)
    if pending is not None:
        person = context.person = await context.services.people.drop_question(person.telegram_id)
    to_settings = pending.origin is Origin.SETTINGS if pending else person.timezone is not None
    if to_settings:
        await show_settings(update, context)
        return
    then_show = pending.event_slug if pending else None
    await reply(update, context, context.t._("Where are you based?"), city_buttons(context.t, then_show))


async def _not_a_zone(update: Update, context: PonteContext, typed: str, match: zone_lookup.ZoneMatch) -> None:
    t = context.t
    back = [back_button(t, callback_data.build("tz-back"))]
    if match.too_long:
        await reply(update, context, t._(
            "That's too long for a time zone. Type just your city, such as <i>London</i> or <i>New York</i>, "
            "or the name of your time zone, such as <code>Europe/London</code>."), [back])
        return
    shown = html.escape(" ".join(typed.split())[:zone_lookup.TYPED_LIMIT])
    if match.suggestions:
        offers = [Button(_zone_label(t, zone), callback_data.build("tz", zone_lookup.button_key(zone)))
                  for zone in match.suggestions]
        await reply(update, context, t._(
            "I don't know the time zone “{typed}”. Did you mean one of these? If not, type your city or the "
            "name of your time zone again.", typed=shown), [*([offer] for offer in offers), back])
        return
    await reply(update, context, t._(
        "I don't know the time zone “{typed}”. Type your city, such as <i>London</i> or <i>New York</i>, or "
        "the name of your time zone, such as <code>Europe/London</code> (the list is at "
        "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones).", typed=shown), [back])


def _zone_label(t: Translator, zone: str) -> str:
    return t._("{city} (time zone {timezone})", city=city_name(zone, t.language), timezone=zone)


def settled_note(t: Translator, timezone: str) -> str:
    """What is now true of the times the person will read."""
    if timezone == CITY_TIMEZONES["torino"]:
        return t._("All set! I'll show times in Turin time.")
    if timezone == CITY_TIMEZONES["baltimore"]:
        return t._("All set! I'll show times in Baltimore time, and for events in Turin, in Turin time too.")
    return t._("All set! I'll show times in {city} time, and for each event, its local time too.",
               city=city_name(timezone, t.language))


async def _settled(update: Update, context: PonteContext, origin: Origin, then_show: str | None) -> None:
    """The zone is set: back to the settings, or on to the event of the person's link, or the welcome."""
    t = context.t
    note = settled_note(t, context.person.timezone)
    if origin is Origin.SETTINGS:
        await show_settings(update, context, note=note)
        return
    if then_show and await context.services.agenda.find(then_show):
        await reply(update, context, note)
        await show_event(update, context, then_show, new=True)
        return
    await reply(update, context, note + "\n\n" + help_text(context), main_menu(t))


JOURNEYS = Contribution(
    commands=(Command("start", start, N_("Start again"), before_consent=True),),
    presses=(
        Press("city", choose_city, (1, 2)),  # city:torino[:slug of the event to show afterwards]
        Press("city-change", choose_city, (1, 1)),  # city-change:torino, from the settings (back to them)
        Press("tz", choose_suggested_zone, (1, 1), answers=PendingStep.TIMEZONE),  # tz:<zone_lookup.button_key>
        Press("tz-back", leave_timezone_question, answers=PendingStep.TIMEZONE),
    ),
)
