"""The coordinators' report: what people said after the events, as figures, for the whole program or one
event. Coordinators and organisers only (checked here, for the chat and every other way in).

Who counts: "asked" is everyone a questionnaire was sent to; "finished" those who submitted it. The figures of
each question count every answer given, also by people who stopped part way (answers are kept as they are
given, and a half-answered questionnaire still says what its person thought); each question shows how many
answered it. Names are read only for a questionnaire that says it is not anonymous."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from bot.config.clock import Clock
from bot.domain.audit import AuditAction, note
from bot.domain.roles import Roles
from bot.domain.zones import offsets_between
from storage import Database, Transaction
from storage.feedback_results import (
    AnswerRow,
    ChoiceRow,
    EventTurnout,
    ResponseChunk,
    TextAnswer,
    TextsAhead,
    TurnoutRow,
)
from storage.questionnaires import Question, QuestionKind, Questionnaire
from storage.records import Event

RECENT_TEXTS = 5  # free-text answers shown in the chat for each question
CITIES = ("torino", "baltimore", "elsewhere", None)  # None: a person who never said where they are
ALL = "all"  # every city
ANSWERS_WITHIN = timedelta(days=3 * 366)  # after an event: room to spare for the latest answer to its questions


class ExportFormat(enum.StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    HTML = "html"


class UnknownEventError(Exception):
    """No event has this slug."""


@dataclass(frozen=True)
class Turnout:
    asked: int = 0
    finished: int = 0
    partly: int = 0

    @property
    def rate(self) -> float:
        """Finished ÷ asked (0 when nobody was asked)."""
        return self.finished / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class Tally:
    """One question's answers in one scope: given, skipped, and how many times each value (a number, or a
    choice's id) was given."""

    answered: int = 0
    skipped: int = 0
    counts: Mapping[int, int] = field(default_factory=dict)

    @property
    def average(self) -> float | None:
        total = sum(self.counts.values())
        return sum(value * n for value, n in self.counts.items()) / total if total else None


class Figures:
    """The counts of a scope grouped by (question, event, city) in SQL; the whole, an event or a city are sums
    over those few rows."""

    def __init__(self, turnout: list[TurnoutRow], answers: list[AnswerRow] | None,
                 choices: list[ChoiceRow] | None) -> None:
        """``answers`` and ``choices`` None: the counts were not read (a file of rows needs only the turnout),
        and asking for a tally is a mistake that raises."""
        self._turnout = turnout
        self._counted = answers is not None and choices is not None
        self._answers: dict[int, list[AnswerRow]] = {}  # by question: a report asks for one question at a time
        for row in answers or ():
            self._answers.setdefault(row.question_id, []).append(row)
        self._choices: dict[int, list[ChoiceRow]] = {}
        for row in choices or ():
            self._choices.setdefault(row.question_id, []).append(row)
        self._by_part: dict[int, dict[tuple[int, str | None], Tally]] = {}
        self._tallies: dict[tuple[int, int | None, str | None], Tally] = {}

    def turnout(self, questionnaire_id: int | None = None, event_id: int | None = None,
                city: str | None = ALL) -> Turnout:
        rows = [r for r in self._turnout if (questionnaire_id is None or r.questionnaire_id == questionnaire_id)
                and (event_id is None or r.event_id == event_id) and (city == ALL or r.city == city)]
        return Turnout(sum(r.asked for r in rows), sum(r.finished for r in rows), sum(r.partly for r in rows))

    def tally(self, question: Question, event_id: int | None = None, city: str | None = ALL) -> Tally:
        """A question's answers in a scope: made once (a report asks for the same one several times)."""
        key = (question.id, event_id, city)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = self._sum(question, event_id, city)
        return tally

    def _sum(self, question: Question, event_id: int | None, city: str | None) -> Tally:
        if not self._counted:
            raise RuntimeError("the counts of the answers were not read for this report")
        answered = skipped = 0
        counts: dict[int, int] = {}
        for (part_event, part_city), part in self._parts(question).items():
            if (event_id is None or part_event == event_id) and (city == ALL or part_city == city):
                answered += part.answered
                skipped += part.skipped
                for value, n in part.counts.items():
                    counts[value] = counts.get(value, 0) + n
        return Tally(answered, skipped, counts)

    def _parts(self, question: Question) -> dict[tuple[int, str | None], Tally]:
        """A question's tally in each (event, city), made on first use: a report asks for a question's figures
        by event and by city, dozens of times."""
        parts = self._by_part.get(question.id)
        if parts is not None:
            return parts
        answered: dict[tuple[int, str | None], int] = {}
        skipped: dict[tuple[int, str | None], int] = {}
        counts: dict[tuple[int, str | None], dict[int, int]] = {}
        numbers = question.kind.bounds is not None
        for row in self._answers.get(question.id, ()):
            where = (row.event_id, row.city)
            if row.skipped:
                skipped[where] = skipped.get(where, 0) + row.count
                continue
            answered[where] = answered.get(where, 0) + row.count
            if numbers and row.number is not None:
                these = counts.setdefault(where, {})
                these[row.number] = these.get(row.number, 0) + row.count
        for row in self._choices.get(question.id, ()):
            these = counts.setdefault((row.event_id, row.city), {})
            these[row.choice_id] = these.get(row.choice_id, 0) + row.count
        parts = self._by_part[question.id] = {
            where: Tally(answered.get(where, 0), skipped.get(where, 0), counts.get(where, {}))
            for where in answered.keys() | skipped.keys() | counts.keys()}
        return parts

    def cities(self) -> list[str | None]:
        """The cities people were asked in, in the report's order."""
        present = {r.city for r in self._turnout}
        return [city for city in CITIES if city in present]


