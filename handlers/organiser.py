"""Organisers' view: who is coming."""

from __future__ import annotations

import html

from telegram import InputFile, Update

from bot.domain.roles import NotAllowedError
from bot.render.i18n import N_
from bot.render.rosters import roster_csv
from handlers.common import reply
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution

NAMES_SHOWN = 60  # names in the message; the CSV file always has everyone


async def attendees(update: Update, context: PonteContext) -> None:
    """/attendees <event>: counts and names, and the list as a CSV file (organisers only)."""
    t = context.t
    slug = (context.args[0].lower() if context.args else "")[:40]
    try:
        seats, roster = await context.services.signups.attendees(update.effective_user.id, slug)
    except NotAllowedError:
        await reply(update, context, t._("Sorry, only the organizers of the exchange can see who is coming."))
        return
    if seats is None:
        events = await context.services.agenda.all_events()
        codes = "\n".join(f"<code>{e.slug}</code> · {html.escape(e.title.get(t.language))}" for e in events)
        intro = (t._("There is no event with the code {code}.", code=html.escape(slug)) if slug
                 else t._("Which event? Write /attendees followed by its code."))
        await reply(update, context, intro + "\n\n" + codes if codes else intro)
        return
    event = seats.event
    confirmed = [e for e in roster if e.registration.status == "confirmed"]
    waiting = [e for e in roster if e.registration.status == "waitlisted"]
    lines = [f"👥 <b>{html.escape(event.title.get(t.language))}</b>"]
    if event.capacity is None:
        lines.append(t.n_("{n} confirmed (no seat limit)", "{n} confirmed (no seat limit)", len(confirmed)))
    else:
        lines.append(t._("{confirmed} confirmed of {capacity} seats · {waiting} on the waiting list",
                         confirmed=len(confirmed), capacity=event.capacity, waiting=len(waiting)))
    if confirmed:
        lines += ["", t._("<b>Confirmed</b>")]
        lines += [f"{i}. {html.escape(e.participant.display_name or str(e.participant.telegram_id))}"
                  for i, e in enumerate(confirmed[:NAMES_SHOWN], start=1)]
    if waiting:
        lines += ["", t._("<b>Waiting list</b>")]
        lines += [f"{e.waitlist_position}. {html.escape(e.participant.display_name or str(e.participant.telegram_id))}"
                  for e in waiting[:NAMES_SHOWN]]
    if len(confirmed) > NAMES_SHOWN or len(waiting) > NAMES_SHOWN:
        lines += ["", t._("The file below has everyone.")]
    await reply(update, context, "\n".join(lines))
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(roster_csv(t, roster), filename=f"{event.slug}-attendees.csv", attach=False),
        caption=t._("Attendees of {title}", title=html.escape(event.title.get(t.language))),
    )


JOURNEYS = Contribution(
    commands=(Command("attendees", attendees, N_("Who is coming to an event (organizers)"), organisers_only=True),),
)
