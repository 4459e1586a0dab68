"""Signing up, cancelling, the person's own agenda and the calendar file."""

from __future__ import annotations

import html

from telegram import InputFile, Update

from bot.domain.signups import Outcome, PersonalEntry, SignupResult, Standing
from bot.domain.text_length import shorten, units
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.calendar_file import event_calendar
from bot.render.event_view import TITLE_SHOWN, cancel_question, event_view, online_link_line, paged
from bot.render.i18n import N_, Translator
from bot.render.timefmt import list_moment, zone_note
from handlers.agenda import show_agenda, show_event
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press

MY_PAGE = 10  # upcoming events on a page of /my, each with up to three buttons: well under Telegram's 100
MY_BUDGET = 3300  # of a page's 4,096 (as Telegram counts), with room for the headings and the zone note
PAST_SHOWN = 10  # past events listed, after the upcoming ones


def _standing(result: SignupResult) -> Standing:
    if result.outcome in (Outcome.CONFIRMED, Outcome.ALREADY_CONFIRMED):
        return Standing("confirmed", None)
    if result.outcome in (Outcome.WAITLISTED, Outcome.ALREADY_WAITLISTED):
        return Standing("waitlisted", result.position)
    return Standing(None, None)


async def sign_up(update: Update, context: PonteContext) -> None:
    """The Sign up button: a seat, or a place on the waiting list; the detail shows the result in place."""
    t = context.t
    slug = context.action.arg(0)
    result = await context.services.signups.sign_up(update.effective_user.id, slug)
    if result.outcome is Outcome.UNKNOWN_EVENT:
        await toast(update, context, t._("This event is no longer on the agenda."), alert=True)
        await show_agenda(update, context)
        return
    notice, alert = _signup_notice(t, result)
    now = context.services.clock.now()
    reader_tz = context.person.timezone if context.person else None
    text, rows = event_view(t, result.seats, _standing(result), reader_tz, now, back_page=0)
    await reply(update, context, text, rows, notice=notice, alert=alert)


def _signup_notice(t: Translator, result: SignupResult) -> tuple[str, bool]:
    """The short answer on the pressed button, and whether it must be read (an alert) or may pass (a toast)."""
    match result.outcome:
        case Outcome.CONFIRMED:
            # A button's short answer holds 200 characters at most.
            return t._("✅ You're signed up for {title}.",
                       title=shorten(result.seats.event.title.get(t.language), TITLE_SHOWN)), False
        case Outcome.WAITLISTED:
            return t._("The event is full: you're number {position} on the waiting list.",
                       position=result.position), True
        case Outcome.ALREADY_CONFIRMED:
            return t._("You're already signed up."), False
        case Outcome.ALREADY_WAITLISTED:
            return t._("You're already on the waiting list, number {position}.", position=result.position), False
        case Outcome.EVENT_CANCELLED:
            return t._("This event has been canceled: sign-up is closed."), True
        case _:
            return t._("Sign-up for this event is closed."), True


async def ask_cancel(update: Update, context: PonteContext) -> None:
    """Cancelling gives the seat away at once, so ask first."""
    t = context.t
    slug = context.action.arg(0)
    seats, standing = await context.services.signups.standing(update.effective_user.id, slug)
    if seats is None or standing.status is None:
        await toast(update, context, t._("You're not signed up for this event."), alert=True)
        if seats is not None:
            await show_event(update, context, slug)
        return
    title = html.escape(shorten(seats.event.title.get(t.language), TITLE_SHOWN))
    if standing.status == "confirmed":
        question = cancel_question(t, seats)
        confirm = t._("Yes, cancel my seat")
    else:
        question = t._("Leave the waiting list for <b>{title}</b>? You'd lose your place (number "
                       "{position}).", title=title, position=standing.position)
        confirm = t._("Yes, leave the waiting list")
    rows = [[Button(confirm, callback_data.build("cancel-yes", slug)),
             Button(t._("No, keep it"), callback_data.build("event", slug))]]
    await reply(update, context, question, rows)


async def cancel(update: Update, context: PonteContext) -> None:
    """Confirmed cancellation: free the seat (the domain hands it on and queues the notice)."""
    t = context.t
    slug = context.action.arg(0)
    result = await context.services.signups.cancel(update.effective_user.id, slug)
    if result.outcome is Outcome.UNKNOWN_EVENT:
        await toast(update, context, t._("This event is no longer on the agenda."), alert=True)
        await show_agenda(update, context)
        return
    notice, alert = {
        Outcome.SEAT_RELEASED: (t._("Your seat is canceled. Thank you for letting someone else have it."), False),
        Outcome.LEFT_WAITLIST: (t._("You've left the waiting list."), False),
        Outcome.NOT_REGISTERED: (t._("You weren't signed up for this event, so there's nothing to cancel."), True),
        Outcome.STARTED: (t._("This event has already started: it can no longer be canceled here."), True),
    }[result.outcome]
    await toast(update, context, notice, alert=alert)
    await show_event(update, context, slug)