@dataclass(frozen=True)
class FeedbackReport:
    event: Event | None  # None: the whole program
    events: tuple[EventTurnout, ...]  # the events in scope after which people were asked, in time order
    questionnaires: tuple[Questionnaire, ...]  # those asked in scope
    figures: Figures
    recent: Mapping[int, tuple[TextAnswer, ...]]  # question id -> its latest free-text answers
    home_zone: str  # the exchange's home time zone, for the moments in the files

    @property
    def empty(self) -> bool:
        return not self.events

    def event_by_id(self, event_id: int) -> Event | None:
        return next((e.event for e in self.events if e.event.id == event_id), None)


class Export:
    """A report being exported: its figures, and the answers themselves streamed from the database."""

    def __init__(self, report: FeedbackReport, tx: Transaction) -> None:
        self.report = report
        self._tx = tx

    @property
    def with_names(self) -> bool:
        return any(not q.anonymous for q in self.report.questionnaires)

    async def responses(self) -> AsyncIterator[tuple[Questionnaire, ResponseChunk]]:
        """Every response with an answer, questionnaire by questionnaire, oldest first, in chunks: each a
        ``storage.feedback_results.ResponseChunk``, column by column."""
        event_id = self.report.event.id if self.report.event else None
        starts = [e.event.starts_at for e in self.report.events]
        # The home clock from the first event to years after the last: every answer falls in between (a
        # questionnaire closes days after its event), and the moments of the rows are read on it.
        clock = offsets_between(self.report.home_zone, min(starts) - timedelta(days=1),
                                max(starts) + ANSWERS_WITHIN) if starts else []
        for questionnaire in self.report.questionnaires:
            async for chunk in self._tx.feedback.responses(questionnaire, event_id, clock=clock,
                                                           with_names=not questionnaire.anonymous):
                yield questionnaire, chunk

    def texts(self, questionnaire: Questionnaire, question: Question) -> TextsAhead:
        """Every free-text answer to a question, event by event (the events in scope, in time order), as
        ``(event id, rows)`` chunks; read from now on, ahead of the caller, until it is read or closed."""
        return self._tx.feedback.texts(question.id, [e.event.id for e in self.report.events],
                                       with_names=not questionnaire.anonymous)


class Reports:
    def __init__(self, db: Database, roles: Roles, clock: Clock, home_zone: str = "Europe/Rome") -> None:
        self._db = db
        self._roles = roles
        self._clock = clock
        self._home_zone = home_zone

    async def events(self, requester_id: int) -> list[EventTurnout]:
        """The events after which people were asked, to choose one (raises NotAllowedError)."""
        self._roles.require_coordinator(requester_id)
        async with self._db.serialized() as tx:
            return await tx.feedback.events()

    async def summary(self, requester_id: int, slug: str | None = None) -> FeedbackReport:
        """The figures of the whole program, or of one event, with the latest free-text answers (raises
        NotAllowedError, UnknownEventError)."""
        self._roles.require_coordinator(requester_id)
        async with self._db.serialized() as tx:
            return await self._report(tx, slug, RECENT_TEXTS)

    @asynccontextmanager
    async def export(self, requester_id: int | None, what: ExportFormat,
                     slug: str | None = None) -> AsyncIterator[Export]:
        """Every export of the answers passes here, from the chat and from the command line (requester None:
        whoever runs ``ponte report`` holds the database file itself), and this is the one place where the
        audit log records it. The database is held while the file is written: the rows stream from it, all
        read from one state of the database."""
        if requester_id is not None:
            self._roles.require_coordinator(requester_id)
        async with self._db.serialized() as tx:
            # One statement, committed on its own (the connection is held without BEGIN): the record of the
            # export is kept even when writing the file fails half-way.
            await note(tx, self._clock, requester_id, AuditAction.EXPORT,
                       {"format": what.value, "event": slug or "all"})
            # The figures and every chunk of rows from one state of the answers, however long the file takes
            # while people go on answering (in the bot, or in another process beside `ponte report`).
            async with tx.snapshot():
                yield Export(await self._report(tx, slug, 0, counts=what is ExportFormat.HTML), tx)

    async def _report(self, tx: Transaction, slug: str | None, recent: int, *, counts: bool = True
                      ) -> FeedbackReport:
        """``counts`` False: the figures hold the turnout only (what a file of rows needs), not the counts of the
        answers."""
        event = None
        if slug is not None:
            event = await tx.events.by_slug(slug)
            if event is None:
                raise UnknownEventError(slug)
        event_id = event.id if event else None
        turnout = await tx.feedback.turnout(event_id)
        asked_ids = {row.questionnaire_id for row in turnout}
        questionnaires = tuple(q for q in await tx.questionnaires.all() if q.id in asked_ids)
        events = [e for e in await tx.feedback.events() if event_id is None or e.event.id == event_id]
        texts: dict[int, tuple[TextAnswer, ...]] = {}
        for questionnaire in questionnaires if recent else ():
            for question in questionnaire.questions:
                if question.kind is QuestionKind.TEXT:
                    texts[question.id] = tuple(await tx.feedback.recent_texts(
                        question.id, recent, event_id, with_names=not questionnaire.anonymous))
        figures = Figures(turnout, await tx.feedback.answer_counts(event_id) if counts else None,
                          await tx.feedback.choice_counts(event_id) if counts else None)
        return FeedbackReport(event, tuple(events), questionnaires, figures, texts, self._home_zone)
