"""The report's figures: counted in SQL by question, event and city; partly answered questionnaires counted as
such; names read only when the questionnaire is not anonymous; coordinators and organisers only."""

from __future__ import annotations

import io
import re
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from bot.domain.reports import ExportFormat, UnknownEventError
from bot.domain.roles import NotAllowedError
from bot.render.i18n import translator
from bot.render.report_document import write_document
from bot.render.report_sheet import write_csv, write_xlsx
from storage.records import Texts
from tests.conftest import BEFORE_THE_WEEK, ORGANISER
from tests.feedback_data import SKIP, USEFUL, respond, save_questionnaire
from tests.feedback_data import VISIT as AFTER_THE_VISIT
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


@pytest.mark.parametrize("anonymous", [True, False])
async def test_the_document_names_who_wrote_each_text_only_when_the_questionnaire_says_so(
        agenda_bot: Harness, anonymous: bool) -> None:
    await _answers(agenda_bot, anonymous=anonymous)
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.HTML) as export:
        out = io.StringIO()
        await write_document(translator("en"), export, out, BEFORE_THE_WEEK)
    document = out.getvalue()
    said = re.findall(r"<li>(.*?)</li>", document)
    if anonymous:
        assert said == ["🇮🇹 La portineria <small>(Turin)</small>", "🇺🇸 Tool library <small>(Baltimore)</small>",
                        "🇺🇸 x <small>(Not said)</small>"]
        assert "Giulia" not in document and "Mike" not in document
    else:
        assert said == ["🇮🇹 La portineria — Giulia <small>(Turin)</small>",
                        "🇺🇸 Tool library — Mike <small>(Baltimore)</small>", "🇺🇸 x <small>(Not said)</small>"]


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


async def test_a_file_of_rows_reads_the_turnout_but_not_the_counts_it_does_not_show(agenda_bot: Harness) -> None:
    questionnaire = await _answers(agenda_bot)
    useful = questionnaire.questions[0]
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.XLSX) as export:
        assert export.report.figures.turnout().asked == 5
        with pytest.raises(RuntimeError, match="not read"):
            export.report.figures.tally(useful)
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.HTML) as export:
        assert export.report.figures.tally(useful).answered == 4
        assert export.report.figures.tally(useful) is export.report.figures.tally(useful), "summed once"


async def test_when_each_finished_reads_on_the_home_clock_either_side_of_a_clock_change(agenda_bot: Harness) -> None:
    """Turin's clocks go forward at 01:00 UTC on 28 March 2027: a response finished at 00:35 UTC reads 01:35,
    one finished at 01:35 UTC reads 03:35; one finished two summers later reads summer time too; one left part way is
    empty. In the spreadsheet (a date-time Excel reads to the second) and in the CSV."""
    db = agenda_bot.services.db
    questionnaire = await save_questionnaire(db)
    change = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    for person, at in ((1, change - timedelta(minutes=30)), (2, change + timedelta(minutes=30)),
                       (3, change + timedelta(days=800, seconds=17))):
        await respond(db, questionnaire, VISIT, person, at=at, answers={"useful": 4})  # finished 5 minutes later
    await respond(db, questionnaire, VISIT, 4, answers={"useful": 2}, finished=False)
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.XLSX) as export:
        out = io.BytesIO()
        await write_xlsx(translator("en"), export, out)
    header, *rows = openpyxl.load_workbook(out).active.iter_rows(values_only=True)
    assert header[4] == "Finished at (Turin time)"
    assert [row[4] for row in rows] == [datetime(2027, 3, 28, 1, 35), datetime(2027, 3, 28, 3, 35),
                                        datetime(2029, 6, 5, 3, 5, 17), None]
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.CSV) as export:
        text = io.StringIO()
        await write_csv(translator("it"), export, text)
    assert [row.split(";")[4] for row in text.getvalue().splitlines()[1:]] == [
        "2027-03-28 01:35", "2027-03-28 03:35", "2029-06-05 03:05", ""]


async def test_a_spreadsheet_of_two_questionnaires_one_with_names_keeps_every_column(agenda_bot: Harness) -> None:
    db = agenda_bot.services.db
    visit = await save_questionnaire(db)
    talks = await save_questionnaire(db, replace(AFTER_THE_VISIT, slug="after-the-talk", questions=(USEFUL,),
                                                 title=Texts("Dopo il talk", "After the talk")), anonymous=False)
    await respond(db, visit, VISIT, 1, name="Giulia", answers={"useful": 5, "blocker": ("rules",)})
    await respond(db, talks, WORKSHOP, 2, language="en", city="baltimore", name="Bruno",
                  answers={"useful": 3})
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.XLSX) as export:
        out = io.BytesIO()
        assert await write_xlsx(translator("en"), export, out) == 2
    header, *rows = openpyxl.load_workbook(out).active.iter_rows(values_only=True)
    column = {name: n for n, name in enumerate(header)}
    assert header[0] == "Questionnaire" and "Name" in column and header.count("How useful was the visit?") == 2
    by_title = {row[0]: row for row in rows}
    bruno, giulia = by_title["After the talk"], by_title["After the visit"]
    assert bruno[column["Name"]] == "Bruno" and bruno[column["Telegram username"]] is None
    assert bruno[len(header) - 1] == 3, "the second questionnaire's answer in its own column, the last"
    assert giulia[column["Name"]] is None, "the first questionnaire is anonymous"
    assert giulia[header.index("How useful was the visit?")] == 5 and giulia[column["What would block it?"]] == "Rules"
    assert giulia[len(header) - 1] is None
    assert all(value is None for value in bruno[column["Telegram username"] + 1:len(header) - 1])


async def test_a_file_is_read_from_one_state_of_the_answers(agenda_bot: Harness,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    questionnaire = await _answers(agenda_bot)
    monkeypatch.setattr("storage.feedback_results.FIRST_CHUNK", 1)
    monkeypatch.setattr("storage.feedback_results.STREAM_CHUNK", 1)
    seen = []
    async with agenda_bot.services.reports.export(ORGANISER, ExportFormat.XLSX) as export:
        async for _, chunk in export.responses():
            seen += chunk.ids
            if len(seen) == 1:  # someone answers meanwhile, through another connection (another process)
                with sqlite3.connect(agenda_bot.services.db.path) as other:
                    event_id = other.execute("SELECT id FROM event WHERE slug = ?", (VISIT,)).fetchone()[0]
                    response_id = other.execute(
                        "INSERT INTO response (questionnaire_id, event_id, language, city, asked_at, closes_at) "
                        "VALUES (?, ?, 'it', 'torino', '2027-01-11 09:00:00', '2027-01-25 09:00:00') RETURNING id",
                        (questionnaire.id, event_id)).fetchone()[0]
                    other.execute("INSERT INTO answer (response_id, question_id, number, answered_at) "
                                  "VALUES (?, ?, 4, '2027-01-11 09:05:00')",
                                  (response_id, questionnaire.questions[0].id))
    assert len(seen) == 4, "the four responses answered when the file began, and not the one answered meanwhile"
    report = await agenda_bot.services.reports.summary(ORGANISER)
    assert report.figures.turnout().asked == 6, "the next report has it"
