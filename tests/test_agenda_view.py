"""Reading the agenda: days, kinds, times in both zones, seats, details, navigation and message size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.standin.engine import TEXT_LIMIT
from storage.records import Event, Texts
from tests.harness import Harness

GIULIA, MIKE = 201, 202


async def test_agenda_in_italian_for_turin(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA, "Giulia", "it", "Torino")
    await bot.send(GIULIA, "/agenda")
    text = bot.last(GIULIA).text
    assert "Lunedì 18 gennaio" in text and "Mercoledì 20 gennaio" in text
    assert "Tavola rotonda" in text and "Visita" in text and "Videoconferenza" in text
    assert "14:30–17:00" in text  # 24-hour times in Turin
    assert "25 posti liberi" in text
    # The video-conference happens in Baltimore's time: Turin's reader sees both.
    assert "09:00–10:30 a Baltimora · 15:00–16:30 a Torino" in text


async def test_agenda_in_english_for_baltimore_shows_both_zones(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/agenda")
    text = bot.last(MIKE).text.replace("\u202f", " ").replace("\u2009", " ")
    assert "Monday, January 18" in text
    assert "10:00 AM – 12:00 PM in Turin · 4:00 – 6:00 AM in Baltimore" in text
    assert "Round table" in text and "Smart inclusive neighborhood" in text


async def test_event_detail_and_back_edit_the_same_message(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/agenda")
    agenda_message = bot.last(MIKE)
    sent_before = len(bot.telegram.calls_to("sendMessage"))
    edits_before = len(bot.telegram.calls_to("editMessageText"))
    await bot.press(MIKE, "Social impact measurement")
    detail = bot.last(MIKE)
    assert detail.message_id == agenda_message.message_id
    assert "Mario Calderini, Torino Social Impact; G8 Task Force on Social Impact Finance" in detail.text
    assert "Open the map" in detail.text and "openstreetmap.org" in detail.markup
    assert "Piazza Palazzo di Città 1" in detail.text
    await bot.press(MIKE, "Back to the agenda")
    assert "Agenda of the Turin–Baltimore exchange" in bot.last(MIKE).text
    assert len(bot.telegram.calls_to("sendMessage")) == sent_before
    assert len(bot.telegram.calls_to("editMessageText")) == edits_before + 2


async def test_past_events_leave_the_agenda(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA)
    bot.services.clock.set(datetime(2027, 1, 21, 11, 0, tzinfo=UTC))  # noon in Turin
    await bot.send(GIULIA, "/agenda")
    text = bot.last(GIULIA).text
    assert "Cascina Roccafranca" not in text
    assert "Mirafiori" in text  # still going on at noon


async def test_empty_agenda_says_so(bot: Harness) -> None:
    await bot.onboard(MIKE, "Mike", "en")
    await bot.send(MIKE, "/agenda")
    assert "The agenda is empty for now" in bot.last(MIKE).text


def _many(count: int) -> list[Event]:
    start = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
    long = "Lorem ipsum dolor sit amet " * 20
    return [
        Event(slug=f"session-{n}", kind="workshop",
              title=Texts(f"Sessione {n} " + long[:90], f"Session {n} " + long[:90]),
              description=Texts(long * 30, long * 30), venue=Texts("Sala " + long[:150], "Room " + long[:150]),
              starts_at=start + timedelta(hours=n), ends_at=start + timedelta(hours=n, minutes=50),
              timezone="Europe/Rome", capacity=10, position=n)
        for n in range(count)
    ]


async def test_long_agenda_paginates_under_telegram_limit(bot: Harness) -> None:
    await bot.services.agenda.apply(_many(40))
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/agenda")
    seen: set[str] = set()
    pages = 0
    while True:
        message = bot.last(MIKE)
        pages += 1
        assert len(message.text) <= TEXT_LIMIT
        seen |= {b["callback_data"] for row in message.keyboard for b in row if b["callback_data"].startswith("event:")}
        if not any("Next" in b["text"] for row in message.keyboard for b in row):
            break
        await bot.press(MIKE, "Next")
    assert pages > 1
    assert {d.split(":")[1] for d in seen} == {f"session-{n}" for n in range(40)}
    await bot.press(MIKE, "Session 39")
    assert len(bot.last(MIKE).text) <= TEXT_LIMIT  # the long description was cut to fit
    await bot.press(MIKE, "Back to the agenda")
    assert "page" in bot.last(MIKE).text and "Session 39" in bot.last(MIKE).text