def _my_line(context: PonteContext, entry) -> str:
    """One of the person's events: when, in their zone (or naming the event's city), what, and where they stand."""
    t = context.t
    event = entry.event
    reader_tz = context.person.timezone if context.person else None
    when = list_moment(t, event.starts_at, event.timezone, reader_tz)
    title = html.escape(shorten(event.title.get(t.language), TITLE_SHOWN))
    if event.cancelled:
        return t._("❌ {when} · <b>{title}</b>: canceled by the organizers", when=when, title=title)
    if entry.registration.status == "confirmed":
        line = t._("✅ {when} · <b>{title}</b>: signed up", when=when, title=title)
        link = online_link_line(t, event, "confirmed")
        return f"{line}\n{link}" if link else line
    return t._("⏳ {when} · <b>{title}</b>: waiting list, number {position}", when=when, title=title,
               position=entry.waitlist_position)


async def my_events(update: Update, context: PonteContext) -> None:
    """/my: the person's upcoming events in time order, with their status, and past ones apart; a long list
    comes in pages (the Next and Previous buttons carry the page)."""
    t = context.t
    upcoming, past = await context.services.signups.personal_agenda(update.effective_user.id)
    if not upcoming and not past:
        rows = [[Button(t._("📅 Agenda"), callback_data.build("agenda", 0))]]
        await reply(update, context, t._("You haven't signed up for any events yet. Open the agenda to "
                                         "find one."), rows)
        return
    entries = [(True, entry, _my_line(context, entry)) for entry in upcoming]
    entries += [(False, entry, _my_line(context, entry)) for entry in past[:PAST_SHOWN]]
    pages = paged(entries, lambda item: units(item[2]) + 1, MY_BUDGET, MY_PAGE)
    page = min(context.action.number(0) if context.action.name == "my" else 0, len(pages) - 1)
    heading = t._("🗂 <b>Your events</b>") if len(pages) == 1 else t.n_(
        "🗂 <b>Your events</b> (page {page} of {n})", "🗂 <b>Your events</b> (page {page} of {n})", len(pages),
        page=page + 1)
    lines = [heading]
    note = zone_note(t, context.person.timezone if context.person else None)
    if note:
        lines.append(note)
    coming = [(entry, line) for is_upcoming, entry, line in pages[page] if is_upcoming]
    gone = [line for is_upcoming, _, line in pages[page] if not is_upcoming]
    if coming:
        lines += ["", t._("<b>Coming up</b>"), *(line for _, line in coming)]
    if gone:
        lines += ["", t._("<b>Past</b>"), *gone]
    rows = [_my_buttons(t, entry) for entry, _ in coming]
    nav = []
    if page > 0:
        nav.append(Button(t._("◀️ Previous"), callback_data.build("my", page - 1)))
    if page < len(pages) - 1:
        nav.append(Button(t._("Next ▶️"), callback_data.build("my", page + 1)))
    if nav:
        rows.append(nav)
    await reply(update, context, "\n".join(lines), rows)


def _my_buttons(t: Translator, entry: PersonalEntry) -> list[Button]:
    """What a person can do with one of their upcoming events."""
    event = entry.event
    row = [Button(f"🔎 {shorten(event.title.get(t.language), 28)}", callback_data.build("event", event.slug))]
    if entry.registration.status == "confirmed" and not event.cancelled:
        row.append(Button(t._("📅 Calendar"), callback_data.build("ics", event.slug)))
    if not event.cancelled:
        row.append(Button(t._("Cancel"), callback_data.build("cancel", event.slug)))
    return row


async def send_calendar(update: Update, context: PonteContext) -> None:
    """The .ics of a confirmed event, for the phone's calendar."""
    t = context.t
    slug = context.action.arg(0)
    seats, standing = await context.services.signups.standing(update.effective_user.id, slug)
    if seats is None:
        await toast(update, context, t._("This event is no longer on the agenda."), alert=True)
        return
    if standing.status != "confirmed":
        await toast(update, context, t._("The calendar file is for confirmed seats: sign up first."), alert=True)
        return
    await toast(update, context)
    event = seats.event
    content = event_calendar(event, t, context.services.clock.now())
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(content, filename=f"{event.slug}.ics", attach=False),
        caption=t._("📅 Open this file to add <b>{title}</b> to your calendar.",
                    title=html.escape(shorten(event.title.get(t.language), TITLE_SHOWN))),
    )


JOURNEYS = Contribution(
    commands=(Command("my", my_events, N_("Your events and waiting lists")),),
    presses=(
        Press("signup", sign_up, (1, 1)),
        Press("cancel", ask_cancel, (1, 1)),  # asks first
        Press("cancel-yes", cancel, (1, 1)),
        Press("ics", send_calendar, (1, 1)),
        Press("my", my_events, (0, 1)),  # the page
    ),
)
