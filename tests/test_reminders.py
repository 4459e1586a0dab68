"""Reminders before an event: derived from the database, in each reader's language and zone, following the
event when it moves, late but honest after downtime, and never for what no longer makes sense."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app.services import open_services
from bot.domain.agenda_file import parse_agenda
from bot.domain.notices import NoticeKind
from bot.domain.reminders import DROPPED, SUPERSEDED
from bot.standin import ApiError
from storage.records import EventStatus
from tests.harness import EXAMPLE, Harness

GIULIA, MIKE, ANNA = 601, 602, 603
WORKSHOP = "collaborative-services"
CALL = "baltimore-call"
WORKSHOP_START = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)  # 11:00 in Turin
CALL_START = datetime(2027, 1, 22, 14, 0, tzinfo=UTC)  # 9:00 AM in Baltimore


def _example(**changes: dict) -> list:
    return [replace(e, **changes[e.slug]) if e.slug in changes else e
            for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]


async def _signed_up(bot: Harness, slug: str = WORKSHOP, **changes: dict) -> None:
    await bot.services.agenda.apply(_example(**changes))
    await bot.onboard(GIULIA, "Giulia", "it", "Torino")
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    for person in (GIULIA, MIKE):
        await bot.services.signups.sign_up(person, slug)


async def _at(bot: Harness, moment: datetime) -> int:
    bot.services.clock.set(moment)
    return await bot.services.dispatcher.dispatch_due()


def _reminders(bot: Harness, person: int) -> list[str]:
    return [m.text for m in bot.telegram.chat(person) if "⏰" in m.text]


async def _rows(bot: Harness) -> list[tuple[int, str, str, str | None]]:
    async with bot.services.db.transaction() as tx:
        rows = await tx.connection.execute_fetchall(
            "SELECT recipient_id, kind, status, last_error FROM outbox WHERE kind = 'reminder' ORDER BY id")
    return [tuple(row) for row in rows]


async def test_confirmed_people_are_reminded_a_day_and_an_hour_before_in_their_language_and_zone(bot: Harness):
    await _signed_up(bot)
    assert await _at(bot, WORKSHOP_START - timedelta(hours=24, seconds=1)) == 0
    assert await _at(bot, WORKSHOP_START - timedelta(hours=24)) == 2
    (giulia,) = _reminders(bot, GIULIA)
    assert "Promemoria" in giulia and "inizia tra 24 ore" in giulia and "mercoledì 20 gennaio" in giulia
    assert "11:00–13:00" in giulia and "Bagni Pubblici di via Agliè, Via Agliè 9" in giulia
    (mike,) = _reminders(bot, MIKE)
    assert "Reminder" in mike and "starts in 24 hours" in mike and "Wednesday, January 20" in mike
    assert "5:00" in mike and "Baltimore" in mike  # his own clock, saying whose
    assert "Public baths of via Agliè" in mike
    assert "openstreetmap.org" in bot.last(MIKE).markup  # the map link
    assert await bot.services.dispatcher.dispatch_due() == 0  # once
    assert await _at(bot, WORKSHOP_START - timedelta(hours=1)) == 2
    assert "starts in 1 hour" in _reminders(bot, MIKE)[-1]
    assert "inizia tra 1 ora" in _reminders(bot, GIULIA)[-1]
    assert await _at(bot, WORKSHOP_START + timedelta(hours=1)) == 0
    assert len(_reminders(bot, GIULIA)) == len(_reminders(bot, MIKE)) == 2


@pytest.mark.parametrize(("language", "words"), [
    ("it", "Sei il numero 1 in lista d'attesa"), ("en", "You're number 1 on the waiting list"),
])
async def test_waiting_people_get_the_earliest_reminder_only_with_their_place(bot: Harness, language, words):
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1}}))
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.onboard(ANNA, "Anna", language)
    await bot.services.signups.sign_up(GIULIA, WORKSHOP)
    await bot.services.signups.sign_up(ANNA, WORKSHOP)
    await _at(bot, WORKSHOP_START - timedelta(hours=24))
    (waiting,) = _reminders(bot, ANNA)
    assert words in waiting
    assert "Via Agliè 9" not in waiting  # no venue details for a seat not had yet
    await _at(bot, WORKSHOP_START - timedelta(hours=1))
    assert len(_reminders(bot, ANNA)) == 1 and len(_reminders(bot, GIULIA)) == 2


async def test_an_event_s_own_reminders_and_its_online_link_for_confirmed_people(bot: Harness) -> None:
    """The video conference reminds 24 h and 15 min before (its agenda entry says so), with its link."""
    await _signed_up(bot, CALL)
    await _at(bot, CALL_START - timedelta(hours=1))
    assert _reminders(bot, MIKE) == [_reminders(bot, MIKE)[0]]  # the 24 h one only: no 1 h for this event
    assert await _at(bot, CALL_START - timedelta(minutes=15)) == 2
    mike = bot.last(MIKE)
    assert "starts in 15 minutes" in mike.text and "https://meet.jit.si/ponte-torino-baltimora" in mike.text
    assert {"text": "💻 Join online", "url": "https://meet.jit.si/ponte-torino-baltimora"} in mike.keyboard[0]
    assert "Partecipa online: https://meet.jit.si/ponte-torino-baltimora" in bot.last(GIULIA).text


async def test_no_reminders_for_an_event_that_asks_for_none(bot: Harness) -> None:
    await _signed_up(bot, **{WORKSHOP: {"reminders": ()}})
    await _at(bot, WORKSHOP_START - timedelta(hours=24))
    await _at(bot, WORKSHOP_START - timedelta(hours=1))
    assert _reminders(bot, GIULIA) == [] and await _rows(bot) == []


async def test_the_default_comes_from_the_settings(settings, clock, db, sleeper) -> None:
    from bot.delivery.pacing import Pacer

    settings = replace(settings, reminders=(timedelta(hours=2),))
    services = await open_services(settings, clock, db=db, pacer=Pacer(monotonic=sleeper.monotonic,
                                                                          sleep=sleeper.sleep),
                                   automatic_outbox=False)
    async with Harness(services) as bot:
        await _signed_up(bot)
        assert await _at(bot, WORKSHOP_START - timedelta(hours=24)) == 0
        assert await _at(bot, WORKSHOP_START - timedelta(hours=2)) == 2
        assert "starts in 2 hours" in _reminders(bot, MIKE)[0]


async def test_a_reminder_follows_its_event_when_it_moves(bot: Harness) -> None:
    await _signed_up(bot)
    later = WORKSHOP_START + timedelta(hours=4)  # 15:00 in Turin
    bot.services.clock.set(WORKSHOP_START - timedelta(hours=30))
    await bot.services.agenda.apply(_example(**{WORKSHOP: {
        "starts_at": later, "ends_at": later + timedelta(hours=2)}}))
    await _at(bot, WORKSHOP_START - timedelta(hours=24))  # the old moment: nothing (the change notice, yes)
    assert _reminders(bot, GIULIA) == _reminders(bot, MIKE) == []
    await _at(bot, later - timedelta(hours=24))
    assert "15:00–17:00" in _reminders(bot, GIULIA)[0] and len(_reminders(bot, MIKE)) == 1


async def test_a_reminder_written_before_the_event_moved_never_goes_out(bot: Harness) -> None:
    await _signed_up(bot)
    bot.telegram.fail_next += [ApiError(502, "Bad Gateway"), ApiError(502, "Bad Gateway")]
    await _at(bot, WORKSHOP_START - timedelta(hours=24))  # written, not sent: Telegram is down
    later = WORKSHOP_START + timedelta(days=1)
    await bot.services.agenda.apply(_example(**{WORKSHOP: {
        "starts_at": later, "ends_at": later + timedelta(hours=2)}}))
    await _at(bot, WORKSHOP_START - timedelta(hours=20))
    assert _reminders(bot, GIULIA) == _reminders(bot, MIKE) == []
    assert [status for _, _, status, _ in await _rows(bot)] == ["skipped", "skipped"]
    await _at(bot, later - timedelta(hours=24))
    assert "giovedì 21 gennaio" in _reminders(bot, GIULIA)[0]


async def test_never_for_a_cancelled_event_or_a_person_who_cancelled(bot: Harness) -> None:
    await _signed_up(bot)
    await bot.services.signups.cancel(MIKE, WORKSHOP)
    await _at(bot, WORKSHOP_START - timedelta(hours=24))
    assert len(_reminders(bot, GIULIA)) == 1 and _reminders(bot, MIKE) == []
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"status": EventStatus.CANCELLED}}))
    await _at(bot, WORKSHOP_START - timedelta(hours=1))
    assert len(_reminders(bot, GIULIA)) == 1


async def test_not_sent_when_its_moment_had_passed_at_sign_up(bot: Harness) -> None:
    await bot.load_example()
    await bot.onboard(GIULIA, "Giulia", "it")
    bot.services.clock.set(WORKSHOP_START - timedelta(minutes=30))
    await bot.services.signups.sign_up(GIULIA, WORKSHOP)
    await _at(bot, WORKSHOP_START - timedelta(minutes=29))
    await _at(bot, WORKSHOP_START + timedelta(minutes=5))
    assert _reminders(bot, GIULIA) == [] and await _rows(bot) == []


async def test_after_downtime_a_late_reminder_says_how_soon_and_one_for_a_started_event_is_dropped(
        bot: Harness) -> None:
    await _signed_up(bot)
    await _signed_up_too(bot, ANNA, "roccafranca-visit")  # 10:00 in Turin, an hour before the workshop
    bot.services.clock.set(WORKSHOP_START - timedelta(hours=30))
    await bot.services.dispatcher.dispatch_due()
    # The bot was down from 30 hours before the workshop until 20 minutes before it.
    assert await _at(bot, WORKSHOP_START - timedelta(minutes=20)) == 2
    (giulia,) = _reminders(bot, GIULIA)  # one message, not one per missed reminder
    assert "inizia tra 20 minuti" in giulia
    assert "starts in 20 minutes" in _reminders(bot, MIKE)[0]
    assert _reminders(bot, ANNA) == []  # her visit had started
    rows = await _rows(bot)
    assert (ANNA, "reminder", "skipped", DROPPED) in rows
    assert (GIULIA, "reminder", "skipped", SUPERSEDED) in rows and (GIULIA, "reminder", "sent", None) in rows


async def _signed_up_too(bot: Harness, person: int, slug: str) -> None:
    await bot.onboard(person, "Anna", "en")
    await bot.services.signups.sign_up(person, slug)


async def test_the_dispatcher_wakes_at_the_earliest_reminder_also_after_a_restart(settings, clock, db,
                                                                                     sleeper) -> None:
    """Nothing lives only in memory: a fresh start finds the next moment in the database."""
    from bot.app.schedule import SWEEP_SECONDS
    from bot.delivery.pacing import Pacer

    first = await open_services(settings, clock, db=db, automatic_outbox=False)
    async with Harness(first) as bot:
        await _signed_up(bot)
        telegram = bot.telegram
    restarted = await open_services(settings, clock, db=db, pacer=Pacer(monotonic=sleeper.monotonic,
                                                                          sleep=sleeper.sleep),
                                    automatic_outbox=False)
    assert await restarted.dispatcher.next_due() == WORKSHOP_START - timedelta(hours=24)
    async with Harness(restarted, telegram) as bot:
        assert await _at(bot, WORKSHOP_START - timedelta(hours=24)) == 2
        assert await restarted.dispatcher.next_due() == WORKSHOP_START - timedelta(hours=1)
    assert SWEEP_SECONDS <= 5  # and what another process changed is seen within a few seconds


async def test_the_schedule_sets_a_timer_for_the_next_reminder(bot: Harness) -> None:
    from telegram.ext import CallbackContext

    from bot.app.schedule import schedule_outbox

    await _signed_up(bot)
    bot.services.clock.set(WORKSHOP_START - timedelta(hours=24, seconds=1))
    schedule_outbox(bot.app.job_queue, bot.services.dispatcher, bot.services.clock)
    (sweep,) = bot.app.job_queue.get_jobs_by_name("outbox-sweep")
    await sweep.callback(CallbackContext.from_job(sweep, bot.app))
    (timer,) = bot.app.job_queue.get_jobs_by_name("outbox-next")
    assert timer.job.misfire_grace_time is None  # never dropped for being late


@pytest.mark.parametrize(("language", "off", "note", "shown", "on"), [
    ("en", "Turn reminders off", "no more reminders", "Reminders: off", "Turn reminders on"),
    ("it", "Disattiva i promemoria", "niente più promemoria", "Promemoria: disattivati", "Attiva i promemoria"),
])
async def test_a_person_turns_reminders_off_and_on_in_settings(bot: Harness, language, off, note, shown, on):
    await bot.load_example()
    await bot.onboard(GIULIA, "Giulia", language)
    await bot.services.signups.sign_up(GIULIA, WORKSHOP)
    await bot.send(GIULIA, "/settings")
    await bot.press(GIULIA, off)
    assert note in bot.last(GIULIA).text and shown in bot.last(GIULIA).text
    await _at(bot, WORKSHOP_START - timedelta(hours=24))
    assert _reminders(bot, GIULIA) == []
    await bot.press(GIULIA, on)
    assert bot.telegram.button(bot.last(GIULIA), "🔕") == "reminders:off"
    await _at(bot, WORKSHOP_START - timedelta(hours=1))
    assert len(_reminders(bot, GIULIA)) == 1


async def test_a_forged_reminders_button_gets_a_polite_word(bot: Harness) -> None:
    await bot.onboard(GIULIA, "Giulia", "en")
    await bot.send(GIULIA, "/settings")
    await bot.press_data(GIULIA, "reminders:maybe")
    assert "no longer works" in bot.last(GIULIA).text
    assert (await bot.services.people.get(GIULIA)).reminders


def test_every_reminder_is_a_kind_of_notice() -> None:
    assert NoticeKind("reminder") is NoticeKind.REMINDER


async def test_nothing_is_queued_for_a_person_who_blocked_the_bot(bot: Harness) -> None:
    await _signed_up(bot)
    await bot.services.people.blocked_us(MIKE)
    await _at(bot, WORKSHOP_START - timedelta(hours=24))
    assert [person for person, *_ in await _rows(bot)] == [GIULIA]


async def test_a_reminder_queued_but_not_yet_sent_is_withdrawn_when_the_person_cancels(bot: Harness) -> None:
    await _signed_up(bot)
    slow_down = ApiError(429, "Too Many Requests: retry after 60", retry_after=60)
    bot.telegram.fail_next_call_to["sendMessage"] = [slow_down, slow_down]
    # Both reminders are written when due, then Telegram asks to wait a minute before sending anything.
    await _at(bot, WORKSHOP_START - timedelta(hours=24))
    assert _reminders(bot, GIULIA) == [] and _reminders(bot, MIKE) == []
    await bot.services.signups.cancel(MIKE, WORKSHOP)
    await _at(bot, WORKSHOP_START - timedelta(hours=24) + timedelta(seconds=61))
    assert len(_reminders(bot, GIULIA)) == 1 and _reminders(bot, MIKE) == []
    assert (MIKE, "reminder", "skipped", "the person cancelled") in await _rows(bot)
