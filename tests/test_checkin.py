"""Check-in at the venue: the QR code organisers print, scanning it inside and outside its window, walk-ins,
newcomers, bad links, checking in by hand, and deleting one's data."""

from __future__ import annotations

import io
import re
import sqlite3
import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import openpyxl

from bot.config.clock import FixedClock
from bot.domain.agenda_file import parse_agenda
from bot.render.checkins import qr_png
from storage.records import EventStatus
from tests.conftest import ORGANISER
from tests.harness import EXAMPLE, Harness

WORKSHOP = "collaborative-services"  # 20 January 2027, 11:00-13:00 in Turin (10:00-12:00 UTC)
STRATEGIES = "strategies"  # 18 January 2027, 10:00-12:00 in Turin
WORKSHOP_START = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)
WORKSHOP_END = datetime(2027, 1, 20, 12, 0, tzinfo=UTC)
DURING = WORKSHOP_START + timedelta(minutes=20)
GIULIA, MIKE, ANNA, LUCA, NINA = 701, 702, 703, 704, 705
TITLE_EN = "Workshop: urban regeneration and welfare communities, collaborative services"
TITLE_IT = "Workshop: rigenerazione urbana e welfare di comunità, i servizi collaborativi"
LINK = re.compile(r"https://t\.me/ponte_test_bot\?start=c_([A-Za-z0-9]{22})")


def _example(**changes: dict) -> list:
    return [replace(e, **changes.get(e.slug, {})) for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]


async def _sign_up(bot: Harness, person: int, name: str, language: str = "it", slug: str = WORKSHOP) -> None:
    await bot.onboard(person, name, language, "Torino" if language == "it" else "Baltimore")
    await bot.send(person, f"/start e_{slug}")
    await bot.press_data(person, f"signup:{slug}")


async def _qr(bot: Harness, slug: str = WORKSHOP, language: str = "en") -> tuple[str, str, bytes, str]:
    """The organiser asks for the event's code from its attendee view: (link, token, PNG, caption)."""
    if not _rows(bot, "SELECT 1 FROM participant WHERE telegram_id = ?", ORGANISER):
        await bot.onboard(ORGANISER, "Olga", language, "Torino" if language == "it" else "Baltimore")
    await bot.send(ORGANISER, f"/attendees {slug}")
    await bot.press(ORGANISER, "QR")
    call = bot.telegram.calls_to("sendDocument")[-1]
    name, png = call.files["document"]
    assert name == f"{slug}-checkin.png"
    caption = bot.last(ORGANISER).text
    link = LINK.search(caption)
    assert link, caption
    return link.group(0), link.group(1), png, caption


def _rows(bot: Harness, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(bot.services.db.path) as connection:
        return connection.execute(sql, args).fetchall()


def _answer(bot: Harness) -> dict:
    return bot.telegram.calls_to("answerCallbackQuery")[-1].params


def _view(bot: Harness, user_id: int = ORGANISER):
    """The newest message with buttons (the attendee view, edited in place; the spreadsheet comes after it)."""
    return next(m for m in reversed(bot.telegram.chat(user_id)) if m.keyboard)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


async def test_an_organiser_gets_the_qr_code_as_a_png_with_the_link_in_its_caption(agenda_bot: Harness) -> None:
    bot = agenda_bot
    link, token, png, caption = await _qr(bot)
    assert f"Check-in code for {TITLE_EN}" in caption and link in caption
    assert png == qr_png(link), "the image encodes the link of the caption"
    width, height = _png_size(png)
    assert width == height >= 600, "big enough to print sharp"
    # The same code however often it is asked for, also after the agenda is imported again (a poster printed
    # once keeps working), and in Italian for an Italian organiser.
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 12}}))
    await bot.services.people.set_language(ORGANISER, "it")
    again, same_token, _, caption = await _qr(bot)
    assert (again, same_token) == (link, token)
    assert f"Codice per le presenze a {TITLE_IT}" in caption
    # Each event has its own.
    _, other_token, _, _ = await _qr(bot, STRATEGIES)
    assert other_token != token
    assert _rows(bot, "SELECT COUNT(*) FROM checkin_code") == [(2,)]


