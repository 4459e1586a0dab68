"""Check-in at the venue, in words and pictures: the QR code for the door, what a person reads when they
scan it, and the organisers' list for checking people in by hand."""

from __future__ import annotations

import html
import io

import segno

from bot.domain.checkins import CheckinResult, Outcome, opens_at
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import Translator
from bot.render.timefmt import day_at
from storage.checkins import PresentEntry
from storage.records import Event
from storage.registrations import RosterEntry

# A QR code of a t.me link is about 37 modules a side with its quiet zone of 4: 20 pixels a module make an
# image of some 900 pixels, sharp on an A4 poster and on a screen alike.
QR_SCALE = 20
QR_BORDER = 4
PAGE = 20  # names on one page of the list for checking people in by hand

Rows = list[list[Button]]


def qr_png(link: str) -> bytes:
    """The link as a QR code, a black-on-white PNG. Error correction level M (15% of the code can be
    damaged or covered) is what a printed poster needs; segno keeps a higher level when it costs no size."""
    out = io.BytesIO()
    segno.make_qr(link, error="m").save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()


def qr_filename(event: Event) -> str:
    return f"{event.slug}-checkin.png"


def qr_caption(t: Translator, event: Event, link: str) -> str:
    return t._("🔳 Check-in code for <b>{title}</b>\nPrint it or show it at the door: people scan it with their "
               "phone's camera and are marked present, from an hour before the start to the end.\n{link}",
               title=html.escape(event.title.get(t.language)), link=link)


def qr_cli_line(t: Translator, event: Event, link: str, path: str) -> str:
    return t._("The check-in code of {slug} ({link}) is in {path}.", slug=event.slug, link=link, path=path)


def scan_text(t: Translator, result: CheckinResult, reader_tz: str | None) -> str:
    """What a person reads after scanning an event's code (or after consenting, when they scanned it as a
    newcomer)."""
    event = result.event
    if result.outcome is Outcome.UNKNOWN or event is None:
        return unknown_code(t)
    title = html.escape(event.title.get(t.language))
    if result.outcome is Outcome.CHECKED_IN:
        return t._("✅ Welcome to <b>{title}</b>! You're checked in. Enjoy!", title=title)
    if result.outcome is Outcome.WALK_IN:
        return t._("✅ Welcome to <b>{title}</b>! You weren't on the list of confirmed people, so I've noted you "
                   "as a walk-in: the organizers will know you're here. Enjoy!", title=title)
    if result.outcome is Outcome.ALREADY:
        return t._("You're already checked in for <b>{title}</b>: there's nothing else to do. Enjoy!", title=title)
    if result.outcome is Outcome.NOT_YET:
        return t._("Check-in for <b>{title}</b> opens an hour before it starts, on {when}. Scan the code again "
                   "then.", title=title, when=day_at(t, opens_at(event), event.timezone, reader_tz))
    if result.outcome is Outcome.OVER:
        return t._("<b>{title}</b> is over, so check-in is closed. Thanks for coming by!", title=title)
    return t._("<b>{title}</b> has been canceled, so there's no check-in. /agenda has the other events.",
               title=title)


def unknown_code(t: Translator) -> str:
    return t._("This check-in link doesn't work: it may be incomplete, or not from a Ponte poster. Scan the code "
               "at the door again, or ask the organizers.")


def hand_answer(t: Translator, result: CheckinResult, name: str, reader_tz: str | None) -> str:
    """The short answer on the button an organiser pressed to check someone in (at most 200 characters:
    the name is cut to fit)."""
    name = name[:60]
    event = result.event
    if result.outcome is Outcome.CHECKED_IN:
        return t._("✅ {name} is checked in.", name=name)
    if result.outcome is Outcome.WALK_IN:
        return t._("✅ {name} is checked in as a walk-in (not confirmed).", name=name)
    if result.outcome is Outcome.ALREADY:
        return t._("{name} was already checked in.", name=name)
    if result.outcome is Outcome.NOT_YET and event is not None:
        return t._("Check-in opens on {when}.", when=day_at(t, opens_at(event), event.timezone, reader_tz))
    if result.outcome is Outcome.CANCELLED:
        return t._("This event has been canceled: there's no check-in.")
    return t._("That person is no longer in Ponte, or the button is out of date.")


def hand_list(t: Translator, event: Event, roster: list[RosterEntry], present: list[PresentEntry],
              page: int) -> tuple[str, Rows]:
    """The people confirmed or waiting who are not checked in yet, a page of buttons at a time."""
    here = {entry.participant.telegram_id for entry in present}
    missing = [entry for entry in roster if entry.participant.telegram_id not in here]
    title = html.escape(event.title.get(t.language))
    pages = max((len(missing) + PAGE - 1) // PAGE, 1)
    page = min(max(page, 0), pages - 1)
    back = [Button(t._("◀️ Attendees"), callback_data.build("roster", event.slug))]
    if not missing:
        return t._("✅ <b>{title}</b>\nEveryone confirmed or waiting is checked in.", title=title), [back]
    text = t.n_("✅ <b>{title}</b>\nTap a name to check that person in. {n} person isn't checked in yet; ⏳ marks "
                "the waiting list, who are checked in as walk-ins.",
                "✅ <b>{title}</b>\nTap a name to check that person in. {n} people aren't checked in yet; ⏳ marks "
                "the waiting list, who are checked in as walk-ins.", len(missing), title=title)
    rows: Rows = []
    for entry in missing[page * PAGE:(page + 1) * PAGE]:
        person = entry.participant
        label = person.display_name or str(person.telegram_id)
        mark = "⏳ " if entry.registration.status == "waitlisted" else ""
        rows.append([Button(f"{mark}{label}"[:60],
                            callback_data.build("checkin-hand", event.id, person.telegram_id, page))])
    turns = []
    if page > 0:
        turns.append(Button(t._("◀️ Previous"), callback_data.build("checkin-list", event.slug, page - 1)))
    if page < pages - 1:
        turns.append(Button(t._("Next ▶️"), callback_data.build("checkin-list", event.slug, page + 1)))
    if turns:
        rows.append(turns)
    rows.append(back)
    return text, rows
