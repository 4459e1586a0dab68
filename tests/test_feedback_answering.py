"""Answering a questionnaire in the chat: one question at a time in one message edited in place, every kind
of question, Back, Skip, a summary where any answer can be changed, resuming where one stopped (also after a
restart), and a clear word for everything that does not fit, which changes nothing."""

from __future__ import annotations

from datetime import timedelta

from bot.app.services import open_services
from bot.delivery.pacing import Pacer
from bot.domain.agenda_file import parse_agenda
from bot.domain.pending import PendingStep, pending_of
from tests.harness import EXAMPLE, Harness
from tests.questionnaires import ASKED, VISIT, at, with_questionnaire

MIKE, GIULIA, ANNA = 801, 802, 803


async def _asked(bot: Harness, *people: tuple[int, str, str, str]) -> dict[int, int]:
    """The example agenda and the questionnaire; each person confirmed for the visit and asked about it.
    Returns each person's response id."""
    await bot.services.agenda.apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
    await with_questionnaire(bot)
    for person, name, language, city in people or ((MIKE, "Mike", "en", "Baltimore"),):
        await bot.onboard(person, name, language, city)
        await bot.services.signups.sign_up(person, VISIT)
    await at(bot, ASKED)
    async with bot.services.db.serialized() as tx:
        rows = await tx.connection.execute_fetchall("SELECT participant_id, id FROM response")
    return {row[0]: row[1] for row in rows}


async def _questions(bot: Harness) -> list:
    async with bot.services.db.serialized() as tx:
        return list((await tx.questionnaires.by_slug("after-visits")).questions)


async def _tap(bot: Harness, person: int, label: str) -> None:
    """Press the button labelled exactly ``label`` (or "✅ label") on the newest message that has it."""
    for message in reversed(bot.telegram.chat(person)):
        for row in message.keyboard:
            for button in row:
                if button["text"] in (label, f"✅ {label}", f"▫️ {label}") and "callback_data" in button:
                    await bot.press_data(person, button["callback_data"], message.message_id)
                    return
    raise LookupError(f"no button {label!r}")


def _alerts(bot: Harness) -> list[str]:
    return [c.params.get("text", "") for c in bot.telegram.calls_to("answerCallbackQuery")]


def _labels(bot: Harness, person: int) -> list[list[str]]:
    return [[b["text"] for b in row] for row in bot.last(person).keyboard]


async def _stored(bot: Harness, response_id: int) -> tuple[list[tuple], list[int]]:
    async with bot.services.db.serialized() as tx:
        answers = await tx.connection.execute_fetchall(
            "SELECT question_id, number, text, skipped FROM answer WHERE response_id = ? ORDER BY question_id",
            (response_id,))
        picked = await tx.connection.execute_fetchall(
            "SELECT choice_id FROM answer_choice WHERE response_id = ? ORDER BY choice_id", (response_id,))
    return [tuple(a) for a in answers], [p[0] for p in picked]