async def test_a_stakeholder_gets_no_code_even_with_a_forged_button(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/agenda")
    agenda = bot.last(MIKE)
    await bot.press_data(MIKE, f"checkin-qr:{WORKSHOP}", agenda.message_id)
    assert _answer(bot)["show_alert"] and "only the organizers" in _answer(bot)["text"]
    assert bot.telegram.calls_to("sendDocument") == []
    assert _rows(bot, "SELECT COUNT(*) FROM checkin_code") == [(0,)]
    assert bot.last(MIKE).text == agenda.text


async def test_a_confirmed_person_is_checked_in_from_an_hour_before_the_start(
        agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _sign_up(bot, GIULIA, "Giulia")
    _, token, _, _ = await _qr(bot)
    clock.set(WORKSHOP_START - timedelta(hours=1))
    await bot.send(GIULIA, f"/start c_{token}")
    assert bot.last(GIULIA).text == (f"✅ Ti diamo il benvenuto! La tua presenza a {TITLE_IT} è registrata. "
                                     "Buona partecipazione!")
    assert await bot.services.checkins.present(_event_id(bot, WORKSHOP)) == {GIULIA}
    # Scanning twice changes nothing.
    clock.advance(timedelta(minutes=30))
    await bot.send(GIULIA, f"/start c_{token}")
    assert f"La tua presenza a {TITLE_IT} è già registrata" in bot.last(GIULIA).text
    assert _rows(bot, "SELECT participant_id, walk_in, by_hand, checked_in_at FROM checkin") == [
        (GIULIA, 0, 0, "2027-01-20 09:00:00")]


async def test_outside_the_window_it_says_when_it_opens_or_that_it_is_over(
        agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _sign_up(bot, GIULIA, "Giulia")
    await _sign_up(bot, MIKE, "Mike", "en")
    _, token, _, _ = await _qr(bot)
    clock.set(WORKSHOP_START - timedelta(hours=1, seconds=1))
    await bot.send(GIULIA, f"/start c_{token}")
    assert bot.last(GIULIA).text == (f"La registrazione delle presenze per {TITLE_IT} apre "
                                     "un'ora prima dell'inizio, mercoledì 20 gennaio alle 10:00. Inquadra di nuovo "
                                     "il codice a quel punto.")
    # In the reader's own zone, saying whose.
    await bot.send(MIKE, f"/start c_{token}")
    assert "opens an hour before it starts, on Wednesday, January 20 at 4:00 AM, Baltimore time." in \
        bot.last(MIKE).text
    clock.set(WORKSHOP_END)
    await bot.send(MIKE, f"/start c_{token}")
    assert bot.last(MIKE).text == f"{TITLE_EN} is over, so check-in is closed. Thanks for coming by!"
    assert _rows(bot, "SELECT COUNT(*) FROM checkin") == [(0,)]


async def test_people_not_confirmed_are_walk_ins_and_the_organiser_sees_them_apart(
        agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1}}))
    await _sign_up(bot, GIULIA, "Giulia")  # the seat
    await _sign_up(bot, ANNA, "Anna", "en")  # waiting
    await _sign_up(bot, LUCA, "Luca")  # cancels
    await bot.services.signups.cancel(LUCA, WORKSHOP)
    await bot.onboard(NINA, "Nina", "en", "Baltimore")  # never signed up
    _, token, _, _ = await _qr(bot)
    clock.set(DURING)
    for person in (GIULIA, ANNA, LUCA, NINA):
        await bot.send(person, f"/start c_{token}")
    assert "è registrata" in bot.last(GIULIA).text and "Non eri" not in bot.last(GIULIA).text
    assert bot.last(ANNA).text == (f"✅ Welcome to {TITLE_EN}! You weren't on the list of "
                                   "confirmed people, so I've noted you as a walk-in: the organizers will know "
                                   "you're here. Enjoy!")
    assert f"Non eri tra le persone confermate per {TITLE_IT}" in bot.last(LUCA).text
    assert "walk-in" in bot.last(NINA).text
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    summary = bot.telegram.chat(ORGANISER)[-2].text
    assert "✅ Checked in: 1 confirmed person · walk-ins: 3" in summary
    assert "1. ✅ Giulia" in summary
    walk_ins = summary.split("Walk-ins (not confirmed)")[1]
    assert [line.split(". ", 1)[1] for line in walk_ins.strip().splitlines()[:3]] == ["Anna", "Luca", "Nina"]
    _, content = bot.telegram.calls_to("sendDocument")[-1].files["document"]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["Checked in at (Turin time)", "Walk-in"]
    rows = {r[2].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
    assert rows["Giulia"][0] == "confirmed" and rows["Giulia"][7] == datetime(2027, 1, 20, 11, 20)
    assert rows["Giulia"][8] is None
    assert rows["Anna"][0] == "waiting list" and rows["Anna"][8] == "yes"
    assert rows["Luca"][0] == "walk-in" and rows["Nina"][0] == "walk-in" and rows["Nina"][8] == "yes"
    assert rows["Nina"][6] is None and rows["Nina"][7] == datetime(2027, 1, 20, 11, 20)
    assert await bot.services.checkins.present(_event_id(bot, WORKSHOP)) == {GIULIA, ANNA, LUCA, NINA}


def _event_id(bot: Harness, slug: str) -> int:
    return _rows(bot, "SELECT id FROM event WHERE slug = ?", slug)[0][0]


async def test_present_is_none_for_an_event_that_used_no_check_in(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _sign_up(bot, GIULIA, "Giulia")
    assert await bot.services.checkins.present(_event_id(bot, WORKSHOP)) is None
    _, token, _, _ = await _qr(bot)
    assert await bot.services.checkins.present(_event_id(bot, WORKSHOP)) is None, "a code alone is no check-in"
    clock.set(DURING)
    await bot.send(GIULIA, f"/start c_{token}")
    assert await bot.services.checkins.present(_event_id(bot, WORKSHOP)) == {GIULIA}
    assert await bot.services.checkins.present(_event_id(bot, STRATEGIES)) is None


async def test_a_cancelled_event_says_so(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _sign_up(bot, MIKE, "Mike", "en")
    _, token, _, _ = await _qr(bot)
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"status": EventStatus.CANCELLED}}))
    clock.set(DURING)
    await bot.send(MIKE, f"/start c_{token}")
    assert bot.last(MIKE).text == (f"{TITLE_EN} has been canceled, so there's no check-in. "
                                   "/agenda has the other events.")
    assert _rows(bot, "SELECT COUNT(*) FROM checkin") == [(0,)]


