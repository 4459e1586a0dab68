"""Who is coming, for organisers: the choice of event, the summary and the spreadsheet (.xlsx)."""

from __future__ import annotations

import html
import io

from babel import Locale
from babel.dates import get_timezone_location
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.domain.zones import zone
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import Translator
from bot.render.timefmt import BABEL_LOCALE, city_name, local_day, short_weekday
from storage.checkins import PresentEntry
from storage.records import Event, EventSeats, Participant
from storage.registrations import RosterEntry

NAMES_SHOWN = 60  # names of each list in the message; the file always has everyone
TEXT_BUDGET = 4096  # Telegram's limit for a message, which long names could otherwise pass
BUTTONS = 100  # Telegram's limit for a keyboard
TITLE_SHOWN = 40  # characters of a title on a button
# Text starting with one of these is a formula, or starts one, in some spreadsheet programs.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"  # stored as a format code: Excel shows it the same in every language
WIDEST = 60

_CITY_ZONES = {"torino": "Europe/Rome", "baltimore": "America/New_York"}

Rows = list[list[Button]]


def handle(participant: Participant) -> str:
    """``@username``, or nothing for a person who has none."""
    return f"@{participant.username}" if participant.username else ""


def _person(participant: Participant) -> str:
    name = html.escape(participant.display_name or str(participant.telegram_id))
    return f"{name} ({handle(participant)})" if participant.username else name


def roster_choice(t: Translator, events: list[EventSeats]) -> tuple[str, Rows]:
    """The events as buttons, each with its seats taken; an overbooked one is flagged."""
    if not events:
        return t._("There are no events on the agenda yet."), []
    rows: Rows = []
    for seats in events:
        event = seats.event
        title = event.title.get(t.language)
        title = title if len(title) <= TITLE_SHOWN else title[:TITLE_SHOWN - 1] + "…"
        day = f"{short_weekday(event.starts_at, event.timezone, t.language)} " \
              f"{local_day(event.starts_at, event.timezone).day}"
        taken = f"{seats.confirmed}/{event.capacity if event.capacity is not None else '∞'}"
        flag = "⚠️ " if seats.over_capacity else ""
        rows.append([Button(f"{flag}{day} · {title} · {taken}", callback_data.build("roster", event.slug))])
    text = t._("👥 Choose an event to see who is coming.")
    if len(rows) > BUTTONS:
        rows = rows[:BUTTONS]
        text += "\n" + t.n_("Only the first {n} event has a button; for the others, write /attendees followed by "
                            "the event's code.",
                            "Only the first {n} events have a button; for the others, write /attendees followed by "
                            "the event's code.", BUTTONS)
    if any(seats.over_capacity for seats in events):
        text += "\n" + t._("⚠️ marks an event with more people confirmed than seats.")
    return text, rows


def roster_view(t: Translator, seats: EventSeats, roster: list[RosterEntry], present: list[PresentEntry] = (),
                *, doors_open: bool = False) -> tuple[str, Rows]:
    """Counts and names of one event, who has checked in (✅) and the walk-ins apart; the file has everyone,
    this shows the first ones. ``doors_open``: organisers can check people in by hand now."""
    event = seats.event
    confirmed = [e for e in roster if e.registration.status == "confirmed"]
    waiting = [e for e in roster if e.registration.status == "waitlisted"]
    here = {entry.participant.telegram_id for entry in present}
    walk_ins = [entry for entry in present if entry.checkin.walk_in]
    lines = [f"👥 <b>{html.escape(event.title.get(t.language))}</b>"]
    if event.capacity is None:
        lines.append(t.n_("{n} confirmed (no seat limit)", "{n} confirmed (no seat limit)", len(confirmed)))
    else:
        lines.append(t.n_("Confirmed: {confirmed} of {n} seat · waiting list: {waiting}",
                          "Confirmed: {confirmed} of {n} seats · waiting list: {waiting}",
                          event.capacity, confirmed=len(confirmed), waiting=len(waiting)))
    if present:
        lines.append(t.n_("✅ Checked in: {n} confirmed person · walk-ins: {walk_ins}",
                          "✅ Checked in: {n} confirmed people · walk-ins: {walk_ins}",
                          len(present) - len(walk_ins), walk_ins=len(walk_ins)))
    if seats.over_capacity:
        lines += ["", t.n_(
            "⚠️ Overbooked: {n} more person is confirmed than there are seats (the capacity was lowered after "
            "they signed up). Nobody was removed: talk with the last people confirmed, or raise the capacity.",
            "⚠️ Overbooked: {n} more people are confirmed than there are seats (the capacity was lowered after "
            "they signed up). Nobody was removed: talk with the last people confirmed, or raise the capacity.",
            seats.over_capacity)]
    everyone = t._("The file below has everyone.")
    budget = TEXT_BUDGET - len("\n".join(lines)) - len(everyone) - 100
    shown = 0
    # Who has checked in is marked ✅ on the roster; the walk-ins all have.
    sections = ((t._("<b>Confirmed</b>"), [e.participant for e in confirmed], range(1, len(confirmed) + 1), here),
                (t._("<b>Waiting list</b>"), [e.participant for e in waiting], [e.waitlist_position for e in waiting],
                 here),
                (t._("<b>Walk-ins</b> (not confirmed)"), [e.participant for e in walk_ins],
                 range(1, len(walk_ins) + 1), set()))
    for heading, people, numbers, marked in sections:
        if not people or budget <= len(heading):
            continue
        budget -= len(heading) + 1
        lines += ["", heading]
        for number, person in list(zip(numbers, people, strict=True))[:NAMES_SHOWN]:
            mark = "✅ " if person.telegram_id in marked else ""
            line = f"{number}. {mark}{_person(person)}"
            budget -= len(line) + 1
            if budget < 0:
                break
            lines.append(line)
            shown += 1
    if shown < len(roster) + len(walk_ins):
        lines += ["", everyone]
    rows: Rows = []
    if not event.cancelled:
        rows.append([Button(t._("🔳 Check-in QR code"), callback_data.build("checkin-qr", event.slug))])
        if doors_open:
            rows[-1].append(Button(t._("✅ Check people in"), callback_data.build("checkin-list", event.slug, 0)))
    rows.append([Button(t._("◀️ All events"), callback_data.build("rosters"))])
    return "\n".join(lines), rows


