"""/mydata: a person's own copy of everything Ponte keeps about them, in their language, and nobody else's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.config.clock import FixedClock
from bot.domain.notices import NoticeKind
from tests.conftest import BEFORE_THE_WEEK
from tests.feedback_rows import answer_visit
from tests.harness import Harness

MIKE = 5202
GIULIA = 5101
VISIT = "roccafranca-visit"
VISIT_STARTS = datetime(2027, 1, 20, 8, 0, tzinfo=UTC)  # 9:00 in Turin
WORKSHOP = "collaborative-services"
MIKES_IDEA = "Shared kitchens run by the residents themselves"
GIULIAS_IDEA = "Un bagno pubblico con lo sportello del quartiere"


async def _two_people_with_history(bot: Harness, clock: FixedClock) -> None:
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.onboard(GIULIA, "Giulia", "it", "Torino")
    for person in (MIKE, GIULIA):
        await bot.send(person, f"/start e_{VISIT}")
        await bot.press(person, "✅")  # the sign-up button, in either language
    await bot.send(MIKE, f"/start e_{WORKSHOP}")
    await bot.press(MIKE, "✅")
    await bot.press_data(MIKE, f"cancel:{WORKSHOP}")
    await bot.press(MIKE, "Yes")
    db = bot.services.db
    await answer_visit(db, MIKE, VISIT, BEFORE_THE_WEEK, rating=4, actors=("city", "residents"), idea=MIKES_IDEA)
    await answer_visit(db, GIULIA, VISIT, BEFORE_THE_WEEK, rating=2, actors=("ngo",), idea=GIULIAS_IDEA,
                       language="it", city="torino")
    async with db.transaction() as tx:
        event = await tx.events.by_slug(VISIT)
        await tx.outbox.add(MIKE, NoticeKind.EVENT_CHANGED, due_at=BEFORE_THE_WEEK + timedelta(hours=2),
                            now=BEFORE_THE_WEEK, event_id=event.id)
    # Mike scans the visit's code ten minutes in (the clock stays there for the rest of the test).
    _, code = await bot.services.checkins.operator_code(VISIT)
    clock.set(VISIT_STARTS + timedelta(minutes=10))
    await bot.send(MIKE, f"/start c_{code}")


async def _my_file(bot: Harness, person: int) -> tuple[str, bytes]:
    await bot.send(person, "/mydata")
    message = bot.last(person)
    assert message.document is not None, message.text
    return message.document


async def test_mydata_sends_the_profile_sign_ups_answers_and_messages_in_the_persons_language(
        agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _two_people_with_history(bot, clock)
    name, content = await _my_file(bot, MIKE)
    assert name == "ponte-my-data.json"
    assert "everything Ponte keeps about you" in bot.last(MIKE).text
    assert content.startswith(b"{\n  ")  # indented, for people to read
    record = json.loads(content.decode("utf-8"))
    assert "America/New_York (Baltimore time)" in record["About this file"]
    profile = record["Your profile"]
    assert profile["Telegram ID"] == MIKE and profile["Name"] == "Mike" and profile["Language"] == "English"
    assert profile["City"] == "Baltimore" and profile["Time zone"] == "America/New_York"
    # The moment of consent, in his own zone (January: five hours behind UTC).
    assert profile["Agreed to the privacy notice"] == "2027-01-11T04:00:00-05:00"
    assert profile["Reminders before your events"] == "yes"
    signups = {entry["Event"]: entry for entry in record["Your sign-ups"]}
    visit = signups["Visit to Cascina Roccafranca and the public baths of via Agliè"]
    assert visit["Status"] == "confirmed" and visit["Starts"].endswith("-05:00")
    assert signups["Workshop: urban regeneration and welfare communities, collaborative services"]["Status"] \
        == "canceled"
    assert record["Events you checked in at"] == [{
        "Event": "Visit to Cascina Roccafranca and the public baths of via Agliè",
        "Checked in": "2027-01-20T03:10:00-05:00", "Signed up beforehand": "yes",
        "Checked in by an organizer": "no"}]
    [response] = record["Your answers to the questionnaires"]
    assert response["Questionnaire"] == "After the visit"
    assert response["Event"] == "Visit to Cascina Roccafranca and the public baths of via Agliè"
    assert [(a["Question"], a["Answer"]) for a in response["Answers"]] == [
        ("How useful was it?", 4), ("Who runs the service?", ["City", "Residents"]),
        ("One idea to take home", MIKES_IDEA)]
    [message] = record["Messages for you"]
    assert message["Kind"] == "an event changed" and message["Status"] == "waiting to be sent"
    assert message["Due"] == "2027-01-11T06:00:00-05:00"
    assert record["Broadcasts you wrote"] == [] and record["Agenda files you sent"] == []

    name, content = await _my_file(bot, GIULIA)
    assert name == "ponte-i-miei-dati.json"
    record = json.loads(content.decode("utf-8"))
    assert record["Il tuo profilo"]["Lingua"] == "Italiano"
    assert record["Eventi in cui è stata registrata la tua presenza"] == []
    assert record["Il tuo profilo"]["Consenso all'informativa sulla privacy"] == "2027-01-11T10:00:00+01:00"
    [response] = record["Le tue risposte ai questionari"]
    assert response["Evento"] == "Visita a Cascina Roccafranca e ai Bagni Pubblici di via Agliè"
    assert response["Risposte"][1]["Risposta"] == ["Associazioni"]


async def test_mydata_holds_nothing_of_anyone_else(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _two_people_with_history(bot, clock)
    _, mike = await _my_file(bot, MIKE)
    _, giulia = await _my_file(bot, GIULIA)
    for word in ("Giulia", str(GIULIA), GIULIAS_IDEA, "Associazioni", "Nonprofits"):
        assert word.encode("utf-8") not in mike
    for word in ("Mike", str(MIKE), MIKES_IDEA, "Residents", "Abitanti", "Workshop"):
        assert word.encode("utf-8") not in giulia


async def test_the_privacy_screen_offers_the_copy(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/privacy")
    await bot.press(MIKE, "A copy of my data")
    record = json.loads(bot.last(MIKE).document[1])
    assert record["Your profile"]["Telegram ID"] == MIKE


async def test_a_forged_button_for_someone_elses_data_gets_nothing(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await _two_people_with_history(bot, clock)
    await bot.send(MIKE, "/privacy")
    sent_before = len(bot.telegram.calls_to("sendDocument"))
    for forged in (f"mydata:{GIULIA}", f"mydata:{GIULIA}:{GIULIA}", "mydata:"):
        await bot.press_data(MIKE, forged)
    assert len(bot.telegram.calls_to("sendDocument")) == sent_before
    alerts = [call.params.get("text", "") for call in bot.telegram.calls_to("answerCallbackQuery")]
    assert alerts.count("This button no longer works. Use /agenda or /help to carry on.") == 3


async def test_a_stranger_is_told_nothing_is_kept(bot: Harness) -> None:
    bot.person(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/mydata")
    assert bot.last(GIULIA).document is None
    assert "Non conservo nulla su di te" in bot.last(GIULIA).text
    assert await bot.services.people.get(GIULIA) is None