async def test_a_newcomer_consents_first_then_is_checked_in(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    _, token, _, _ = await _qr(bot)
    clock.set(DURING)
    bot.person(NINA, "Nina", "en")
    await bot.send(NINA, f"/start c_{token}")
    notice = bot.last(NINA)
    assert "Do you agree?" in notice.text
    assert bot.telegram.button(notice, "I agree") == f"checkin-consent:{token}"
    assert _rows(bot, "SELECT consent_at, display_name FROM participant WHERE telegram_id = ?", NINA) == [
        (None, None)]
    assert _rows(bot, "SELECT COUNT(*) FROM checkin") == [(0,)]
    await bot.press(NINA, "I agree")
    assert bot.last(NINA).text.startswith(f"✅ Welcome to {TITLE_EN}! You weren't on the list")
    assert bot.last(NINA).text.endswith("Where are you based? I'll show every time in your time zone too.")
    await bot.press(NINA, "Baltimore")
    assert "All set!" in bot.last(NINA).text
    assert _rows(bot, "SELECT participant_id, walk_in FROM checkin") == [(NINA, 1)]
    # Someone who says no is not checked in, and nothing is kept.
    bot.person(LUCA, "Luca", "it")
    await bot.send(LUCA, f"/start c_{token}")
    await bot.press(LUCA, "No, grazie")
    assert _rows(bot, "SELECT COUNT(*) FROM participant WHERE telegram_id = ?", LUCA) == [(0,)]
    assert _rows(bot, "SELECT participant_id FROM checkin") == [(NINA,)]


async def test_forged_truncated_and_other_events_links_get_a_polite_word_and_record_nothing(
        agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _sign_up(bot, GIULIA, "Giulia")
    await _sign_up(bot, MIKE, "Mike", "en")
    _, token, _, _ = await _qr(bot)
    _, earlier, _, _ = await _qr(bot, STRATEGIES)
    clock.set(DURING)
    forged = "A" * 22
    for payload in (f"c_{forged}", f"c_{token[:10]}", f"c_{token}x", "c_", f"c_{token[:-1]}!", f"c_{token.lower()}"
                    if token.lower() != token else f"c_{token.upper()}"):
        await bot.send(MIKE, f"/start {payload}")
        assert bot.last(MIKE).text == ("This check-in link doesn't work: it may be incomplete, or not from a Ponte "
                                       "poster. Scan the code at the door again, or ask the organizers."), payload
    await bot.send(GIULIA, f"/start c_{forged}")
    assert "Questo link per le presenze non funziona" in bot.last(GIULIA).text
    # The code of an earlier event, scanned at the workshop's door, is that event's: over.
    await bot.send(MIKE, f"/start c_{earlier}")
    assert "is over, so check-in is closed" in bot.last(MIKE).text
    # A forged consent button with a made-up code, pressed by someone who already consented.
    await bot.press_data(MIKE, f"checkin-consent:{forged}")
    assert "This check-in link doesn't work" in bot.last(MIKE).text
    # A newcomer with a broken link hears so, then gets the ordinary notice (its button carries nothing).
    bot.person(NINA, "Nina", "en")
    await bot.send(NINA, f"/start c_{forged}")
    assert "This check-in link doesn't work" in bot.telegram.chat(NINA)[-2].text
    assert bot.telegram.button(bot.last(NINA), "I agree") == "consent:yes"
    assert _rows(bot, "SELECT COUNT(*) FROM checkin") == [(0,)]


async def test_organisers_check_people_in_by_hand(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1}}))
    await _sign_up(bot, MIKE, "Mike", "en")
    await _sign_up(bot, ANNA, "Anna", "en")  # waiting
    await bot.onboard(ORGANISER, "Olga", "en", "Baltimore")
    event_id = _event_id(bot, WORKSHOP)
    # Before the doors open there is no button for it, and a forged one says when they open.
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    view = bot.telegram.chat(ORGANISER)[-2]
    assert [b["text"] for row in view.keyboard for b in row] == ["🔳 Check-in QR code", "◀️ All events"]
    await bot.press_data(ORGANISER, f"checkin-list:{WORKSHOP}:0", view.message_id)
    assert _answer(bot)["text"] == "Check-in opens on Wednesday, January 20 at 4:00 AM, Baltimore time."
    await bot.press_data(ORGANISER, f"checkin-hand:{event_id}:{MIKE}:0", view.message_id)
    assert _answer(bot)["text"].startswith("Check-in opens on")
    assert _rows(bot, "SELECT COUNT(*) FROM checkin") == [(0,)]
    clock.set(DURING)
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    await bot.press(ORGANISER, "Check people in")
    listing = _view(bot)
    assert "2 people aren't checked in yet" in listing.text
    assert [b["text"] for row in listing.keyboard for b in row] == ["Mike", "⏳ Anna", "◀️ Attendees"]
    await bot.press(ORGANISER, "Mike")
    assert _answer(bot)["text"] == "✅ Mike is checked in."
    assert [b["text"] for row in _view(bot).keyboard for b in row] == ["⏳ Anna", "◀️ Attendees"]
    await bot.press(ORGANISER, "Anna")
    assert _answer(bot)["text"] == "✅ Anna is checked in as a walk-in (not confirmed)."
    assert "Everyone confirmed or waiting is checked in." in _view(bot).text
    # An old button pressed again changes nothing; one for somebody who is not in Ponte says so.
    await bot.press_data(ORGANISER, f"checkin-hand:{event_id}:{MIKE}:0", _view(bot).message_id)
    assert _answer(bot)["text"] == "Mike was already checked in."
    await bot.press_data(ORGANISER, f"checkin-hand:{event_id}:123456:0", _view(bot).message_id)
    assert _answer(bot)["text"] == "That person is no longer in Ponte, or the button is out of date."
    await bot.press_data(ORGANISER, f"checkin-hand:999:{MIKE}:0", _view(bot).message_id)
    assert _answer(bot)["text"] == "That event is no longer on the agenda."
    await bot.press_data(ORGANISER, f"checkin-hand:{event_id}:{'9' * 40}:0", _view(bot).message_id)
    assert _answer(bot)["text"] == "That button no longer works."
    assert _rows(bot, "SELECT participant_id, walk_in, by_hand FROM checkin ORDER BY participant_id") == [
        (MIKE, 0, 1), (ANNA, 1, 1)]
    # The person's own scan afterwards says they are already in.
    await bot.send(MIKE, f"/start c_{(await _qr(bot))[1]}")
    assert f"You're already checked in for {TITLE_EN}" in bot.last(MIKE).text


