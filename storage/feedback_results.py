"""What people answered after the events, read for the coordinators' report: counts grouped in SQL, and the
answers themselves streamed row by row for the files. Read-only.

The counts come from the tallies the database keeps by (question, event, city) as answers are written (see
the migration "running counts of the answers"), so that the whole programme, one event or one city are sums
over a few hundred rows, never a pass over every answer. Names are
selected only when asked for (a questionnaire that is not anonymous): an anonymous report never reads them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.events import event_from_row
from storage.records import Event
from storage.timestamps import from_db

STREAM_CHUNK = 2000  # rows fetched from SQLite's thread at a time while streaming


@dataclass(frozen=True)
class EventTurnout:
    """An event after which people were asked: how many, how many finished, how many stopped part way."""

    event: Event
    asked: int
    finished: int
    partly: int


@dataclass(frozen=True)
class TurnoutRow:
    questionnaire_id: int
    event_id: int
    city: str | None
    asked: int
    finished: int
    partly: int  # answered at least one question, not finished


@dataclass(frozen=True)
class AnswerRow:
    """Answers to one question in one (event, city): given or skipped, and for numbers, how many of each."""

    question_id: int
    event_id: int
    city: str | None
    skipped: bool
    number: int | None
    count: int


@dataclass(frozen=True)
class ChoiceRow:
    question_id: int
    event_id: int
    city: str | None
    choice_id: int
    count: int


@dataclass(frozen=True)
class TextAnswer:
    question_id: int
    event_id: int
    text: str
    language: str
    city: str | None
    answered_at: datetime
    name: str | None = None  # only for a questionnaire that is not anonymous


@dataclass(frozen=True)
class Given:
    """One answer as given: a number, a text, the ids of the choices picked, or skipped."""

    number: int | None
    text: str | None
    choices: tuple[int, ...]
    skipped: bool


@dataclass(frozen=True)
class ResponseRow:
    """One person's answers about one event (a spreadsheet row)."""

    id: int
    questionnaire_id: int
    event_id: int
    language: str
    city: str | None
    asked_at: datetime
    submitted_at: datetime | None
    answers: dict[int, Given]  # by question id
    name: str | None = None
    username: str | None = None


def _event_filter(event_id: int | None, alias: str = "r") -> tuple[str, tuple[int, ...]]:
    return (f" AND {alias}.event_id = ?", (event_id,)) if event_id is not None else ("", ())


