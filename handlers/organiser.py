"""Organisers' view: who is coming, chosen from the events' buttons or named by slug."""

from __future__ import annotations

import html

from telegram import InputFile, Update

from bot.domain.roles import NotAllowedError
from bot.render.i18n import N_
from bot.render.rosters import roster_choice, roster_filename, roster_view, roster_xlsx
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press


def _refusal(context: PonteContext) -> str:
    return context.t._("Sorry, only the organizers of the exchange can see who is coming.")


async def attendees(update: Update, context: PonteContext) -> None:
    """/attendees: the events as buttons; /attendees <event> goes straight to one (organisers only)."""
    slug = (context.args[0].lower() if context.args else "")[:40]
    if slug:
        await _show(update, context, slug)
        return
    await _choose(update, context)


async def choose_event(update: Update, context: PonteContext) -> None:
    """The "All events" button under a roster: back to the choice of event."""
    await _choose(update, context)


async def show_attendees(update: Update, context: PonteContext) -> None:
    """An event's button: its counts and names, and the spreadsheet."""
    await _show(update, context, context.action.arg(0))


async def _choose(update: Update, context: PonteContext, intro: str = "") -> None:
    try:
        events = await context.services.signups.rosters(update.effective_user.id)
    except NotAllowedError:
        await _refuse(update, context)
        return
    text, rows = roster_choice(context.t, events)
    await reply(update, context, f"{intro}\n\n{text}" if intro else text, rows)


async def _show(update: Update, context: PonteContext, slug: str) -> None:
    t = context.t
    try:
        seats, roster = await context.services.signups.attendees(update.effective_user.id, slug)
    except NotAllowedError:
        await _refuse(update, context)
        return
    if seats is None:
        await _choose(update, context, t._("There is no event with the code {code}.", code=html.escape(slug)))
        return
    event = seats.event
    present = await context.services.checkins.present_at(update.effective_user.id, event.id)
    text, rows = roster_view(t, seats, roster, present, doors_open=context.services.checkins.is_open(event))
    await reply(update, context, text, rows)
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(roster_xlsx(t, event, roster, present), filename=roster_filename(event), attach=False),
        caption=t._("Attendees of {title}", title=html.escape(event.title.get(t.language))),
    )


async def _refuse(update: Update, context: PonteContext) -> None:
    """A stakeholder who typed the command, or pressed a forged button, gets a polite no."""
    if update.callback_query is not None:
        await toast(update, context, _refusal(context), alert=True)
        return
    await reply(update, context, _refusal(context))


JOURNEYS = Contribution(
    commands=(Command("attendees", attendees, N_("Who is coming to an event (organizers)"), organisers_only=True),),
    presses=(
        Press("rosters", choose_event),  # the events, to choose whose attendees to see
        Press("roster", show_attendees, (1, 1)),  # roster:<slug>
    ),
)