async def test_a_stakeholder_cannot_check_anybody_in_by_forged_buttons(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _sign_up(bot, MIKE, "Mike", "en")
    clock.set(DURING)
    event_id = _event_id(bot, WORKSHOP)
    await bot.send(MIKE, "/agenda")
    for forged in (f"checkin-hand:{event_id}:{MIKE}:0", f"checkin-list:{WORKSHOP}:0"):
        await bot.press_data(MIKE, forged)
        assert _answer(bot)["show_alert"] and "only the organizers" in _answer(bot)["text"]
    for forged in (f"checkin-hand:x{event_id}:{MIKE}:0", f"checkin-hand:{event_id}:{'9' * 40}:0"):
        await bot.press_data(MIKE, forged)
        assert _answer(bot)["text"] == "That button no longer works."
    assert _rows(bot, "SELECT COUNT(*) FROM checkin") == [(0,)]


async def test_deleting_ones_data_leaves_no_check_in_behind(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _sign_up(bot, MIKE, "Mike", "en")
    await bot.onboard(NINA, "Nina", "en", "Baltimore")
    _, token, _, _ = await _qr(bot)
    clock.set(DURING)
    await bot.send(MIKE, f"/start c_{token}")
    await bot.send(NINA, f"/start c_{token}")
    await bot.send(MIKE, "/privacy")
    await bot.press(MIKE, "Delete my data")
    await bot.press(MIKE, "Yes, delete everything")
    assert _rows(bot, "SELECT participant_id FROM checkin") == [(NINA,)]
    assert await bot.services.checkins.present(_event_id(bot, WORKSHOP)) == {NINA}
