"""Feedback requests after an event: derived from the database like reminders, once per person, in their
language and zone, with one reminder, and never for a cancelled event or a closed questionnaire."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.app.services import open_services
from bot.delivery.pacing import Pacer
from bot.domain.agenda_file import parse_agenda
from storage.records import EventStatus
from tests.harness import EXAMPLE, Harness
from tests.questionnaires import ASKED, VISIT, VISIT_END, WORKSHOP, at, visit_questionnaire, with_questionnaire

GIULIA, MIKE, ANNA, LUCA = 701, 702, 703, 704


def _example(**changes: dict) -> list:
    return [replace(e, **changes[e.slug]) if e.slug in changes else e
            for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]


async def _visit(bot: Harness, **changes: dict) -> None:
    await bot.services.agenda.apply(_example(**changes))
    await with_questionnaire(bot)
    await bot.onboard(GIULIA, "Giulia", "it", "Torino")
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    for person in (GIULIA, MIKE):
        await bot.services.signups.sign_up(person, VISIT)


def _requests(bot: Harness, person: int) -> list[str]:
    return [m.text for m in bot.telegram.chat(person) if m.text.startswith("📝")]


async def _responses(bot: Harness) -> list[tuple]:
    async with bot.services.db.serialized() as tx:
        rows = await tx.connection.execute_fetchall(
            "SELECT participant_id, language, city, closes_at FROM response ORDER BY participant_id")
    return [tuple(row) for row in rows]


async def _kinds(bot: Harness) -> list[tuple[int, str, str]]:
    async with bot.services.db.serialized() as tx:
        rows = await tx.connection.execute_fetchall(
            "SELECT recipient_id, kind, status FROM outbox WHERE kind LIKE 'feedback%' ORDER BY id")
    return [tuple(row) for row in rows]


async def test_people_confirmed_for_the_visit_are_asked_an_hour_after_it_in_their_language_and_zone(bot):
    await _visit(bot)
    await bot.onboard(ANNA, "Anna", "en")
    await bot.services.signups.sign_up(ANNA, WORKSHOP)  # no questionnaire is asked after workshops
    await at(bot, VISIT_END)  # the reminders before the visit and the workshop have gone out
    assert await bot.services.dispatcher.next_due() == ASKED
    assert await at(bot, ASKED - timedelta(seconds=1)) == 0
    assert await at(bot, ASKED) == 2
    (giulia,) = _requests(bot, GIULIA)
    assert giulia.startswith("📝 L'evento Visita a Cascina Roccafranca")
    assert "com'è andata? Ho 5 brevi domande" in giulia
    assert "Le tue risposte sono anonime" in giulia
    assert "Puoi rispondere fino a mercoledì 3 febbraio alle 11:45 (tra 14 giorni)." in giulia
    (mike,) = _requests(bot, MIKE)
    assert "is over: how did it go? I have 5 short questions for you" in mike
    assert "Your answers are anonymous" in mike
    assert "You can answer until Wednesday, February 3 at 5:45 AM, Baltimore time (in 14 days)." in mike
    assert bot.telegram.button(bot.last(MIKE), "Answer the questions").startswith("fb:")
    assert _requests(bot, ANNA) == []
    assert await _responses(bot) == [(GIULIA, "it", "torino", "2027-02-03 10:45:00"),
                                     (MIKE, "en", "baltimore", "2027-02-03 10:45:00")]
    assert await bot.services.dispatcher.dispatch_due() == 0  # once
    assert await at(bot, ASKED + timedelta(hours=1)) == 0
    assert len(_requests(bot, GIULIA)) == 1


async def test_a_questionnaire_that_is_not_anonymous_and_open_three_days_says_so(bot):
    await bot.services.agenda.apply(_example())
    await with_questionnaire(bot, visit_questionnaire(anonymous=False, open_for=timedelta(days=3)))
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.services.signups.sign_up(MIKE, VISIT)
    await at(bot, ASKED)
    (request,) = _requests(bot, MIKE)
    assert "Your answers are not anonymous: the coordinators see your name next to them." in request
    assert "(in 3 days)" in request  # the questionnaire's own open_for
    assert [row[3] for row in await _responses(bot)] == ["2027-01-23 10:45:00"]


async def test_only_confirmed_reachable_people_are_asked(bot):
    await _visit(bot, **{VISIT: {"capacity": 2}})
    await bot.onboard(ANNA, "Anna", "en")
    await bot.services.signups.sign_up(ANNA, VISIT)  # waiting: she was not there
    await bot.onboard(LUCA, "Luca", "it")
    await bot.services.people.blocked_us(MIKE)
    await at(bot, ASKED)
    assert [row[0] for row in await _responses(bot)] == [GIULIA]
    assert _requests(bot, ANNA) == [] and _requests(bot, MIKE) == []


async def test_an_event_s_own_delay_wins_over_the_setting(settings, clock, db, sleeper):
    settings = replace(settings, feedback_delay=timedelta(minutes=30))
    services = await open_services(settings, clock, db=db, pacer=Pacer(monotonic=sleeper.monotonic,
                                                                          sleep=sleeper.sleep),
                                   automatic_outbox=False)
    barriera_end = datetime(2027, 1, 20, 16, 0, tzinfo=UTC)
    async with Harness(services) as bot:
        await _visit(bot, **{VISIT: {"feedback_delay": timedelta(hours=3)}})
        await bot.services.signups.sign_up(GIULIA, "barriera-di-milano")
        await at(bot, VISIT_END + timedelta(hours=3) - timedelta(seconds=1))
        assert await _kinds(bot) == []
        await at(bot, VISIT_END + timedelta(hours=3))  # the visit's own 3 hours
        assert len(await _kinds(bot)) == 2
        await at(bot, barriera_end + timedelta(minutes=29))
        assert len(await _kinds(bot)) == 2
        await at(bot, barriera_end + timedelta(minutes=30))  # the setting's half an hour
        assert len(await _kinds(bot)) == 3


async def test_a_cancelled_event_asks_nothing(bot):
    await _visit(bot)
    await bot.services.agenda.apply(_example(**{VISIT: {"status": EventStatus.CANCELLED}}))
    await at(bot, ASKED + timedelta(days=1))
    assert await _responses(bot) == [] and [k for k in await _kinds(bot)] == []
    assert _requests(bot, GIULIA) == []


async def test_a_request_missed_while_the_bot_was_down_goes_out_while_the_questionnaire_is_open(bot):
    await _visit(bot)
    assert await at(bot, ASKED + timedelta(days=13)) == 2  # the bot was down 13 days: still open a day
    assert "(tra 24 ore)" in _requests(bot, GIULIA)[0]


async def test_no_request_once_the_questionnaire_has_closed(bot):
    await _visit(bot)
    assert await at(bot, ASKED + timedelta(days=14)) == 0
    assert await _responses(bot) == []


async def test_one_reminder_two_days_later_to_those_who_have_not_finished(bot):
    await _visit(bot)
    await at(bot, ASKED)
    (giulia_response, _), (mike_response, _) = await _response_ids(bot)
    await _answer_all(bot, GIULIA, giulia_response)
    await bot.services.feedback.pick(MIKE, mike_response, *(await _first_question(bot)), 4)  # half-way
    assert await bot.services.dispatcher.next_due() == ASKED + timedelta(days=2)
    assert await at(bot, ASKED + timedelta(days=2) - timedelta(seconds=1)) == 0
    assert await at(bot, ASKED + timedelta(days=2)) == 1
    reminder = bot.last(MIKE).text
    assert "A reminder: your answers about Visit to Cascina Roccafranca" in reminder and "haven't been sent" in reminder
    assert "(in 12 days)" in reminder
    assert await at(bot, ASKED + timedelta(days=5)) == 0  # one reminder only
    assert [k[:2] for k in await _kinds(bot)] == [(GIULIA, "feedback_request"), (MIKE, "feedback_request"),
                                                 (MIKE, "feedback_reminder")]


async def test_the_reminder_setting(settings, clock, db, sleeper):
    settings = replace(settings, feedback_reminder=timedelta(hours=6))
    services = await open_services(settings, clock, db=db, pacer=Pacer(monotonic=sleeper.monotonic,
                                                                          sleep=sleeper.sleep),
                                   automatic_outbox=False)
    async with Harness(services) as bot:
        await _visit(bot)
        await at(bot, ASKED)
        assert await at(bot, ASKED + timedelta(hours=6)) == 2


async def test_no_questionnaire_no_request(bot):
    await bot.services.agenda.apply(_example())
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.services.signups.sign_up(GIULIA, VISIT)
    assert await bot.services.dispatcher.next_due() is not None  # the reminders before the visit
    await at(bot, ASKED + timedelta(days=1))
    assert await _kinds(bot) == [] and await _responses(bot) == []


async def _response_ids(bot: Harness) -> list[tuple[int, int]]:
    async with bot.services.db.serialized() as tx:
        rows = await tx.connection.execute_fetchall("SELECT id, participant_id FROM response ORDER BY participant_id")
    return [tuple(row) for row in rows]


async def _first_question(bot: Harness) -> tuple[int]:
    async with bot.services.db.serialized() as tx:
        questionnaire = await tx.questionnaires.by_slug("after-visits")
    return (questionnaire.questions[0].id,)


async def _answer_all(bot: Harness, person: int, response_id: int) -> None:
    feedback = bot.services.feedback
    async with bot.services.db.serialized() as tx:
        q = (await tx.questionnaires.by_slug("after-visits")).questions
    await feedback.pick(person, response_id, q[0].id, 5)
    await feedback.pick(person, response_id, q[1].id, 8)
    await feedback.pick(person, response_id, q[2].id, q[2].choices[0].id)
    await feedback.skip(person, response_id, q[3].id)
    await feedback.skip(person, response_id, q[4].id)
    assert (await feedback.submit(person, response_id)).submitted


async def test_after_an_event_that_used_check_in_only_the_people_present_are_asked(bot):
    from tests.questionnaires import VISIT_END

    await _visit(bot)
    await bot.onboard(ANNA, "Anna", "en")  # not signed up: she walks in
    _, token = await bot.services.checkins.operator_code(VISIT)
    bot.services.clock.set(VISIT_END - timedelta(hours=1))
    for person in (GIULIA, ANNA):  # Mike, confirmed, did not come
        assert (await bot.services.checkins.scan(person, token)).present
    await at(bot, ASKED)
    assert [row[0] for row in await _responses(bot)] == [GIULIA, ANNA]
    assert _requests(bot, MIKE) == [] and len(_requests(bot, ANNA)) == 1
