"""How the agenda and an event read: text within Telegram's limits, and their buttons."""

from __future__ import annotations

import html
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote_plus

from bot.domain.signups import Standing, seat_free, signup_closes_at, signup_open
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.days import group_by_day
from bot.render.i18n import Translator, translator
from bot.render.kinds import KIND_LABELS
from bot.render.timefmt import button_moment, buttons_note, day_at, day_label, event_day, event_times
from storage.records import Event, EventSeats

PAGE_BUDGET = 3500  # characters per agenda page, leaving room under Telegram's 4,096
PAGE_EVENTS = 8  # buttons per page: enough to scan, few enough to tap
DETAIL_LIMIT = 4000
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


def agenda_pages(t: Translator, events: list[EventSeats], reader_tz: str | None, now: datetime,
                 ) -> list[list[EventSeats]]:
    """Split the agenda into pages that each fit one message."""
    pages: list[list[EventSeats]] = [[]]
    used = 0
    for item in events:
        size = len(_agenda_entry(t, item, reader_tz, now)) + 80
        if pages[-1] and (used + size > PAGE_BUDGET or len(pages[-1]) >= PAGE_EVENTS):
            pages.append([])
            used = 0
        pages[-1].append(item)
        used += size
    return pages


def _agenda_entry(t: Translator, item: EventSeats, reader_tz: str | None, now: datetime) -> str:
    event = item.event
    lang = t.language
    kind = t._(KIND_LABELS[event.kind])
    head = f"{KIND_ICONS[event.kind]} <i>{html.escape(kind)}</i>"
    title = html.escape(event.title.get(lang))
    if event.cancelled:
        title = t._("<s>{title}</s> (canceled)", title=title)
    lines = [f"{head}\n<b>{title}</b>",
             f"🕘 {event_times(t, event.starts_at, event.ends_at, event.timezone, reader_tz)}",
             f"📍 {html.escape(event.venue.get(lang))}"]
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
    parts = [t._("📅 <b>Agenda of the Turin–Baltimore exchange</b>")]
    if len(pages) > 1:
        parts[0] += " " + t.n_("(page {page} of {n})", "(page {page} of {n})", len(pages), page=page + 1)
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
    title = event.title.get(t.language)
    if len(title) > 40:
        title = title[:39].rstrip() + "…"
    return f"{KIND_ICONS[event.kind]} {when} · {title}"


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
    top, speakers, description = _fixed_parts(t.language, event, reader_tz)
    lines = [top]
    seats_text = seats_line(t, seats, now)
    if seats_text:
        lines.append(f"🪑 {seats_text}")
    if speakers:
        lines.append(speakers)
    head = "\n".join(lines)
    status = standing_line(t, seats, standing, reader_tz, now)
    tail = ["", status] if status else []
    link = online_link_line(t, event, standing.status)
    if link:
        tail.append(link)
    room = DETAIL_LIMIT - len(head) - len("\n".join(tail)) - 4
    if len(description) > room:
        description = description[: max(room - 1, 0)].rstrip() + "…"
    text = "\n".join([head, "", description, *tail])
    return text, _event_buttons(t, seats, standing, now, back_page)


@lru_cache(maxsize=512)
def _fixed_parts(language: str, event: Event, reader_tz: str | None) -> tuple[str, str, str]:
    """What a detail shows that depends only on the event, the language and the reader's zone: the lines
    above the seats, the speakers and the description. Built once: under a rush everybody reads the same
    event, and only the seats and each person's own standing change. Keyed on values (the event record,
    the language code, the zone name); this module owns the cache, bounded by its size, and an edited event
    is a different key."""
    t = translator(language)
    lang = language
    kind = t._(KIND_LABELS[event.kind])
    lines = [f"{KIND_ICONS[event.kind]} <i>{html.escape(kind)}</i>", f"<b>{html.escape(event.title.get(lang))}</b>", ""]
    if event.cancelled:
        lines.insert(0, t._("❌ <b>This event has been canceled.</b>"))
    lines.append(f"📅 {html.escape(capitalised(event_day(t, event.starts_at, event.timezone)))}")
    lines.append(f"🕘 {event_times(t, event.starts_at, event.ends_at, event.timezone, reader_tz)}")
    place = html.escape(event.venue.get(lang))
    if event.address:
        place += f", {html.escape(event.address)}"
    lines.append(f"📍 {place}")
    link = map_link(event)
    if link:
        label = t._("Open the map")
        lines.append(f'🗺 <a href="{html.escape(link, quote=True)}">{label}</a>')
    speakers = []
    if event.speakers:
        speakers = ["", t._("<b>Speakers</b>")]
        for speaker in event.speakers:
            affiliation = speaker.affiliation.get(lang)
            speakers.append(f"• {html.escape(speaker.name)}" + (f", {html.escape(affiliation)}" if affiliation else ""))
    return "\n".join(lines), "\n".join(speakers), html.escape(event.description.get(lang))


def _event_buttons(t: Translator, seats: EventSeats, standing: Standing, now: datetime, back_page: int,
                   ) -> tuple[tuple[Button, ...], ...]:
    event = seats.event
    if event.cancelled:
        offer = None
    elif standing.status in ("confirmed", "waitlisted") and now < event.starts_at:
        offer = standing.status
    elif standing.status is None and signup_open(event, now):
        offer = "seat" if seat_free(seats) else "waiting list"
    else:
        offer = None
    return _buttons(t.language, event.slug, offer, back_page)


@lru_cache(maxsize=1024)
def _buttons(language: str, slug: str, offer: str | None, back_page: int) -> tuple[tuple[Button, ...], ...]:
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
    rows.append((Button(t._("◀️ Back to the agenda"), callback_data.build("agenda", back_page)),))
    return tuple(rows)


def cancel_question(t: Translator, seats: EventSeats) -> str:
    """Asked before a seat is given up, saying what really happens: it passes to someone only when someone
    is waiting for it."""
    title = html.escape(seats.event.title.get(t.language))
    if seats.waitlisted:
        return t._("Cancel your seat at <b>{title}</b>? It goes right away to the first person on the waiting "
                   "list, and you can't get it back.", title=title)
    if seats.event.capacity is None:
        return t._("Cancel your sign-up for <b>{title}</b>? You can sign up again while sign-up is open.",
                   title=title)
    return t._("Cancel your seat at <b>{title}</b>? It becomes free for anyone who signs up, so it may be "
               "gone if you change your mind.", title=title)
