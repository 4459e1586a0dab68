"""What people answered after the events, read for the coordinators' report: counts grouped in SQL, and the
answers themselves streamed row by row for the files. Read-only.

The counts come from the tallies the database keeps by (question, event, city) as answers are written (see
the migration "running counts of the answers"), so that the whole programme, one event or one city are sums
over a few hundred rows, never a pass over every answer. Names are
selected only when asked for (a questionnaire that is not anonymous): an anonymous report never reads them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.events import event_from_row
from storage.questionnaires import Questionnaire
from storage.records import Event
from storage.timestamps import from_db

STREAM_CHUNK = 2000  # rows fetched from SQLite's thread at a time while streaming
READ_AHEAD = 4  # chunks read before the reader asks for them (ReadAhead)
TEXTS_AHEAD = 64  # chunks of free texts (an event's at most each): all of them, for a large programme


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


# A free-text answer as the report document lists it: (text, language, city, name or None).
TextRow = tuple
# A response as a spreadsheet row: (id, event id, language, city, submitted at in seconds since 1970 (UTC) or
# None, name, username, answers). The answers are by question id, written as text: the number, the text, or the
# ids of the choices picked, comma-separated; a question skipped or not answered is absent. Plain tuples and
# strings, not objects: a report of 100,000 answers reads tens of thousands of them.
ResponseRow = tuple
ANSWERS = 7  # where a ResponseRow's answers are


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

    def texts(self, question_id: int, event_ids: Sequence[int], *, with_names: bool = False) -> ReadAhead:
        """Every free-text answer to one question, event by event in the order given and oldest first within
        each, in chunks: (event id, rows). One event at a time through its index, so that nothing sorts them all.
        Reading starts at once, on SQLite's thread, while the caller writes what comes before them."""
        names = ", p.display_name" if with_names else ", NULL"
        join = " LEFT JOIN participant p ON p.telegram_id = r.participant_id" if with_names else ""
        # CROSS JOIN: the event's responses first (its index), then each one's answer by its key; left to
        # itself SQLite would walk every text answer of the question for each event.
        sql = (f"SELECT a.text, r.language, r.city{names} FROM response r "
               f"CROSS JOIN answer a ON a.response_id = r.id AND a.question_id = ?{join} "
               "WHERE r.event_id = ? AND a.skipped = 0 AND a.text IS NOT NULL ORDER BY a.answered_at, a.response_id")

        async def read() -> AsyncIterator[tuple[int, list[TextRow]]]:
            for event_id in event_ids:
                async for rows in _chunks(await self._db.execute(sql, (question_id, event_id))):
                    yield event_id, rows
        return ReadAhead(read(), TEXTS_AHEAD)

    async def responses(self, questionnaire: Questionnaire, event_id: int | None = None, *,
                        with_names: bool = False) -> AsyncIterator[list[ResponseRow]]:
        """Every response to a questionnaire with at least one answer, oldest first, in chunks, read from the
        answers the database keeps side by side on each response (the migration "each response's answers side
        by side"); the next chunk is read on SQLite's thread while the caller writes the last one."""
        where, params = _event_filter(event_id)
        names = "p.display_name, p.username" if with_names else "NULL, NULL"
        join = " LEFT JOIN participant p ON p.telegram_id = r.participant_id" if with_names else ""
        cursor = await self._db.execute(
            "SELECT r.id, r.event_id, r.language, r.city, CAST(strftime('%s', r.submitted_at) AS INTEGER), "
            f"{names}, r.answers FROM response r{join} WHERE r.questionnaire_id = ? AND r.started{where} "
            "ORDER BY r.id", (questionnaire.id, *params))
        async for rows in _chunks(cursor):
            yield [(*row[:ANSWERS], _given(row[ANSWERS])) for row in rows]


async def _chunks(cursor: aiosqlite.Cursor) -> AsyncIterator[list[tuple]]:
    """A query's rows as plain tuples (cheaper than rows with names, by the ten thousand), a chunk at a time,
    the next chunk read on SQLite's thread while the caller writes the last one; the cursor is closed at the
    end, or when the caller stops early."""
    cursor.row_factory = None
    ahead = asyncio.ensure_future(cursor.fetchmany(STREAM_CHUNK))
    try:
        while rows := await ahead:
            ahead = asyncio.ensure_future(cursor.fetchmany(STREAM_CHUNK))
            await asyncio.sleep(0)  # let the read of the next chunk start before this one is written
            yield rows
    finally:
        if not ahead.done():
            ahead.cancel()
        await cursor.close()


class ReadAhead:
    """An async iterator read into a small queue by a task of its own from the moment it is made, so that the
    database works while its reader does something else; ``aclose`` stops it. A failure reaches the reader."""

    _END = object()

    def __init__(self, source: AsyncIterator, size: int = READ_AHEAD) -> None:
        self._queue: asyncio.Queue = asyncio.Queue(maxsize=size)
        self._done = False
        self._task = asyncio.create_task(self._read(source))

    async def _read(self, source: AsyncIterator) -> None:
        try:
            async for item in source:
                await self._queue.put(item)
            await self._queue.put(self._END)
        except Exception as failure:  # raised in the reader, where it can be answered
            await self._queue.put(failure)

    def __aiter__(self) -> ReadAhead:
        return self

    async def __anext__(self) -> object:
        if self._done:
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is self._END or isinstance(item, Exception):
            self._done = True
            if isinstance(item, Exception):
                raise item
            raise StopAsyncIteration
        return item

    async def aclose(self) -> None:
        self._done = True
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def _given(answers: str | None) -> dict[str, str]:
    if not answers:
        return {}
    parts = answers.split("\x1f")
    return dict(zip(parts[::2], parts[1::2], strict=True))


def _texts_select(with_names: bool) -> str:
    names = ", p.display_name" if with_names else ""
    join = " LEFT JOIN participant p ON p.telegram_id = r.participant_id" if with_names else ""
    return (f"SELECT a.question_id, r.event_id, a.text, r.language, r.city, a.answered_at{names} "
            f"FROM answer a JOIN response r ON r.id = a.response_id{join}")


def _text_answer(row: aiosqlite.Row, with_names: bool) -> TextAnswer:
    return TextAnswer(row[0], row[1], row[2], row[3], row[4], from_db(row[5]), row[6] if with_names else None)