class FeedbackResults:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def events(self) -> list[EventTurnout]:
        """Every event after which someone was asked, in time order."""
        rows = await self._db.execute_fetchall(
            "SELECT e.*, t.asked, t.finished, t.partly FROM (SELECT event_id, sum(asked) AS asked, "
            "sum(finished) AS finished, sum(partly) AS partly FROM response_tally GROUP BY event_id) t "
            "JOIN event e ON e.id = t.event_id WHERE t.asked > 0 ORDER BY e.starts_at, e.position, e.slug")
        return [EventTurnout(event_from_row(r), r["asked"], r["finished"], r["partly"]) for r in rows]

    async def turnout(self, event_id: int | None = None) -> list[TurnoutRow]:
        where, params = _event_filter(event_id, "t")
        rows = await self._db.execute_fetchall(
            "SELECT questionnaire_id, event_id, nullif(city, ''), asked, finished, partly "
            f"FROM response_tally t WHERE asked > 0{where}", params)
        return [TurnoutRow(*row) for row in rows]

    async def answer_counts(self, event_id: int | None = None) -> list[AnswerRow]:
        """Answers given and skipped, and the numbers given, by (question, event, city)."""
        where, params = _event_filter(event_id, "t")
        rows = await self._db.execute_fetchall(
            "SELECT question_id, event_id, nullif(city, ''), skipped, nullif(number, -1), count "
            f"FROM answer_tally t WHERE count > 0{where}", params)
        return [AnswerRow(q, e, c, bool(s), n, count) for q, e, c, s, n, count in rows]

    async def choice_counts(self, event_id: int | None = None) -> list[ChoiceRow]:
        where, params = _event_filter(event_id, "t")
        rows = await self._db.execute_fetchall(
            "SELECT question_id, event_id, nullif(city, ''), choice_id, count "
            f"FROM choice_tally t WHERE count > 0{where}", params)
        return [ChoiceRow(*row) for row in rows]

    async def recent_texts(self, question_id: int, limit: int, event_id: int | None = None, *,
                           with_names: bool = False) -> list[TextAnswer]:
        """The latest free-text answers to one question, newest first."""
        where, params = _event_filter(event_id)
        rows = await self._db.execute_fetchall(
            f"{_texts_select(with_names)} WHERE a.question_id = ? AND a.skipped = 0 AND a.text IS NOT NULL{where} "
            "ORDER BY a.answered_at DESC, a.response_id DESC LIMIT ?", (question_id, *params, limit))
        return [_text_answer(row, with_names) for row in rows]

    async def texts(self, question_id: int, event_id: int | None = None, *,
                    with_names: bool = False) -> AsyncIterator[TextAnswer]:
        """Every free-text answer to one question, by event (in time order), oldest first."""
        where, params = _event_filter(event_id)
        cursor = await self._db.execute(
            f"{_texts_select(with_names)} JOIN event e ON e.id = r.event_id "
            f"WHERE a.question_id = ? AND a.skipped = 0 AND a.text IS NOT NULL{where} "
            "ORDER BY e.starts_at, e.position, e.slug, a.answered_at, a.response_id", (question_id, *params))
        cursor.arraysize = STREAM_CHUNK
        try:
            async for row in cursor:
                yield _text_answer(row, with_names)
        finally:
            await cursor.close()

    async def responses(self, questionnaire_ids: Sequence[int], choice_question_ids: Sequence[int],
                        event_id: int | None = None, *, with_names: bool = False) -> AsyncIterator[ResponseRow]:
        """Every response with at least one answer, oldest first, its answers gathered: one query whose rows
        come in response order (the answer table's key starts with the response), read a chunk at a time."""
        where, params = _event_filter(event_id)
        marks = ",".join("?" * len(questionnaire_ids))
        choice_marks = ",".join("?" * len(choice_question_ids)) or "NULL"
        names = ", p.display_name, p.username" if with_names else ""
        join = " LEFT JOIN participant p ON p.telegram_id = r.participant_id" if with_names else ""
        cursor = await self._db.execute(
            "SELECT r.id, r.questionnaire_id, r.event_id, r.language, r.city, r.asked_at, r.submitted_at, "
            "a.question_id, a.number, a.text, a.skipped, "
            f"CASE WHEN a.question_id IN ({choice_marks}) THEN (SELECT group_concat(ac.choice_id) "
            "FROM answer_choice ac WHERE ac.response_id = a.response_id AND ac.question_id = a.question_id) END"
            f"{names} FROM response r JOIN answer a ON a.response_id = r.id{join} "
            f"WHERE r.questionnaire_id IN ({marks}){where} ORDER BY r.id",
            (*choice_question_ids, *questionnaire_ids, *params))
        cursor.arraysize = STREAM_CHUNK
        current: ResponseRow | None = None
        try:
            async for row in cursor:
                if current is None or current.id != row[0]:
                    if current is not None:
                        yield current
                    current = ResponseRow(
                        id=row[0], questionnaire_id=row[1], event_id=row[2], language=row[3], city=row[4],
                        asked_at=from_db(row[5]), submitted_at=from_db(row[6]),
                        answers={}, name=row[12] if with_names else None,
                        username=row[13] if with_names else None)
                picked = tuple(int(c) for c in row[11].split(",")) if row[11] else ()
                current.answers[row[7]] = Given(row[8], row[9], picked, bool(row[10]))
            if current is not None:
                yield current
        finally:
            await cursor.close()


def _texts_select(with_names: bool) -> str:
    names = ", p.display_name" if with_names else ""
    join = " LEFT JOIN participant p ON p.telegram_id = r.participant_id" if with_names else ""
    return (f"SELECT a.question_id, r.event_id, a.text, r.language, r.city, a.answered_at{names} "
            f"FROM answer a JOIN response r ON r.id = a.response_id{join}")


def _text_answer(row: aiosqlite.Row, with_names: bool) -> TextAnswer:
    return TextAnswer(row[0], row[1], row[2], row[3], row[4], from_db(row[5]), row[6] if with_names else None)
