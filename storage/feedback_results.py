"""What people answered after the events, read for the coordinators' report: the counts, and the answers
themselves streamed a chunk at a time for the files. Read-only.

Both come from what the database keeps as answers are written (the migrations "running counts of the answers"
and "each response's answers side by side"): counts by (question, event, city), so that the whole programme,
one event or one city are sums over a few hundred rows, never a pass over every answer; each response's
answers side by side; the free texts in the order the document lists them. Names are selected only when asked
for (a questionnaire that is not anonymous): an anonymous report never reads them."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.events import event_from_row
from storage.questionnaires import Questionnaire
from storage.records import Event
from storage.timestamps import from_db, to_db

STREAM_CHUNK = 2000  # rows fetched from SQLite's thread at a time while streaming
FIRST_CHUNK = 400  # the first chunk of responses: the file starts sooner
TEXTS_AHEAD = 8  # events whose free texts are asked for before they are read (TextsAhead)


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


# A chunk of rows comes as one text SQLite builds (see _chunks): its fields one after the other, every row with
# the same number of fields, FIELD between them all. Any FIELD in what people wrote is made a space: it is a
# control character nobody types.
FIELD = "\x1f"
FIXED = 7  # the fields of a response before its answers


@dataclass(frozen=True)
class TextChunk:
    """Free-text answers as the report document lists them, column by column ('' for none)."""

    languages: list[str]
    cities: list[str]
    names: list[str]
    texts: list[str]


@dataclass(frozen=True)
class ResponseChunk:
    """Responses as spreadsheet rows, column by column, every field as text ('' for none): the moment each
    was submitted, in days since 30 December 1899 with ten decimals, on the clock asked for; the answers, one
    column for each question of the questionnaire in its order, each value the number, the text or the ids of
    the choices picked, comma-separated ('' for a question skipped or not answered)."""

    ids: list[str]
    event_ids: list[str]
    languages: list[str]
    cities: list[str]
    submitted: list[str]
    names: list[str]
    usernames: list[str]
    answers: list[list[str]]


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

    def texts(self, question_id: int, event_ids: Sequence[int], *, with_names: bool = False) -> TextsAhead:
        """Every free-text answer to one question, event by event in the order given and oldest first within
        each, in chunks: (event id, rows). One event at a time through its index, so that nothing sorts them all.
        The first events are asked for at once and read on SQLite's thread while the caller writes what comes
        before them (it only has to let the event loop turn once)."""
        name = f"{_field('p.display_name')}, " if with_names else ""  # anonymous: no field for names at all
        join = (" JOIN response r ON r.id = t.response_id LEFT JOIN participant p ON p.telegram_id = r.participant_id"
                if with_names else "")
        # answer_text keeps the texts in this order (question, event, when): each event's are one stretch of it.
        sql = (f"SELECT group_concat(line, '{FIELD}'), count(*) FROM (SELECT "
               f"printf('{FIELD.join(['%s'] * (4 if with_names else 3))}', t.language, t.city, {name}"
               f"{_field('t.text')}) AS line "
               f"FROM answer_text t{join} WHERE t.question_id = ? AND t.event_id = ? "
               f"ORDER BY t.answered_at, t.response_id LIMIT {STREAM_CHUNK} OFFSET ?)")

        async def fetch(event_id: int, done: int) -> tuple[str | None, int]:
            rows = await self._db.execute_fetchall(sql, (question_id, event_id, done))
            return rows[0][0], rows[0][1]
        return TextsAhead(fetch, event_ids, with_names=with_names)

    async def responses(self, questionnaire: Questionnaire, event_id: int | None = None, *, with_names: bool = False,
                        clock: Sequence[tuple[datetime, int]] = ()) -> AsyncIterator[ResponseChunk]:
        """Every response to a questionnaire with at least one answer, oldest first, in chunks, read from the
        answers the database keeps side by side on each response (the migration "each response's answers side
        by side"); the next chunk is read on SQLite's thread while the caller writes the last one. The moments
        are read on ``clock``: its offsets from UTC in seconds, each from its moment on (the first one before it
        too; none: UTC)."""
        where, params = _event_filter(event_id)
        # An anonymous report reads no names: it has no fields for them (fewer strings to make of each chunk).
        names = f"{_field('p.display_name')}, {_field('p.username')}, " if with_names else ""
        join = " LEFT JOIN participant p ON p.telegram_id = r.participant_id" if with_names else ""
        fixed = FIXED if with_names else FIXED - 2
        sql = (f"SELECT group_concat(line, '{FIELD}'), count(*), max(id) FROM (SELECT r.id AS id, "
               f"printf('{FIELD.join(['%s'] * (fixed + 1))}', r.id, r.event_id, r.language, r.city, "
               f"{_day_number('r.submitted_at', clock)}, {names}r.answers) AS line "
               f"FROM response r{join} WHERE r.questionnaire_id = ? AND r.started AND r.id > ?{where} "
               "ORDER BY r.id LIMIT ?)")
        # The answers come in the order of the questions' ids (see storage.migrations._ANSWERS_ROW).
        by_id = sorted(range(len(questionnaire.questions)), key=lambda n: questionnaire.questions[n].id)
        place = {n: fixed + at for at, n in enumerate(by_id)}
        width = fixed + len(by_id)
        async for text in _chunks(self._db, sql, lambda last, size: (questionnaire.id, last, *params, size)):
            fields = text.split(FIELD)
            if len(fields) % width:
                raise RuntimeError(f"the answers kept on the responses to questionnaire {questionnaire.slug} do "
                                   "not match its questions")
            columns = [fields[n::width] for n in range(fixed)]
            if not with_names:
                columns += [[""] * len(columns[0]), [""] * len(columns[0])]
            yield ResponseChunk(*columns, [fields[place[n]::width] for n in range(len(by_id))])


async def _drop(reads: list[asyncio.Future]) -> None:
    """Reads no longer wanted: cancelled and waited for (a cancellation of the caller still reaches it), their
    failures taken as seen: nobody needs to hear of them."""
    for read in reads:
        read.cancel()
    if reads:
        await asyncio.wait(reads)
    for read in reads:
        if not read.cancelled():
            read.exception()


def _day_number(column: str, clock: Sequence[tuple[datetime, int]]) -> str:
    """A moment (a UTC timestamp column) as days since 30 December 1899 on ``clock``, with ten decimals (to
    nine millionths of a second): the count spreadsheets keep, made here, in C, rather than in Python for each
    of tens of thousands of rows. The timestamps compare as text (storage.timestamps' format). NULL stays
    NULL."""
    offsets = [offset for _, offset in clock] or [0]
    shift = "".join(f"WHEN {column} < '{to_db(since)}' THEN {int(before)} "
                    for (since, _), before in zip(clock[1:], offsets, strict=False))
    shift = f"CASE {shift}ELSE {int(offsets[-1])} END" if shift else str(int(offsets[-1]))
    # julianday counts from noon, 24 November 4714 BC: 2415018.5 is midnight, 30 December 1899.
    return (f"CASE WHEN {column} IS NOT NULL THEN "
            f"printf('%.10f', julianday({column}) - 2415018.5 + ({shift}) / 86400.0) END")


def _field(expression: str) -> str:
    """A text people wrote, as a field of a chunk's text: FIELD in it (if ever) as a space."""
    return (f"CASE WHEN instr({expression}, char(31)) THEN replace({expression}, char(31), ' ') "
            f"ELSE {expression} END")


async def _chunks(db: aiosqlite.Connection, sql: str, params: Callable[[int, int], tuple]) -> AsyncIterator[str]:
    """The rows of a query as texts of up to STREAM_CHUNK rows (FIRST_CHUNK for the first, so that the caller
    starts sooner), each built by SQLite: FIELD between the fields of a row and between rows. ``sql`` selects
    that text, how many rows it holds and the key of its last row, given ``params(key of the last row read,
    how many rows at most)``.

    One text rather than a Python row for each row: SQLite builds it on its thread without needing Python's
    interpreter lock, so it goes on while the caller writes the chunk before it; a query returning rows one by
    one waits for the lock at each row and hardly moves while the caller works (measured: beside 100 ms of
    busy Python, a 46 ms query of 20,500 rows ended after 162 ms, the same rows as one text after 100 ms).
    The next chunk is asked for as soon as one arrives."""
    async def fetch(last: int, size: int) -> tuple[str | None, int, int | None]:
        rows = await db.execute_fetchall(sql, params(last, size))
        return rows[0][0], rows[0][1], rows[0][2]

    size = FIRST_CHUNK
    ahead = asyncio.ensure_future(fetch(0, size))
    try:
        while True:
            text, count, last = await ahead
            if not count:
                return
            if count < size:  # the last: nothing more to ask for
                yield text
                return
            size = STREAM_CHUNK
            ahead = asyncio.ensure_future(fetch(last, size))
            await asyncio.sleep(0)  # let the read of the next chunk start before this one is written
            yield text
    finally:
        await _drop([ahead])


class TextsAhead:
    """Chunks of free texts, event by event: the queries of the next few events are handed to SQLite's thread
    before they are needed (each builds its chunk as one text, without Python's lock: see _chunks), and read
    in order. ``aclose`` drops what was not read."""

    def __init__(self, fetch: Callable[[int, int], Awaitable[tuple[str | None, int]]], event_ids: Sequence[int],
                 window: int = TEXTS_AHEAD, *, with_names: bool = False) -> None:
        self._fetch = fetch
        self._with_names = with_names
        self._events = iter(event_ids)
        self._pending: deque[tuple[int, int, asyncio.Future]] = deque()
        for _ in range(window):
            self._ask_next_event()

    def _ask(self, event_id: int, done: int, *, first: bool = False) -> None:
        asked = (event_id, done, asyncio.ensure_future(self._fetch(event_id, done)))
        if first:
            self._pending.appendleft(asked)
        else:
            self._pending.append(asked)

    def _ask_next_event(self) -> None:
        event_id = next(self._events, None)
        if event_id is not None:
            self._ask(event_id, 0)

    def __aiter__(self) -> TextsAhead:
        return self

    async def __anext__(self) -> tuple[int, TextChunk]:
        while self._pending:
            event_id, done, asked = self._pending.popleft()
            text, count = await asked
            if count == STREAM_CHUNK:  # more of this event: asked for next, read before the other events
                self._ask(event_id, done + count, first=True)
            else:
                self._ask_next_event()
            if count:
                fields = text.split(FIELD)
                if self._with_names:
                    return event_id, TextChunk(fields[0::4], fields[1::4], fields[2::4], fields[3::4])
                return event_id, TextChunk(fields[0::3], fields[1::3], [""] * count, fields[2::3])
        raise StopAsyncIteration

    async def aclose(self) -> None:
        await _drop([asked for _, _, asked in self._pending])
        self._pending.clear()


def _texts_select(with_names: bool) -> str:
    names = ", p.display_name" if with_names else ""
    join = " LEFT JOIN participant p ON p.telegram_id = r.participant_id" if with_names else ""
    return (f"SELECT a.question_id, r.event_id, a.text, r.language, r.city, a.answered_at{names} "
            f"FROM answer a JOIN response r ON r.id = a.response_id{join}")


def _text_answer(row: aiosqlite.Row, with_names: bool) -> TextAnswer:
    return TextAnswer(row[0], row[1], row[2], row[3], row[4], from_db(row[5]), row[6] if with_names else None)
