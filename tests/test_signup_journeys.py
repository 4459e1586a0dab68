"""Signing up and cancelling through the bot, the freed-seat notice, /my, the .ics file, /attendees."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import icalendar
import openpyxl

from bot.domain.agenda_file import parse_agenda
from storage.records import EventStatus
from tests.conftest import ORGANISER
from tests.harness import EXAMPLE, Harness

GIULIA, MIKE, ANNA = 501, 502, 503
WORKSHOP = "collaborative-services"


async def _workshop_with(bot: Harness, capacity: int | None) -> list:
    events = [replace(e, capacity=capacity) if e.slug == WORKSHOP else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await bot.services.agenda.apply(events)
    return events


async def test_two_people_one_seat_the_freed_seat_is_announced_in_italian(bot: Harness) -> None:
    await _workshop_with(bot, 1)
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.onboard(GIULIA, "Giulia", "it", "Torino")
    await bot.send(MIKE, f"/start e_{WORKSHOP}")
    await bot.press(MIKE, "Sign up")
    assert "You're signed up." in bot.last(MIKE).text
    assert "You're signed up for Workshop" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    await bot.send(GIULIA, f"/start e_{WORKSHOP}")
    assert "Completo" in bot.last(GIULIA).text
    await bot.press(GIULIA, "lista d'attesa")
    assert "Sei il numero 1 in lista d'attesa" in bot.last(GIULIA).text
    alert = bot.telegram.calls_to("answerCallbackQuery")[-1].params
    assert alert["show_alert"] and "sei il numero 1 in lista d'attesa" in alert["text"]

    await bot.press(MIKE, "Cancel my seat")
    assert "Cancel your seat at" in bot.last(MIKE).text  # the confirmation step
    assert (await bot.services.signups.standing(MIKE, WORKSHOP))[1].status == "confirmed"
    await bot.press(MIKE, "Yes, cancel my seat")
    assert "✅ Sign up" not in bot.last(MIKE).text  # the seat is gone to Giulia, Mike may join the list
    sent = await bot.services.dispatcher.dispatch_due()
    assert sent == 1
    notice = bot.last(GIULIA)
    assert "Si è liberato un posto!" in notice.text and "rigenerazione urbana" in notice.text
    assert "mercoledì 20 gennaio" in notice.text and "11:00–13:00" in notice.text
    assert bot.telegram.button(notice, "Aggiungi al calendario") == f"ics:{WORKSHOP}"
    assert await bot.services.dispatcher.dispatch_due() == 0  # told once


async def test_the_notice_goes_out_at_once_without_a_sweep(settings, clock, db, sleeper) -> None:
    from bot.app.services import open_services
    from bot.delivery.pacing import Pacer

    services = await open_services(settings, clock, db=db, pacer=Pacer(monotonic=sleeper.monotonic,
                                                                          sleep=sleeper.sleep))
    async with Harness(services) as bot:
        await _workshop_with(bot, 1)
        await bot.onboard(MIKE, "Mike", "en")
        await bot.onboard(GIULIA, "Giulia", "it")
        for person in (MIKE, GIULIA):
            await bot.send(person, f"/start e_{WORKSHOP}")
            await bot.press(person, "✅" if person == MIKE else "⏳")
        await bot.press(MIKE, "Cancel my seat")
        await bot.press(MIKE, "Yes, cancel")
        await services.dispatcher.idle()
        assert "Si è liberato un posto!" in bot.last(GIULIA).text


async def test_calendar_file_imports_with_zone_venue_and_language(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/start e_roccafranca-visit")
    await bot.press(GIULIA, "Iscriviti")
    await bot.press(GIULIA, "Aggiungi al calendario")
    document = bot.telegram.calls_to("sendDocument")[-1]
    name, content = document.files["document"]
    assert name == "roccafranca-visit.ics"
    calendar = icalendar.Calendar.from_ical(content)
    entry = next(iter(calendar.walk("VEVENT")))
    assert str(entry["SUMMARY"]) == "Visita a Cascina Roccafranca e ai Bagni Pubblici di via Agliè"
    assert "Cascina Roccafranca" in str(entry["LOCATION"]) and "Via Edoardo Rubino 45" in str(entry["LOCATION"])
    assert entry["DTSTART"].params["TZID"] == "Europe/Rome"
    assert entry.decoded("DTSTART").hour == 9 and entry.decoded("DTEND").minute == 45
    assert any(c.name == "VTIMEZONE" for c in calendar.subcomponents)
    assert "aggiungere" in document.params["caption"]


async def test_calendar_only_for_confirmed_seats(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en")
    await bot.send(MIKE, "/agenda")
    await bot.press_data(MIKE, "ics:strategies")
    assert "for confirmed seats" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    assert bot.telegram.calls_to("sendDocument") == []


async def test_my_lists_upcoming_in_order_and_past_apart(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    for slug in ("baltimore-call", "strategies"):
        await bot.send(MIKE, f"/start e_{slug}")
        await bot.press(MIKE, "Sign up")
    await bot.send(MIKE, "/my")
    text = bot.last(MIKE).text
    assert text.index("Turin and Baltimore") < text.index("Video conference with Baltimore")
    assert text.count("signed up") == 2
    assert sum(b["text"] == "Cancel" for row in bot.last(MIKE).keyboard for b in row) == 2
    bot.services.clock.set(bot.services.clock.now() + timedelta(days=8, hours=3))
    await bot.send(MIKE, "/my")
    text = bot.last(MIKE).text
    assert "Coming up" in text and "Past" in text
    assert text.index("Past") < text.index("Turin and Baltimore")


async def test_my_is_helpful_when_empty(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA)
    await bot.send(GIULIA, "/my")
    assert "Non hai ancora nessuna iscrizione" in bot.last(GIULIA).text


async def test_attendees_for_organisers_with_a_spreadsheet(bot: Harness) -> None:
    await _workshop_with(bot, 1)
    await bot.onboard(ORGANISER, "Olga", "it")
    for person, name in ((MIKE, "Mike <Jr>"), (GIULIA, "Giulia")):
        await bot.onboard(person, name, "en")
        await bot.send(person, f"/start e_{WORKSHOP}")
        await bot.press(person, "✅" if person == MIKE else "⏳")
    await bot.send(ORGANISER, f"/attendees {WORKSHOP}")
    summary = bot.telegram.chat(ORGANISER)[-2].text
    assert "Confermati: 1 su 1 posto · in lista d'attesa: 1" in summary
    assert "1. Mike <Jr>" in summary and "1. Giulia" in summary
    name, content = bot.telegram.calls_to("sendDocument")[-1].files["document"]
    assert name == f"{WORKSHOP}-attendees.xlsx"
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Stato", "Posizione in lista d'attesa", "Nome")
    assert [r[:3] for r in rows[1:]] == [("confermata", None, "Mike <Jr>"), ("lista d'attesa", 1, "Giulia")]
    await bot.send(ORGANISER, "/attendees")
    assert "Scegli un evento" in bot.last(ORGANISER).text
    assert any(WORKSHOP in b["callback_data"] for row in bot.last(ORGANISER).keyboard for b in row)


async def test_attendees_refused_politely_to_others(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en")
    await bot.send(MIKE, f"/attendees {WORKSHOP}")
    assert "only the organizers of the exchange can see who is coming" in bot.last(MIKE).text
    assert bot.telegram.calls_to("sendDocument") == []


async def test_sign_up_on_a_cancelled_event_from_an_old_message(bot: Harness) -> None:
    events = await _workshop_with(bot, 5)
    await bot.onboard(MIKE, "Mike", "en")
    await bot.send(MIKE, f"/start e_{WORKSHOP}")
    cancelled = EventStatus.CANCELLED
    await bot.services.agenda.apply([replace(e, status=cancelled) if e.slug == WORKSHOP else e for e in events])
    await bot.press(MIKE, "Sign up")
    assert "has been canceled" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    assert "This event has been canceled." in bot.last(MIKE).text
    assert (await bot.services.signups.standing(MIKE, WORKSHOP))[1].status is None


async def test_sign_up_after_the_start(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA)
    await bot.send(GIULIA, f"/start e_{WORKSHOP}")
    seats = await bot.services.agenda.find(WORKSHOP)
    bot.services.clock.set(seats.event.starts_at + timedelta(minutes=5))
    await bot.press(GIULIA, "Iscriviti")
    answer = bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    assert "Le iscrizioni a questo evento sono chiuse" in answer
    assert "già cominciato" in bot.last(GIULIA).text
    assert (await bot.services.signups.standing(GIULIA, WORKSHOP))[1].status is None


async def test_button_pressed_after_a_restart(services, agenda_bot: Harness) -> None:
    await agenda_bot.onboard(MIKE, "Mike", "en")
    await agenda_bot.send(MIKE, f"/start e_{WORKSHOP}")
    old = agenda_bot.last(MIKE)
    async with Harness(services, agenda_bot.telegram) as restarted:  # a new Application, the same database
        await restarted.process(agenda_bot.telegram.press_update(MIKE, old.message_id, f"signup:{WORKSHOP}"))
        assert "You're signed up." in restarted.last(MIKE).text
    assert (await services.signups.standing(MIKE, WORKSHOP))[1].status == "confirmed"


async def test_cancelling_twice_and_forged_data(bot: Harness) -> None:
    await _workshop_with(bot, 1)
    await bot.onboard(MIKE, "Mike", "en")
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(MIKE, f"/start e_{WORKSHOP}")
    await bot.press(MIKE, "Sign up")
    # Giulia forges Mike's cancellation: the data names an event, never a person, so only hers is touched.
    await bot.send(GIULIA, "/agenda")
    await bot.press_data(GIULIA, f"cancel-yes:{WORKSHOP}")
    assert "Non avevi un'iscrizione a questo evento" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    await bot.press_data(GIULIA, f"cancel-yes:{WORKSHOP}:{MIKE}")
    assert (await bot.services.signups.standing(MIKE, WORKSHOP))[1].status == "confirmed"
    await bot.press_data(GIULIA, "signup:no-such-event")
    assert "non è più in programma" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    await bot.press(MIKE, "Cancel my seat")
    await bot.press(MIKE, "Yes, cancel my seat")
    await bot.press_data(MIKE, f"cancel-yes:{WORKSHOP}")
    assert "nothing to cancel" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    async with bot.services.db.transaction() as tx:
        assert await tx.outbox.all() == []  # nobody was waiting: nobody to tell


async def test_my_shows_the_waiting_list_position(bot: Harness) -> None:
    await _workshop_with(bot, 1)
    for person, name in ((MIKE, "Mike"), (ANNA, "Anna"), (GIULIA, "Giulia")):
        await bot.onboard(person, name, "it")
        await bot.send(person, f"/start e_{WORKSHOP}")
        await bot.press_data(person, f"signup:{WORKSHOP}")
    await bot.send(GIULIA, "/my")
    assert "lista d'attesa, numero 2" in bot.last(GIULIA).text
