"""/agenda and an event's detail: navigation edits one message instead of flooding the chat."""

from __future__ import annotations

from telegram import Update

from bot.render.event_view import agenda_view, event_view, speakers_view
from bot.render.i18n import N_
from handlers.common import reply
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press


def _reader_tz(context: PonteContext) -> str | None:
    return context.person.timezone if context.person else None


async def show_agenda(update: Update, context: PonteContext, page: int = 0, *, new: bool = False) -> None:
    """The events still to come; once every one is over, the ones that took place, to read."""
    upcoming, past = await context.services.agenda.programme()
    now = context.services.clock.now()
    ended = not upcoming and bool(past)
    text, rows = agenda_view(context.t, past if ended else upcoming, page, _reader_tz(context), now, ended=ended)
    await reply(update, context, text, rows, new=new)


async def agenda_command(update: Update, context: PonteContext) -> None:
    """/agenda: the programme, first page."""
    await show_agenda(update, context)


async def agenda_page(update: Update, context: PonteContext) -> None:
    """A page of the agenda, from its navigation buttons or an event's Back button."""
    await show_agenda(update, context, context.action.number(0))


async def show_event(update: Update, context: PonteContext, slug: str, *, new: bool = False,
                     back_page: int = 0) -> bool:
    """Show one event; False (and a polite word) when it is not on the agenda any more."""
    person_id = update.effective_user.id
    seats, standing = await context.services.signups.standing(person_id, slug)
    if seats is None:
        await reply(update, context, context.t._(
            "This event is no longer on the agenda. Here's the agenda as it is now."), new=new)
        await show_agenda(update, context, new=True)
        return False
    now = context.services.clock.now()
    text, rows = event_view(context.t, seats, standing, _reader_tz(context), now, back_page)
    await reply(update, context, text, rows, new=new)
    return True


async def open_event(update: Update, context: PonteContext) -> None:
    """Tapping an event on the agenda (or in a notice) opens its detail."""
    await show_event(update, context, context.action.arg(0), back_page=context.action.number(1))


async def show_speakers(update: Update, context: PonteContext) -> None:
    """An event's speakers, a page at a time, when there are more than its detail can name."""
    slug = context.action.arg(0)
    seats = await context.services.agenda.find(slug)
    if seats is None:
        await reply(update, context, context.t._(
            "This event is no longer on the agenda. Here's the agenda as it is now."))
        await show_agenda(update, context, new=True)
        return
    text, rows = speakers_view(context.t, seats.event, context.action.number(1), context.action.number(2))
    await reply(update, context, text, rows)


JOURNEYS = Contribution(
    commands=(Command("agenda", agenda_command, N_("The agenda of the exchange")),),
    presses=(Press("agenda", agenda_page, (1, 1)), Press("event", open_event, (1, 2)),
             Press("speakers", show_speakers, (2, 3))),
)
