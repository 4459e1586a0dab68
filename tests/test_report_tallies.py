"""The report's running counts and each response's answers side by side: kept by the database as answers are
written, they always equal what the answers themselves say, whatever happens (answers given, changed, skipped,
taken back, choices toggled, questionnaires submitted, people deleting their data), and a database from before
them is counted on upgrade."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config.clock import FixedClock
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import EXAMPLE_AGENDA, parse_agenda
from storage import Database
from storage.migrations import MIGRATIONS
from storage.questionnaires import Question, QuestionKind
from storage.records import Texts
from storage.responses import Askable
from tests.conftest import BEFORE_THE_WEEK
from tests.feedback_data import VISIT, save_questionnaire

CITIES = ("torino", "baltimore", "elsewhere", None)

# The counts as the report read them before the tallies: straight from the answers.
COUNTED = {
    "answers": "SELECT a.question_id, r.event_id, r.city, a.skipped, a.number, count(*) FROM answer a "
               "JOIN response r ON r.id = a.response_id GROUP BY 1, 2, 3, 4, 5",
    "choices": "SELECT ac.question_id, r.event_id, r.city, ac.choice_id, count(*) FROM answer_choice ac "
               "JOIN response r ON r.id = ac.response_id GROUP BY 1, 2, 3, 4",
    "texts": "SELECT a.question_id, r.event_id, a.answered_at, a.response_id, r.language, r.city, a.text FROM answer a "
             "JOIN response r ON r.id = a.response_id WHERE a.skipped = 0 AND a.text IS NOT NULL",
    "turnout": "SELECT r.questionnaire_id, r.event_id, r.city, count(*), count(r.submitted_at), "
               "sum(r.submitted_at IS NULL AND EXISTS (SELECT 1 FROM answer a WHERE a.response_id = r.id)) "
               "FROM response r GROUP BY 1, 2, 3",
}


async def _events(db: Database) -> list[int]:
    await Agenda(db, FixedClock(BEFORE_THE_WEEK - timedelta(days=30)), lambda: None).apply(
        parse_agenda(EXAMPLE_AGENDA.read_text(encoding="utf-8")))
    async with db.serialized() as tx:
        return [row[0] for row in await tx.connection.execute_fetchall("SELECT id FROM event")]


async def _counted(db: Database) -> dict[str, set[tuple]]:
    async with db.serialized() as tx:
        counted = {name: {tuple(row) for row in await tx.connection.execute_fetchall(sql)}
                   for name, sql in COUNTED.items()}
        given: dict[int, dict[str, str]] = {}
        for response_id, question_id, number, text in await tx.connection.execute_fetchall(
                "SELECT response_id, question_id, number, text FROM answer WHERE skipped = 0"):
            picked = ",".join(str(row[0]) for row in await tx.connection.execute_fetchall(
                "SELECT choice_id FROM answer_choice WHERE response_id = ? AND question_id = ? ORDER BY choice_id",
                (response_id, question_id)))
            value = str(number) if number is not None else text if text is not None else picked
            given.setdefault(response_id, {})[str(question_id)] = value
        started = {row[0] for row in await tx.connection.execute_fetchall(
            "SELECT DISTINCT response_id FROM answer")}
        counted["listed"] = sorted(tuple(row) for row in await tx.connection.execute_fetchall(
            "SELECT a.question_id, r.event_id, r.language, coalesce(r.city, ''), a.text FROM answer a "
            "JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
            "WHERE a.skipped = 0 AND a.text IS NOT NULL AND q.kind = 'text'"))
        counted["rows"] = sorted((response_id, tuple(sorted(given.get(response_id, {}).items())))
                                 for response_id in started)
        return counted


async def _tallied(db: Database) -> dict[str, set[tuple]]:
    async with db.serialized() as tx:
        results = tx.feedback
        questionnaire = (await tx.questionnaires.all())[0]
        chunks = [chunk async for chunk in results.responses(questionnaire)]
        keys = [str(q.id) for q in questionnaire.questions]
        rows = [(int(n), {key: value for key, value in zip(keys, values, strict=True) if value})
                for chunk in chunks for n, values in zip(chunk.ids, zip(*chunk.answers, strict=True), strict=True)]
        texts = {tuple(row) for row in await tx.connection.execute_fetchall("SELECT * FROM answer_text")}
        events = [row[0] for row in await tx.connection.execute_fetchall("SELECT id FROM event")]
        listed = []
        for question in questionnaire.questions:
            if question.kind is QuestionKind.TEXT:
                async for event_id, chunk in results.texts(question.id, events):
                    listed += [(question.id, event_id, language, city, text) for language, city, text in
                               zip(chunk.languages, chunk.cities, chunk.texts, strict=True)]
        return {
            "texts": texts,
            "listed": sorted(listed),
            "rows": sorted((n, tuple(sorted((key, _in_order(value)) for key, value in answers.items())))
                           for n, answers in rows),
            "answers": {(r.question_id, r.event_id, r.city, int(r.skipped), r.number, r.count)
                        for r in await results.answer_counts()},
            "choices": {(r.question_id, r.event_id, r.city, r.choice_id, r.count)
                        for r in await results.choice_counts()},
            "turnout": {(r.questionnaire_id, r.event_id, r.city, r.asked, r.finished, r.partly)
                        for r in await results.turnout()},
        }


async def _people_answer(db: Database, event_ids: list[int], rng: random.Random, steps: int) -> None:
    """People asked, answering, changing their minds, taking answers back, submitting and deleting their data,
    through the same storage calls as the answering journey, in a random order."""
    questionnaire = await save_questionnaire(db)
    questions = questionnaire.questions
    responses: list[int] = []
    people = list(range(5000, 5040))
    now = BEFORE_THE_WEEK
    for _ in range(steps):
        now += timedelta(minutes=1)
        async with db.transaction() as tx:
            move = rng.random()
            if move < 0.2 or not responses:
                person = rng.choice(people)
                city = rng.choice(CITIES)
                await tx.connection.execute(
                    "INSERT OR IGNORE INTO participant (telegram_id, language, city, consent_at, created_at, "
                    "updated_at) VALUES (?, 'it', ?, '2027-01-01 09:00:00', '2027-01-01 09:00:00', "
                    "'2027-01-01 09:00:00')", (person, city))
                response_id = await tx.responses.start(
                    questionnaire.id, Askable(rng.choice(event_ids), person, "it", city), "it", now,
                    now + timedelta(days=14))
                if response_id is not None:
                    responses.append(response_id)
            elif move < 0.75:
                response_id, question = rng.choice(responses), rng.choice(questions)
                if question.choices:
                    picked = rng.sample([c.id for c in question.choices], rng.randrange(0, len(question.choices)))
                    await tx.responses.answer(response_id, question.id, now, choice_ids=picked,
                                              skipped=not picked)
                elif question.kind.bounds:
                    await tx.responses.answer(response_id, question.id, now,
                                              number=rng.randrange(question.kind.bounds[0],
                                                                   question.kind.bounds[1] + 1))
                else:
                    await tx.responses.answer(response_id, question.id, now, text=f"idea {rng.random()}",
                                              skipped=rng.random() < 0.3)
            elif move < 0.85:
                await tx.responses.forget_answer(rng.choice(responses), rng.choice(questions).id)
            elif move < 0.95:
                await tx.responses.submit(rng.choice(responses), now)
            else:
                await tx.connection.execute("DELETE FROM participant WHERE telegram_id = ?", (rng.choice(people),))


def _in_order(value: str) -> str:
    """Choice ids come in no promised order: the spreadsheet sorts them by the question's order."""
    return ",".join(sorted(value.split(","), key=int)) if value.replace(",", "").isdigit() else value


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_counts_always_equal_the_answers(tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    if seed == 3:  # the files' rows read in many small chunks
        monkeypatch.setattr("storage.feedback_results.FIRST_CHUNK", 2)
        monkeypatch.setattr("storage.feedback_results.STREAM_CHUNK", 3)
    db = await Database.open(tmp_path / "ponte.db")
    try:
        event_ids = await _events(db)
        await _people_answer(db, event_ids, random.Random(seed), 400)
        counted, tallied = await _counted(db), await _tallied(db)
        assert tallied == counted
        assert sum(row[-1] for row in counted["answers"]) > 100, "the walk answered a good many questions"
        assert any(row[-1] for row in counted["turnout"]), "someone stopped part way"
    finally:
        await db.close()


async def test_a_database_from_before_the_counts_is_counted_on_upgrade(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ponte.db"
    with monkeypatch.context() as before:
        counts = next(n for n, m in enumerate(MIGRATIONS) if m.description.startswith("running counts"))
        before.setattr("storage.database.MIGRATIONS", MIGRATIONS[:counts])
        db = await Database.open(path)
        event_ids = await _events(db)
        await _people_answer(db, event_ids, random.Random(9), 300)
        counted = await _counted(db)
        await db.close()
    db = await Database.open(path)
    try:
        assert await db.schema_version() == len(MIGRATIONS)
        assert await _tallied(db) == counted
        await _people_answer(db, event_ids, random.Random(10), 100)
        assert await _tallied(db) == await _counted(db), "and kept from then on"
    finally:
        await db.close()


@asynccontextmanager
async def _answered(tmp_path: Path, seed: int, steps: int) -> AsyncIterator[tuple[Database, list[int]]]:
    """A database with the example agenda and ``steps`` of people answering, and its events' ids."""
    db = await Database.open(tmp_path / "ponte.db")
    try:
        event_ids = await _events(db)
        await _people_answer(db, event_ids, random.Random(seed), steps)
        yield db, event_ids
    finally:
        await db.close()


async def test_a_response_keeps_where_it_was_asked_and_is_never_deleted(tmp_path: Path) -> None:
    async with _answered(tmp_path, 4, 50) as (db, _):
        for change in ("UPDATE response SET city = 'elsewhere' WHERE city IS NOT 'elsewhere'",
                       "UPDATE response SET event_id = event_id + 1", "DELETE FROM response"):
            with pytest.raises(sqlite3.IntegrityError):
                async with db.transaction() as tx:
                    await tx.connection.execute(change)
        assert await _tallied(db) == await _counted(db)


async def test_answers_stay_in_their_columns_when_questions_are_added_moved_or_removed(tmp_path: Path) -> None:
    async with _answered(tmp_path, 5, 150) as (db, event_ids):
        useful, actors, transfer, blocker, idea = VISIT.questions
        later = Question("later", QuestionKind.SCALE, Texts("Un'altra domanda", "Another question"))
        await save_questionnaire(db, replace(VISIT, questions=(idea, later, useful, actors, transfer, blocker)))
        assert await _tallied(db) == await _counted(db), "a new question, and the questions in a new order"
        await _people_answer(db, event_ids, random.Random(6), 100)
        unanswered = Question("unasked", QuestionKind.RATING, Texts("Mai chiesta", "Never asked"))
        await save_questionnaire(db, replace(VISIT, questions=(*VISIT.questions, later, unanswered)))
        await save_questionnaire(db, replace(VISIT, questions=(*VISIT.questions, later)))
        assert await _tallied(db) == await _counted(db), "a question nobody answered, taken away"