def roster_filename(event: Event) -> str:
    return f"{event.slug}-attendees.xlsx"


def _city(t: Translator, participant: Participant) -> str:
    if participant.city in _CITY_ZONES:
        return city_name(_CITY_ZONES[participant.city], t.language)
    if participant.timezone:
        return get_timezone_location(zone(participant.timezone), locale=BABEL_LOCALE[t.language], return_city=True)
    return ""


def _language(t: Translator, code: str | None) -> str:
    return Locale.parse(BABEL_LOCALE[t.language]).languages.get(code, code) if code else ""


def roster_xlsx(t: Translator, event: Event, roster: list[RosterEntry], present: list[PresentEntry] = ()) -> bytes:
    """The roster as a spreadsheet that Excel opens the same in any language: real dates, and every text
    stored as text (a name such as ``=HYPERLINK(...)`` is shown, never run). Who checked in has the time
    they did; walk-ins who were not on the roster at all (never signed up, or cancelled) come last."""
    local = zone(event.timezone)
    city = city_name(event.timezone, t.language)
    header = [t._("Status"), t._("Waiting list position"), t._("Name"), t._("Telegram username"),
              t._("Language"), t._("City"), t._("Signed up at ({city} time)", city=city),
              t._("Checked in at ({city} time)", city=city), t._("Walk-in")]
    signed_up_column, checked_in_column = 7, 8
    checkins = {entry.participant.telegram_id: entry.checkin for entry in present}
    listed = {entry.participant.telegram_id for entry in roster}
    lines = [(entry.registration.status == "confirmed", entry.waitlist_position, entry.participant,
              entry.registration.updated_at) for entry in roster]
    lines += [(None, None, entry.participant, None) for entry in present
              if entry.participant.telegram_id not in listed]
    book = Workbook()
    sheet = book.active
    sheet.title = t._("Attendees")
    widths = [len(label) for label in header]
    for column, label in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        text_cell(cell, label)
        cell.font = Font(bold=True)
    for row, (confirmed, position, person, signed_up_at) in enumerate(lines, start=2):
        checkin = checkins.get(person.telegram_id)
        status = {True: t._("confirmed"), False: t._("waiting list"), None: t._("walk-in")}[confirmed]
        values = [
            status,
            position,
            person.display_name or "",
            handle(person),
            _language(t, person.language),
            _city(t, person),
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, int):
                cell.value = value
            elif value:
                text_cell(cell, value)
            widths[column - 1] = max(widths[column - 1], len(str(value or "")))
        checked_in_at = checkin.checked_in_at if checkin else None
        for column, moment in ((signed_up_column, signed_up_at), (checked_in_column, checked_in_at)):
            if moment is not None:
                cell = sheet.cell(row=row, column=column)
                cell.value = moment.astimezone(local).replace(tzinfo=None, microsecond=0)
                cell.number_format = DATE_TIME_FORMAT
                widths[column - 1] = max(widths[column - 1], len(DATE_TIME_FORMAT))
        if checkin is not None and checkin.walk_in:
            text_cell(sheet.cell(row=row, column=checked_in_column + 1), t._("yes"))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, WIDEST)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_cell(cell: Cell, value: str) -> None:
    """Store text as text: openpyxl would make a formula of anything starting with "=", and the quote
    prefix keeps Excel from turning any formula-like text into one when the cell is edited."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_LEADS):
        cell.quotePrefix = True
