"""The report's figures: counted in SQL by question, event and city; partly answered questionnaires counted as
such; names read only when the questionnaire is not anonymous; coordinators and organisers only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.reports import ExportFormat, UnknownEventError
from bot.domain.roles import NotAllowedError
from tests.conftest import BEFORE_THE_WEEK, ORGANISER
from tests.feedback_data import SKIP, respond, save_questionnaire
from tests.harness import Harness

VISIT, WORKSHOP = "roccafranca-visit", "collaborative-services"


async def _answers(bot: Harness, anonymous: bool = True):
    db = bot.services.db
    questionnaire = await save_questionnaire(db, anonymous=anonymous)
    await respond(db, questionnaire, VISIT, 1, name="Giulia", answers={
        "useful": 5, "actors": ("city", "residents"), "transfer": 8, "blocker": ("money",), "idea": "La portineria"})
    await respond(db, questionnaire, VISIT, 2, language="en", city="baltimore", name="Mike",
                  at=BEFORE_THE_WEEK + timedelta(hours=1),
                  answers={"useful": 3, "actors": ("residents",), "transfer": 6, "blocker": SKIP,
                           "idea": "Tool library"})
    await respond(db, questionnaire, WORKSHOP, 1, name="Giulia", answers={"useful": 4}, finished=False)
    await respond(db, questionnaire, WORKSHOP, 3, name="Anna", answers={}, finished=False)
    await respond(db, questionnaire, WORKSHOP, None, language="en", city=None,
                  at=BEFORE_THE_WEEK + timedelta(hours=2), answers={"useful": 1, "idea": "x"})
    return questionnaire


async def test_the_figures_of_the_programme_an_event_and_a_city(agenda_bot: Harness) -> None:
    questionnaire = await _answers(agenda_bot)
    useful, actors, transfer, blocker, idea = questionnaire.questions
    reports = agenda_bot.services.reports
    report = await reports.summary(ORGANISER)
    figures = report.figures
    assert report.event is None and [e.event.slug for e in report.events] == [VISIT, WORKSHOP]
    whole = figures.turnout()
    assert (whole.asked, whole.finished, whole.partly) == (5, 3, 1) and whole.rate == pytest.approx(0.6)
    tally = figures.tally(useful)
    assert tally.answered == 4 and tally.counts == {5: 1, 3: 1, 4: 1, 1: 1}
    assert tally.average == pytest.approx(13 / 4)
    ids = {c.key: c.id for c in actors.choices}
    assert figures.tally(actors).counts == {ids["city"]: 1, ids["residents"]: 2}
    assert figures.tally(blocker).skipped == 1 and figures.tally(blocker).answered == 1
    assert figures.tally(transfer, city="baltimore").average == 6
    assert figures.tally(useful, city=None).counts == {1: 1}
    assert figures.cities() == ["torino", "baltimore", None]
    visit_id = report.events[0].event.id
    assert figures.turnout(event_id=visit_id).asked == 2
    assert [a.text for a in report.recent[idea.id]] == ["x", "Tool library", "La portineria"]
    assert [a.language for a in report.recent[idea.id]] == ["en", "en", "it"]
    assert all(a.name is None for a in report.recent[idea.id]), "anonymous: names are never read"

    one = await reports.summary(ORGANISER, VISIT)
    assert one.event.slug == VISIT and one.figures.turnout().asked == 2 and one.figures.tally(useful).answered == 2
    with pytest.raises(UnknownEventError):
        await reports.summary(ORGANISER, "nothing-here")


async def test_names_only_when_the_questionnaire_says_so(agenda_bot: Harness) -> None:
    questionnaire = await _answers(agenda_bot, anonymous=False)
    report = await agenda_bot.services.reports.summary(ORGANISER)
    assert [a.name for a in report.recent[questionnaire.questions[-1].id]] == [None, "Mike", "Giulia"]
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.XLSX) as export:
        chunks = [chunk async for _, chunk in export.responses()]
    assert [name for chunk in chunks for name in chunk.names] == ["Giulia", "Mike", "Giulia", ""], \
        "Anna answered nothing: no row"
    questions = [str(q.id) for q in questionnaire.questions]
    rows = [{key: value for key, value in zip(questions, values, strict=True) if value}
            for chunk in chunks for values in zip(*chunk.answers, strict=True)]
    useful, actors, transfer, blocker, idea = (str(q.id) for q in questionnaire.questions)
    ids = {c.key: str(c.id) for c in questionnaire.questions[1].choices}
    assert rows[0] == {useful: "5", actors: f"{ids['city']},{ids['residents']}", transfer: "8",
                                blocker: str(questionnaire.questions[3].choices[0].id), idea: "La portineria"}
    assert blocker not in rows[1], "skipped: not in the row"


async def test_only_coordinators_and_organisers_read_the_report(agenda_bot: Harness) -> None:
    reports = agenda_bot.services.reports
    with pytest.raises(NotAllowedError):
        await reports.summary(1234)
    with pytest.raises(NotAllowedError):
        await reports.events(1234)
    with pytest.raises(NotAllowedError):
        async with reports.export(1234, ExportFormat.CSV):
            pass
    async with agenda_bot.services.db.serialized() as tx:
        assert [e for e in await tx.audit.latest(5) if e.action == "export"] == [], "refused: not an export"


async def test_every_export_is_in_the_audit_log(agenda_bot: Harness) -> None:
    await _answers(agenda_bot)
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.XLSX, VISIT):
        pass
    async with agenda_bot.services.db.serialized() as tx:
        [entry] = [e for e in await tx.audit.latest(5) if e.action == "export"]
    assert (entry.actor_id, entry.action, entry.detail) == (ORGANISER, "export", {"format": "xlsx", "event": VISIT})