async def test_one_question_at_a_time_in_the_request_edited_in_place_then_a_summary_and_thanks(bot):
    responses = await _asked(bot)
    q = await _questions(bot)
    request = bot.last(MIKE)
    before = len(bot.telegram.chat(MIKE))
    await bot.press(MIKE, "Answer the questions")
    first = bot.last(MIKE)
    assert first.message_id == request.message_id  # the request became the questionnaire
    assert "After the visit" in first.text and "Five questions, two minutes." in first.text
    assert "Your answers are anonymous" in first.text
    assert "You can answer until Wednesday, February 3 at 5:45 AM, Baltimore time" in first.text
    assert "Question 1 of 5" in first.text and "How useful was the visit?" in first.text
    assert "1 = not at all · 5 = extremely" in first.text
    assert _labels(bot, MIKE) == [["1", "2", "3", "4", "5"], ["⏸ Continue later"]]  # no Back, no Skip yet

    await _tap(bot, MIKE, "4")
    assert "Question 2 of 5" in bot.last(MIKE).text and "0 = not at all · 10 = entirely" in bot.last(MIKE).text
    assert _labels(bot, MIKE)[:2] == [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"]]
    assert ["⬅️ Back"] in _labels(bot, MIKE)
    await _tap(bot, MIKE, "8")
    assert "Question 3 of 5" in bot.last(MIKE).text
    await _tap(bot, MIKE, "Rules")
    assert "Question 4 of 5" in bot.last(MIKE).text and "Choose all that apply, then press Done." in bot.last(MIKE).text
    assert ["⬅️ Back", "Skip ⏭"] in _labels(bot, MIKE)
    await _tap(bot, MIKE, "Residents")
    await _tap(bot, MIKE, "Nonprofits")
    assert ["✅ Residents"] in _labels(bot, MIKE) and ["✅ Nonprofits"] in _labels(bot, MIKE)
    await _tap(bot, MIKE, "Residents")  # off again
    assert ["▫️ Residents"] in _labels(bot, MIKE) and "Question 4 of 5" in bot.last(MIKE).text
    await _tap(bot, MIKE, "Done ➡️")
    text = bot.last(MIKE).text
    assert "Question 5 of 5" in text and "Type your answer as a message (at most 40 characters)." in text
    assert "This question is optional." in text
    messages = len(bot.telegram.chat(MIKE))
    assert messages == before  # the request, edited question after question

    await bot.send(MIKE, "Neighborhood houses run by residents and NGOs")  # 45 characters
    assert "Your answer is 45 characters long, and this question takes at most 40" in bot.last(MIKE).text
    assert "Question 5 of 5" in bot.last(MIKE).text
    await bot.send(MIKE, "Neighborhood houses")
    summary = bot.last(MIKE).text
    assert len(bot.telegram.chat(MIKE)) == messages + 2  # below the person's messages, where they read
    assert "Here are your answers" in summary
    for shown in ("4 out of 5", "8 out of 10", "→ Rules", "→ Nonprofits", "“Neighborhood houses”"):
        assert shown in summary
    assert _labels(bot, MIKE)[0] == ["✏️ 1", "✏️ 2", "✏️ 3", "✏️ 4", "✏️ 5"]

    await _tap(bot, MIKE, "✏️ 1")  # change the first answer, then back to the summary
    assert "Question 1 of 5" in bot.last(MIKE).text and _labels(bot, MIKE)[0] != ["✅ 4"]
    assert "✅ 4" in _labels(bot, MIKE)[0] and ["⬅️ Back to the summary"] in _labels(bot, MIKE)
    await _tap(bot, MIKE, "2")
    assert "Here are your answers" in bot.last(MIKE).text and "2 out of 5" in bot.last(MIKE).text

    await _tap(bot, MIKE, "📨 Send my answers")
    assert "Thank you! Your answers about Visit to Cascina Roccafranca" in bot.last(MIKE).text
    assert bot.last(MIKE).keyboard == []
    answers, picked = await _stored(bot, responses[MIKE])
    assert answers == [(q[0].id, 2, None, 0), (q[1].id, 8, None, 0), (q[2].id, None, None, 0),
                       (q[3].id, None, None, 0), (q[4].id, None, "Neighborhood houses", 0)]
    assert picked == sorted([q[2].choices[1].id, q[3].choices[2].id])
    assert pending_of(await bot.services.people.get(MIKE)) is None

    await bot.press_data(MIKE, f"fb-send:{responses[MIKE]}")  # sending twice
    assert "You've already sent your answers to this questionnaire. Thank you!" in bot.last(MIKE).text
    await bot.press_data(MIKE, f"fb-pick:{responses[MIKE]}:{q[0].id}:5")  # an old button after sending
    assert "You've already sent your answers" in bot.last(MIKE).text
    assert await _stored(bot, responses[MIKE]) == (answers, picked)


async def test_back_skip_and_an_empty_optional_multiple_choice(bot):
    responses = await _asked(bot, (GIULIA, "Giulia", "it", "Torino"))
    q = await _questions(bot)
    await bot.press(GIULIA, "Rispondi alle domande")
    assert "Domanda 1 di 5" in bot.last(GIULIA).text and "Le tue risposte sono anonime" in bot.last(GIULIA).text
    assert "Puoi rispondere fino a mercoledì 3 febbraio alle 11:45 (tra 14 giorni)." in bot.last(GIULIA).text
    await _tap(bot, GIULIA, "5")
    await _tap(bot, GIULIA, "⬅️ Indietro")
    assert "Domanda 1 di 5" in bot.last(GIULIA).text and "✅ 5" in _labels(bot, GIULIA)[0]
    await bot.press_data(GIULIA, f"fb-skip:{responses[GIULIA]}:{q[0].id}")  # a required question
    assert "A questa domanda serve una risposta prima di andare avanti." in _alerts(bot)[-1]
    assert "Domanda 1 di 5" in bot.last(GIULIA).text
    await _tap(bot, GIULIA, "5")
    await _tap(bot, GIULIA, "10")
    await _tap(bot, GIULIA, "I fondi")
    await _tap(bot, GIULIA, "Fatto ➡️")  # nothing marked on an optional question: skipped
    await _tap(bot, GIULIA, "Salta ⏭")
    summary = bot.last(GIULIA).text
    assert "Ecco le tue risposte" in summary and summary.count("→ saltata") == 2
    answers, _ = await _stored(bot, responses[GIULIA])
    assert answers[3:] == [(q[3].id, None, None, 1), (q[4].id, None, None, 1)]
    await _tap(bot, GIULIA, "📨 Invia le mie risposte")
    assert "Grazie! Le tue risposte su Visita a Cascina Roccafranca" in bot.last(GIULIA).text


async def test_a_required_multiple_choice_needs_a_mark(bot):
    from dataclasses import replace

    from tests.questionnaires import ACTORS, visit_questionnaire

    await bot.services.agenda.apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
    await with_questionnaire(bot, visit_questionnaire(questions=(replace(ACTORS, required=True),)))
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.services.signups.sign_up(MIKE, VISIT)
    await at(bot, ASKED)
    await bot.press(MIKE, "Answer the questions")
    assert "Skip ⏭" not in str(_labels(bot, MIKE))
    await _tap(bot, MIKE, "Done ➡️")
    assert _alerts(bot)[-1] == "This question needs an answer before you go on."
    assert "Question 1 of 1" in bot.last(MIKE).text


async def test_stop_at_any_moment_and_resume_exactly_there_also_after_a_restart(bot, settings, clock, sleeper):
    responses = await _asked(bot)
    await bot.press(MIKE, "Answer the questions")
    await _tap(bot, MIKE, "4")
    await _tap(bot, MIKE, "7")
    await bot.send(MIKE, "/agenda")  # leaves the questionnaire
    assert pending_of(await bot.services.people.get(MIKE)) is None
    await bot.send(MIKE, "some words")  # no longer read as an answer
    assert "I only understand commands and buttons" in bot.last(MIKE).text

    bot.services.clock.set(ASKED + timedelta(days=3))
    await bot.send(MIKE, "/feedback")
    listing = bot.last(MIKE).text
    assert "Questionnaires waiting for you" in listing and "Visit to Cascina Roccafranca" in listing
    assert "You can answer until Wednesday, February 3 at 5:45 AM, Baltimore time (in 11 days)." in listing
    assert _labels(bot, MIKE)[0][0].startswith("Continue: Visit to Cascina")
    await bot.press(MIKE, "Continue:")
    assert "Question 3 of 5" in bot.last(MIKE).text
    await bot.send(MIKE, "/agenda")

    # A restart: everything comes back from the database.
    services = await open_services(settings, clock, pacer=Pacer(monotonic=sleeper.monotonic, sleep=sleeper.sleep),
                                   automatic_outbox=False)
    try:
        async with Harness(services, bot.telegram) as again:
            await again.send(MIKE, "/feedback")
            await again.press(MIKE, "Continue:")
            assert "Question 3 of 5" in again.last(MIKE).text
            assert pending_of(await again.services.people.get(MIKE)).step is PendingStep.FEEDBACK
            answers, _ = await _stored(again, responses[MIKE])
            assert [a[1] for a in answers] == [4, 7]
    finally:
        await services.db.close()


async def test_feedback_with_nothing_waiting_says_so_kindly(bot):
    await bot.onboard(ANNA, "Anna", "en")
    await bot.send(ANNA, "/feedback")
    assert "No questionnaires are waiting for you right now" in bot.last(ANNA).text


async def test_a_closed_questionnaire_says_so_and_takes_nothing(bot):
    responses = await _asked(bot)
    await bot.press(MIKE, "Answer the questions")
    bot.services.clock.set(ASKED + timedelta(days=14))
    await _tap(bot, MIKE, "4")
    assert ("This questionnaire closed on Wednesday, February 3 at 5:45 AM, Baltimore time, so answers can no "
            "longer be sent. Thank you anyway!") in bot.last(MIKE).text
    assert bot.last(MIKE).keyboard == []
    await bot.press_data(MIKE, f"fb:{responses[MIKE]}")
    assert "This questionnaire closed on" in bot.last(MIKE).text
    assert await _stored(bot, responses[MIKE]) == ([], [])
    await bot.send(MIKE, "/feedback")
    assert "No questionnaires are waiting for you right now" in bot.last(MIKE).text


async def test_forged_old_and_misplaced_input_gets_a_clear_word_and_changes_nothing(bot):
    responses = await _asked(bot, (MIKE, "Mike", "en", "Baltimore"), (GIULIA, "Giulia", "it", "Torino"))
    q = await _questions(bot)
    mike, giulia = responses[MIKE], responses[GIULIA]
    await bot.press(MIKE, "Answer the questions")

    await bot.press_data(MIKE, f"fb-pick:{giulia}:{q[0].id}:3")  # another person's response
    assert "This questionnaire isn't available to you" in _alerts(bot)[-1]
    await bot.press_data(MIKE, f"fb:{giulia}")
    assert "This questionnaire isn't available to you" in _alerts(bot)[-1]
    await bot.press_data(MIKE, f"fb-pick:{mike}:{q[0].id}:9")  # out of range
    assert "That answer doesn't fit this question" in _alerts(bot)[-1]
    await bot.press_data(MIKE, f"fb-pick:{mike}:{q[0].id}:0")
    await bot.press_data(MIKE, f"fb-pick:{mike}:999999:3")  # a question of no questionnaire of his
    assert "That answer doesn't fit this question" in _alerts(bot)[-1]
    await bot.press_data(MIKE, f"fb-mark:{mike}:{q[0].id}:{q[3].choices[0].id}")  # a toggle on a rating
    assert "That answer doesn't fit this question" in _alerts(bot)[-1]
    assert await _stored(bot, mike) == ([], []) and await _stored(bot, giulia) == ([], [])
    assert "Question 1 of 5" in bot.last(MIKE).text

    await bot.send(MIKE, "four")  # text where a button is expected
    assert bot.last(MIKE).text.startswith("For this question, please use the buttons below it.")
    assert "Question 1 of 5" in bot.last(MIKE).text and _labels(bot, MIKE)[0] == ["1", "2", "3", "4", "5"]
    await _tap(bot, MIKE, "4")
    await bot.press_data(MIKE, f"fb-pick:{mike}:{q[0].id}:1")  # the first question's button, pressed again
    assert "That button belongs to another step of the questionnaire" in _alerts(bot)[-1]
    assert "Question 2 of 5" in bot.last(MIKE).text
    await _tap(bot, MIKE, "6")
    await bot.press_data(MIKE, f"fb-pick:{mike}:{q[2].id}:{q[3].choices[0].id}")  # another question's choice
    assert "That answer doesn't fit this question" in _alerts(bot)[-1]
    await bot.press_data(MIKE, f"fb-edit:{mike}:{q[0].id}")  # the summary's button before the summary
    assert "That button belongs to another step" in _alerts(bot)[-1]
    await bot.press_data(MIKE, f"fb-send:{mike}")  # sending before the end
    assert "Question 3 of 5" in bot.last(MIKE).text
    answers, picked = await _stored(bot, mike)
    assert [a[1] for a in answers] == [4, 6] and picked == []


async def test_a_person_who_deletes_their_data_leaves_their_answers_detached(bot):
    responses = await _asked(bot)
    await bot.press(MIKE, "Answer the questions")
    await _tap(bot, MIKE, "5")
    await bot.send(MIKE, "/privacy")
    assert "Your answers to the questionnaires after the visits reach the report without your name" in (
        bot.last(MIKE).text)
    await bot.press(MIKE, "Delete my data")
    assert "Your answers to the questionnaires stay in the report, with nothing linking them to you" in (
        bot.last(MIKE).text)
    await bot.press(MIKE, "Yes, delete everything")
    async with bot.services.db.serialized() as tx:
        rows = await tx.connection.execute_fetchall(
            "SELECT participant_id, language, city FROM response WHERE id = ?", (responses[MIKE],))
    assert [tuple(r) for r in rows] == [(None, "en", "baltimore")]
    answers, _ = await _stored(bot, responses[MIKE])
    assert [a[1] for a in answers] == [5]


async def test_text_typed_on_the_summary_points_to_its_buttons(bot):
    responses = await _asked(bot)
    q = await _questions(bot)
    await bot.press(MIKE, "Answer the questions")
    for value in (f"{q[0].id}:3", f"{q[1].id}:5", f"{q[2].id}:{q[2].choices[0].id}"):
        await bot.press_data(MIKE, f"fb-pick:{responses[MIKE]}:{value}")
    await _tap(bot, MIKE, "Skip ⏭")
    await _tap(bot, MIKE, "Skip ⏭")
    await bot.send(MIKE, "done?")
    assert bot.last(MIKE).text.startswith("All your answers are below: use the buttons to change one or to send them.")
    assert "Here are your answers" in bot.last(MIKE).text
    assert (await _stored(bot, responses[MIKE]))[0][4][3] == 1  # the idea stays skipped


async def test_an_event_cancelled_after_its_request_is_no_longer_listed(bot):
    from dataclasses import replace

    from storage.records import EventStatus

    await _asked(bot)
    events = parse_agenda(EXAMPLE.read_text(encoding="utf-8"))
    await bot.services.agenda.apply([replace(e, status=EventStatus.CANCELLED) if e.slug == VISIT else e
                                     for e in events])
    await bot.send(MIKE, "/feedback")
    assert "No questionnaires are waiting for you right now" in bot.last(MIKE).text


async def test_a_sticker_or_blank_text_for_a_free_text_question_asks_for_words(bot):
    responses = await _asked(bot)
    q = await _questions(bot)
    await bot.press(MIKE, "Answer the questions")
    for value in (f"{q[0].id}:3", f"{q[1].id}:5", f"{q[2].id}:{q[2].choices[0].id}"):
        await bot.press_data(MIKE, f"fb-pick:{responses[MIKE]}:{value}")
    await _tap(bot, MIKE, "Skip ⏭")
    update = bot.telegram.text_update(MIKE, "x")
    del update["message"]["text"]
    update["message"]["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                                    "height": 1, "is_animated": False, "is_video": False}
    await bot.process(update)
    assert bot.last(MIKE).text.startswith("Please type your answer as text.")
    assert "Question 5 of 5" in bot.last(MIKE).text
    await bot.send(MIKE, "   ")
    assert bot.last(MIKE).text.startswith("Please type your answer as text.")
    assert len((await _stored(bot, responses[MIKE]))[0]) == 4


async def test_continue_later_keeps_everything_and_stops_reading_text_as_an_answer(bot):
    responses = await _asked(bot)
    await bot.press(MIKE, "Answer the questions")
    await _tap(bot, MIKE, "3")
    await _tap(bot, MIKE, "⏸ Continue later")
    text = bot.last(MIKE).text
    assert "Your answers so far are saved. Come back with /feedback" in text and "(in 14 days)" in text
    assert bot.last(MIKE).keyboard == []
    assert pending_of(await bot.services.people.get(MIKE)) is None
    await bot.send(MIKE, "hello")
    assert "I only understand commands and buttons" in bot.last(MIKE).text
    await bot.send(MIKE, "/feedback")
    await bot.press(MIKE, "Continue:")
    assert "Question 2 of 5" in bot.last(MIKE).text
    assert [a[1] for a in (await _stored(bot, responses[MIKE]))[0]] == [3]
