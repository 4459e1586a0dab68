"""How the agenda and an event read: text within Telegram's limits, and their buttons."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TypeVar
from urllib.parse import quote_plus

from bot.domain.signups import Standing, seat_free, signup_closes_at, signup_open
from bot.domain.text_length import escaped_units, shorten, units
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.days import group_by_day
from bot.render.i18n import Translator, translator
from bot.render.kinds import KIND_LABELS
from bot.render.timefmt import button_moment, buttons_note, day_at, day_label, event_day, event_times
from storage.records import Event, EventSeats, Speaker

T = TypeVar("T")

# Sizes are counted as Telegram counts them (UTF-16 code units: most emoji are two), on the markup: it is
# never shorter than the text a person sees, so the count errs on the safe side (and handlers.common.reply,
# which refuses markup over 4,096 characters, is satisfied as well).
PAGE_BUDGET = 3500  # per agenda page, leaving room under Telegram's 4,096
PAGE_EVENTS = 8  # buttons per page: enough to scan, few enough to tap
DETAIL_LIMIT = 4000
# The agenda file keeps texts within these (bot.domain.agenda_file); the views hold to them as well, so that
# an event stored before the limits existed can still be read.
TITLE_SHOWN = 120
VENUE_SHOWN = 120
ADDRESS_SHOWN = 160
NAME_SHOWN = 90
AFFILIATION_SHOWN = 130
DETAIL_SPEAKERS = 6  # speakers named in the detail; the rest are one button away
DETAIL_SPEAKERS_BUDGET = 800
SPEAKERS_PAGE = 25
SPEAKERS_BUDGET = 3300
KIND_ICONS = {"presentation": "🎤", "round_table": "💬", "site_visit": "🚌", "workshop": "🛠", "video_conference": "💻"}


def seats_line(t: Translator, seats: EventSeats, now: datetime) -> str:
    """Seats left, or how full it is; nothing once the event has begun (nobody can take a seat then)."""
    if seats.event.capacity is None or seats.event.cancelled or now >= seats.event.starts_at:
        return ""
    left = seats.seats_left
    if left:
        return t.n_("{n} seat left", "{n} seats left", left)
    if seats.waitlisted:
        return t.n_("Full · {n} on the waiting list", "Full · {n} on the waiting list", seats.waitlisted)
    return t._("Full")


def paged(items: list[T], size: Callable[[T], int], budget: int, most: int) -> list[list[T]]:
    """Items in pages of at most ``most``, each page's sizes adding up to at most ``budget`` (an item larger
    than the budget has a page of its own). Never empty: no items make one empty page."""
    pages: list[list[T]] = [[]]
    used = 0
    for item in items:
        cost = size(item)
        if pages[-1] and (used + cost > budget or len(pages[-1]) >= most):
            pages.append([])
            used = 0
        pages[-1].append(item)
        used += cost
    return pages


def agenda_pages(t: Translator, events: list[EventSeats], reader_tz: str | None, now: datetime,
                 ) -> list[list[EventSeats]]:
    """Split the agenda into pages that each fit one message (80 more per event: its day's heading)."""
    return paged(events, lambda item: units(_agenda_entry(t, item, reader_tz, now)) + 80, PAGE_BUDGET,
                 PAGE_EVENTS)


def _agenda_entry(t: Translator, item: EventSeats, reader_tz: str | None, now: datetime) -> str:
    event = item.event
    lang = t.language
    kind = t._(KIND_LABELS[event.kind])
    head = f"{KIND_ICONS[event.kind]} <i>{html.escape(kind)}</i>"
    title = html.escape(shorten(event.title.get(lang), TITLE_SHOWN))
    if event.cancelled:
        title = t._("<s>{title}</s> (canceled)", title=title)
    lines = [f"{head}\n<b>{title}</b>",
             f"🕘 {event_times(t, event.starts_at, event.ends_at, event.timezone, reader_tz)}",
             f"📍 {html.escape(shorten(event.venue.get(lang), VENUE_SHOWN))}"]
    seats = seats_line(t, item, now)
    if seats:
        lines[-1] += f" · 🪑 {seats}"
    return "\n".join(lines)


def agenda_view(t: Translator, events: list[EventSeats], page: int, reader_tz: str | None, now: datetime,
                *, ended: bool = False) -> tuple[str, list[list[Button]]]:
    """A page of the programme. ``ended``: every event is over, and these are the ones that took place,
    still there to read (their details offer no sign-up)."""
    if not events:
        return t._("The agenda is empty for now: the organizers haven't published any events yet."), []
    pages = agenda_pages(t, events, reader_tz, now)
    page = min(max(page, 0), len(pages) - 1)
    parts = [t._("📅 <b>Agenda of the Turin–Baltimore exchange</b>") if len(pages) == 1 else t.n_(
        "📅 <b>Agenda of the Turin–Baltimore exchange</b> (page {page} of {n})",
        "📅 <b>Agenda of the Turin–Baltimore exchange</b> (page {page} of {n})", len(pages), page=page + 1)]
    if ended:
        parts.append(t._("Everything on the agenda is over. Here's what took place: tap an event to read about it."))
    for day, items in group_by_day(pages[page], lambda e: e.timezone):
        parts.append(f"\n<b>{html.escape(capitalised(day_label(day, t.language)))}</b>")
        parts.append("\n\n".join(_agenda_entry(t, item, reader_tz, now) for item in items))
    if not ended:
        parts.append("\n" + t._("Tap an event for its details and to sign up."))
    note = buttons_note(t, [(item.event.starts_at, item.event.timezone) for item in pages[page]], reader_tz)
    if note:
        parts.append(note)
    rows = [[Button(_button_label(t, item.event, reader_tz), callback_data.build("event", item.event.slug, page))]
            for item in pages[page]]
    nav = []
    if page > 0:
        nav.append(Button(t._("◀️ Previous"), callback_data.build("agenda", page - 1)))
    if page < len(pages) - 1:
        nav.append(Button(t._("Next ▶️"), callback_data.build("agenda", page + 1)))
    rows.append(nav)
    return "\n".join(parts), rows


def capitalised(text: str) -> str:
    """A heading's first letter in capitals; str.capitalize would lower the month in "Monday, January 18"."""
    return text[:1].upper() + text[1:]


def _button_label(t: Translator, event: Event, reader_tz: str | None) -> str:
    when = button_moment(t, event.starts_at, event.timezone, reader_tz)
    return f"{KIND_ICONS[event.kind]} {when} · {shorten(event.title.get(t.language), 40)}"


def map_link(event: Event) -> str | None:
    if event.map_url:
        return event.map_url
    if event.address:
        return f"https://www.openstreetmap.org/search?query={quote_plus(event.address)}"
    return None


def standing_line(t: Translator, seats: EventSeats, standing: Standing, reader_tz: str | None,
                  now: datetime) -> str:
    """Where the reader stands, or what they can still do. A cancelled event says so at the top already,
    and nobody is "signed up" for it any more."""
    event = seats.event
    if event.cancelled:
        return ""
    if now >= event.ends_at:
        return t._("🏁 This event has ended.")
    if standing.status == "confirmed":
        return t._("✅ <b>You're signed up.</b>")
    if standing.status == "waitlisted" and now >= event.starts_at:
        return t._("This event has already started: the waiting list is closed.")
    if standing.status == "waitlisted":
        return t._("⏳ <b>You're number {position} on the waiting list.</b> If a seat opens up, I'll let you "
                   "know right away.", position=standing.position)
    if now >= event.starts_at:
        return t._("This event has already started: sign-up is closed.")
    if not signup_open(event, now):
        return t._("Sign-up closed on {when}.", when=day_at(t, event.signup_closes_at, event.timezone, reader_tz))
    if event.signup_closes_at:
        return t._("Sign-up is open until {when}.",
                   when=day_at(t, signup_closes_at(event), event.timezone, reader_tz))
    return ""


def online_link_line(t: Translator, event: Event, status: str | None) -> str:
    """The link of an online event, for a confirmed participant only: never on the public agenda."""
    if not event.online_url or event.cancelled or status != "confirmed":
        return ""
    return t._("💻 Join online: {link}", link=html.escape(event.online_url))


def event_view(t: Translator, seats: EventSeats, standing: Standing, reader_tz: str | None, now: datetime,
               back_page: int) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    event = seats.event
    fixed = _fixed_parts(t.language, event, reader_tz)
    lines = [fixed.top]
    seats_text = seats_line(t, seats, now)
    if seats_text:
        lines.append(f"🪑 {seats_text}")
    if fixed.speakers:
        lines.append(fixed.speakers)
    head = "\n".join(lines)
    status = standing_line(t, seats, standing, reader_tz, now)
    tail = ["", status] if status else []
    link = online_link_line(t, event, standing.status)
    if link:
        tail.append(link)
    shown = status + (f"\n{link}" if link else "")
    description = fixed.description
    # Each character is at most two units: the exact count is needed only when that bound does not fit.
    if fixed.description_units + 2 * (len(seats_text) + len(shown)) > fixed.room and \
            fixed.description_units + units(seats_text) + units(shown) > fixed.room:
        # Cut the plain text, then escape it: a cut through "&amp;" would be markup Telegram refuses.
        room = DETAIL_LIMIT - units(head) - units("\n".join(tail)) - 4
        description = html.escape(shorten(event.description.get(t.language), max(room, 1), escaped=True))
    text = "\n".join([head, "", description, *tail])
    return text, _event_buttons(t, seats, standing, now, back_page, fixed.more_speakers)


@dataclass(frozen=True)
class _Fixed:
    top: str
    speakers: str
    description: str  # escaped
    description_units: int
    room: int  # for the description, the seats line and the reader's standing together
    more_speakers: int  # how many speakers there are when the detail cannot name them all, else 0


@lru_cache(maxsize=512)
def _fixed_parts(language: str, event: Event, reader_tz: str | None) -> _Fixed:
    """What a detail shows that depends only on the event, the language and the reader's zone: the lines
    above the seats, the speakers and the description. Built once: under a rush everybody reads the same
    event, and only the seats and each person's own standing change. Keyed on values (the event record,
    the language code, the zone name); this module owns the cache, bounded by its size, and an edited event
    is a different key."""
    t = translator(language)
    lang = language
    kind = t._(KIND_LABELS[event.kind])
    title = html.escape(shorten(event.title.get(lang), TITLE_SHOWN))
    lines = [f"{KIND_ICONS[event.kind]} <i>{html.escape(kind)}</i>", f"<b>{title}</b>", ""]
    if event.cancelled:
        lines.insert(0, t._("❌ <b>This event has been canceled.</b>"))
    lines.append(f"📅 {html.escape(capitalised(event_day(t, event.starts_at, event.timezone)))}")
    lines.append(f"🕘 {event_times(t, event.starts_at, event.ends_at, event.timezone, reader_tz)}")
    place = html.escape(shorten(event.venue.get(lang), VENUE_SHOWN))
    if event.address:
        place += f", {html.escape(shorten(event.address, ADDRESS_SHOWN))}"
    lines.append(f"📍 {place}")
    link = map_link(event)
    if link:
        label = t._("Open the map")
        lines.append(f'🗺 <a href="{html.escape(link, quote=True)}">{label}</a>')
    speakers = []
    named = _speaker_lines(language, event.speakers)
    shown = paged(named, units, DETAIL_SPEAKERS_BUDGET, DETAIL_SPEAKERS)[0]
    if named:
        speakers = ["", t._("<b>Speakers</b>"), *shown]
    if len(shown) < len(named):
        speakers.append(t.n_("…and {n} more: the button below lists them all.",
                             "…and {n} more: the button below lists them all.", len(named) - len(shown)))
    top, speakers_text = "\n".join(lines), "\n".join(speakers)
    description = event.description.get(lang)
    room = DETAIL_LIMIT - units(top) - units(speakers_text) - 16  # 16: line breaks and the seats line's icon
    return _Fixed(top, speakers_text, html.escape(description), escaped_units(description), room,
                  len(named) if len(shown) < len(named) else 0)


def _speaker_lines(language: str, speakers: tuple[Speaker, ...]) -> list[str]:
    lines = []
    for speaker in speakers:
        affiliation = shorten(speaker.affiliation.get(language), AFFILIATION_SHOWN)
        name = html.escape(shorten(speaker.name, NAME_SHOWN))
        lines.append(f"• {name}" + (f", {html.escape(affiliation)}" if affiliation else ""))
    return lines


@lru_cache(maxsize=128)
def speaker_pages(language: str, event: Event) -> tuple[str, ...]:
    """Every speaker of an event, in pages that each fit a message: the list the detail's button opens.
    Built once per event and language (an edited event is a different key; bounded by its size)."""
    t = translator(language)
    title = html.escape(shorten(event.title.get(language), TITLE_SHOWN))
    pages = paged(_speaker_lines(language, event.speakers), units, SPEAKERS_BUDGET, SPEAKERS_PAGE)
    texts = []
    for number, lines in enumerate(pages, start=1):
        heading = t._("👥 <b>Speakers of {title}</b>", title=title) if len(pages) == 1 else t.n_(
            "👥 <b>Speakers of {title}</b> (page {page} of {n})", "👥 <b>Speakers of {title}</b> (page {page} of {n})",
            len(pages), page=number, title=title)
        texts.append("\n".join([heading, "", *lines]))
    return tuple(texts)


def speakers_view(t: Translator, event: Event, page: int, back_page: int) -> tuple[str, list[list[Button]]]:
    """A page of an event's speakers, with the way to the other pages and back to the event."""
    pages = speaker_pages(t.language, event)
    page = min(max(page, 0), len(pages) - 1)
    nav = []
    if page > 0:
        nav.append(Button(t._("◀️ Previous"), callback_data.build("speakers", event.slug, page - 1, back_page)))
    if page < len(pages) - 1:
        nav.append(Button(t._("Next ▶️"), callback_data.build("speakers", event.slug, page + 1, back_page)))
    rows = [nav] if nav else []
    rows.append([Button(t._("◀️ Back to the event"), callback_data.build("event", event.slug, back_page))])
    return pages[page], rows


def _event_buttons(t: Translator, seats: EventSeats, standing: Standing, now: datetime, back_page: int,
                   more_speakers: int) -> tuple[tuple[Button, ...], ...]:
    event = seats.event
    if event.cancelled:
        offer = None
    elif standing.status in ("confirmed", "waitlisted") and now < event.starts_at:
        offer = standing.status
    elif standing.status is None and signup_open(event, now):
        offer = "seat" if seat_free(seats) else "waiting list"
    else:
        offer = None
    return _buttons(t.language, event.slug, offer, back_page, more_speakers)


@lru_cache(maxsize=1024)
def _buttons(language: str, slug: str, offer: str | None, back_page: int, more_speakers: int = 0,
             ) -> tuple[tuple[Button, ...], ...]:
    """The detail's keyboard: what the reader can do next, then the way back. The same for everybody in
    the same place, so each is built once (keyed on the language code; bounded, owned by this module)."""
    t = translator(language)
    rows: list[tuple[Button, ...]] = []
    if offer == "confirmed":
        rows.append((Button(t._("📅 Add to calendar"), callback_data.build("ics", slug)),
                     Button(t._("Cancel my seat"), callback_data.build("cancel", slug))))
    elif offer == "waitlisted":
        rows.append((Button(t._("Leave the waiting list"), callback_data.build("cancel", slug)),))
    elif offer is not None:
        label = t._("✅ Sign up") if offer == "seat" else t._("⏳ Join the waiting list")
        rows.append((Button(label, callback_data.build("signup", slug)),))
    if more_speakers:
        rows.append((Button(t.n_("👥 All {n} speakers", "👥 All {n} speakers", more_speakers),
                            callback_data.build("speakers", slug, 0, back_page)),))
    rows.append((Button(t._("◀️ Back to the agenda"), callback_data.build("agenda", back_page)),))
    return tuple(rows)


def cancel_question(t: Translator, seats: EventSeats) -> str:
    """Asked before a seat is given up, saying what really happens: it passes to someone only when someone
    is waiting for it."""
    title = html.escape(shorten(seats.event.title.get(t.language), TITLE_SHOWN))
    if seats.waitlisted:
        return t._("Cancel your seat at <b>{title}</b>? It goes right away to the first person on the waiting "
                   "list, and you can't get it back.", title=title)
    if seats.event.capacity is None:
        return t._("Cancel your sign-up for <b>{title}</b>? You can sign up again while sign-up is open.",
                   title=title)
    return t._("Cancel your seat at <b>{title}</b>? It becomes free for anyone who signs up, so it may be "
               "gone if you change your mind.", title=title)
