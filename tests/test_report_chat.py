"""/report in the chat: the scopes as buttons, the figures in the reader's language, edited in place and paged,
the files sent as documents; a polite no for everyone else."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import openpyxl
import pytest

from bot.app.application import publish_profile
from bot.config.settings import Settings
from bot.render.i18n import translator
from bot.render.report_text import report_view, spark
from tests.conftest import BEFORE_THE_WEEK, ORGANISER, TEST_TOKEN
from tests.feedback_data import IDEA, SKIP, VISIT, respond, save_questionnaire
from tests.harness import Harness

SITE, WORKSHOP = "roccafranca-visit", "collaborative-services"
COORDINATOR, MIKE = 950, 601


async def _answers(bot: Harness, anonymous: bool = True) -> None:
    db = bot.services.db
    questionnaire = await save_questionnaire(db, anonymous=anonymous)
    await respond(db, questionnaire, SITE, 1, name="Giulia", answers={
        "useful": 5, "actors": ("city", "residents"), "transfer": 8, "blocker": ("money",),
        "idea": "La portineria di comunità"})
    await respond(db, questionnaire, SITE, 2, language="en", city="baltimore", name="Mike",
                  at=BEFORE_THE_WEEK + timedelta(hours=1),
                  answers={"useful": 4, "actors": ("residents",), "transfer": 6, "blocker": SKIP,
                           "idea": "A tool library run by neighbors"})
    await respond(db, questionnaire, WORKSHOP, 3, name="Anna", answers={"useful": 2}, finished=False)
    await respond(db, questionnaire, WORKSHOP, 4, answers={}, finished=False)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(token=TEST_TOKEN, db_path=tmp_path / "ponte.db", admins=frozenset({ORGANISER}),
                    coordinators=frozenset({COORDINATOR}))


def _buttons(bot: Harness, user_id: int) -> list[dict]:
    return [b for row in bot.last(user_id).keyboard for b in row]


async def test_a_coordinator_reads_the_programme_and_an_event_in_english(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _answers(bot)
    await bot.onboard(COORDINATOR, "Carla", "en", "Baltimore")
    await bot.send(COORDINATOR, "/report")
    menu = bot.last(COORDINATOR)
    assert "Feedback after the events" in menu.text
    labels = [b["text"] for b in _buttons(bot, COORDINATOR)]
    assert labels[0] == "🌍 All events · 2/4"
    assert len(labels) == 3 and labels[1].endswith("· 2/2") and labels[2].endswith("· 0/2")
    await bot.press(COORDINATOR, "🌍")
    summary = bot.last(COORDINATOR)
    assert summary.message_id == menu.message_id, "edited in place"
    text = summary.text
    assert "Feedback: all events" in text
    assert "4 people asked · 2 finished (50%)" in text
    assert "1 more person answered part of it" in text
    assert "1. How useful was the visit?" in text and "Average 3.7 of 5 · 3 answers" in text
    assert f"1 {spark({5: 1, 4: 1, 2: 1}, 1, 5)} 5" in text and "1 = Not at all · 5 = Very" in text
    assert "• Residents: 2 (100%)" in text and "• City: 1 (50%)" in text and "(more than one choice each)" in text
    assert "1 person skipped it." in text
    assert "🇺🇸 «A tool library run by neighbors»" in text and "🇮🇹 «La portineria di comunità»" in text
    assert text.index("tool library") < text.index("portineria"), "the latest first"
    assert "Giulia" not in text and "Mike" not in text, "anonymous: no names"
    data = [b["callback_data"] for b in _buttons(bot, COORDINATOR)]
    assert data == ["reportfile:xlsx", "reportfile:html", "reports:0"]
    await bot.press(COORDINATOR, "All events")
    await bot.press(COORDINATOR, "· 0/2")
    text = bot.last(COORDINATOR).text
    assert "Feedback: Workshop" in text or "Feedback: " in text
    assert "2 people asked · 0 finished (0%)" in text and "Average 2.0 of 5 · 1 answer" in text
    await bot.send(COORDINATOR, f"/report {SITE}")
    assert "2 people asked · 2 finished (100%)" in bot.last(COORDINATOR).text
    await bot.send(COORDINATOR, "/report nothing-here")
    assert "There is no event with the code nothing-here." in bot.last(COORDINATOR).text


async def test_an_organiser_reads_it_in_italian_and_gets_both_files(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _answers(bot)
    await bot.onboard(ORGANISER, "Olga", "it")
    await bot.send(ORGANISER, "/report")
    await bot.press(ORGANISER, "🌍")
    text = bot.last(ORGANISER).text
    assert "Riscontri: tutti gli eventi" in text and "4 persone interpellate · 2 hanno finito (50%)" in text
    assert "Media 3,7 su 5 · 3 risposte" in text and "• Abitanti: 2 (100%)" in text
    await bot.press(ORGANISER, "Foglio di calcolo")
    name, content = bot.telegram.calls_to("sendDocument")[-1].files["document"]
    assert name == "tutti-gli-eventi-riscontri.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Evento", "Data dell'evento", "Città", "Lingua", "Inviato il (ora di Torino)"]
    assert header[5] == "Quanto ti è stata utile la visita?"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3, "a response with no answer is no row"
    assert rows[0][2:5] == ("Torino", "italiano", BEFORE_THE_WEEK.replace(tzinfo=None) + timedelta(hours=1,
                                                                                                 minutes=5))
    assert rows[0][5:] == (5, "Comune; Abitanti", 8, "I fondi", "La portineria di comunità")
    assert rows[1][5:] == (4, "Abitanti", 6, None, "A tool library run by neighbors")
    assert rows[2][4] is None and rows[2][5] == 2
    await bot.press(ORGANISER, "Documento")
    name, content = bot.telegram.calls_to("sendDocument")[-1].files["document"]
    assert name == "tutti-gli-eventi-riscontri.html"
    page = content.decode("utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="it">' in page
    assert "Rapporto sui riscontri: tutti gli eventi" in page and page.count("data:image/svg+xml;base64,") == 4
    assert "La portineria di comunità" in page and "Baltimora" in page and "@media print" in page


async def test_everyone_else_gets_a_polite_no(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _answers(bot)
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/report")
    assert "only the coordinators of the exchange can read the feedback report" in bot.last(MIKE).text
    await bot.send(MIKE, "/agenda")
    agenda = bot.last(MIKE)
    for forged in ("reports:0", "reportall:0", f"reportev:{SITE}:0", "reportfile:xlsx", f"reportfile:html:{SITE}"):
        await bot.press_data(MIKE, forged, agenda.message_id)
        answer = bot.telegram.calls_to("answerCallbackQuery")[-1].params
        assert answer["show_alert"] and "only the coordinators" in answer["text"]
    assert bot.telegram.calls_to("sendDocument") == []
    assert bot.last(MIKE).text == agenda.text


async def test_old_and_forged_buttons_of_a_coordinator_change_nothing(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _answers(bot)
    await bot.onboard(ORGANISER, "Olga", "en")
    await bot.send(ORGANISER, "/report")
    shown = bot.last(ORGANISER).text
    await bot.press_data(ORGANISER, "reportev:gone-event:0")
    assert "no longer on the agenda" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    await bot.press_data(ORGANISER, "reportfile:pdf")
    assert "no longer works" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    await bot.press_data(ORGANISER, "reportall:99")
    assert "Feedback: all events" in bot.last(ORGANISER).text, "a page past the end shows the last"
    assert bot.telegram.calls_to("sendDocument") == [] and shown


async def test_nobody_asked_yet(agenda_bot: Harness) -> None:
    await agenda_bot.onboard(ORGANISER, "Olga", "en")
    await agenda_bot.send(ORGANISER, "/report")
    assert "Nobody has been asked for feedback yet" in agenda_bot.last(ORGANISER).text
    assert _buttons(agenda_bot, ORGANISER) == []


async def test_names_show_when_the_questionnaire_is_not_anonymous(agenda_bot: Harness) -> None:
    await _answers(agenda_bot, anonymous=False)
    await agenda_bot.onboard(ORGANISER, "Olga", "en")
    await agenda_bot.send(ORGANISER, f"/report {SITE}")
    assert "«A tool library run by neighbors» — Mike" in agenda_bot.last(ORGANISER).text


async def test_many_long_answers_are_paged_within_telegrams_limit(agenda_bot: Harness) -> None:
    bot = agenda_bot
    db = bot.services.db
    questions = tuple(replace(IDEA, key=f"idea{n}", text=IDEA.text) for n in range(8))
    questionnaire = await save_questionnaire(db, replace(VISIT, questions=questions))
    for person in range(1, 7):
        await respond(db, questionnaire, SITE, person, answers={f"idea{n}": "🌿" * 400 for n in range(8)},
                      at=BEFORE_THE_WEEK + timedelta(hours=person))
    await bot.onboard(ORGANISER, "Olga", "en")
    await bot.send(ORGANISER, f"/report {SITE}")
    first = bot.last(ORGANISER)
    assert "(page 1 of " in first.text
    pages = int(first.text.split("(page 1 of ")[1].split(")")[0])
    assert pages > 1
    await bot.press(ORGANISER, "▶️")
    assert "(page 2 of " in bot.last(ORGANISER).text and bot.last(ORGANISER).message_id == first.message_id
    summary = await bot.services.reports.summary(ORGANISER, SITE)
    for language in ("it", "en"):
        for page in range(pages):
            text, _ = report_view(translator(language), summary, page)
            assert len(text.encode("utf-16-le")) // 2 <= 4096


async def test_coordinators_find_report_in_their_menu_and_help(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(COORDINATOR, "Carla", "en", "Baltimore")
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(COORDINATOR, "/help")
    assert "/report — What people said after the events (coordinators)" in bot.last(COORDINATOR).text
    assert "/attendees" not in bot.last(COORDINATOR).text, "coordinators are not organisers"
    await bot.send(MIKE, "/help")
    assert "/report" not in bot.last(MIKE).text
    await publish_profile(bot.app)
    scoped = [call.params for call in bot.telegram.calls_to("setMyCommands") if "scope" in call.params]
    mine = [p for p in scoped if f'"chat_id": {COORDINATOR}' in str(p["scope"]) or
            (isinstance(p["scope"], dict) and p["scope"].get("chat_id") == COORDINATOR)]
    assert mine and all("report" in str(p["commands"]) and "attendees" not in str(p["commands"]) for p in mine)
