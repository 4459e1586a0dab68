"""Questionnaires: what is asked after which events. Questions and choices keep their ids across re-imports
(they are matched by their stable key), so answers given before a correction stay comparable."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiosqlite

from storage.records import Texts
from storage.timestamps import to_db

NO_TEXT = Texts("", "")


class QuestionKind(enum.StrEnum):
    RATING = "rating"  # 1 to 5, with labelled ends
    SCALE = "scale"  # 0 to 10, with labelled ends
    SINGLE = "single"  # one choice
    MULTIPLE = "multiple"  # any number of choices, then Done
    TEXT = "text"  # typed as a message, up to max_length characters

    @property
    def bounds(self) -> tuple[int, int] | None:
        """The numbers a rating or a scale takes; None for the other kinds."""
        return {QuestionKind.RATING: (1, 5), QuestionKind.SCALE: (0, 10)}.get(self)


@dataclass(frozen=True)
class Choice:
    key: str
    label: Texts
    id: int | None = None  # set once stored


@dataclass(frozen=True)
class Question:
    key: str
    kind: QuestionKind
    text: Texts
    required: bool = True
    low: Texts = NO_TEXT  # the labelled ends of a rating or a scale
    high: Texts = NO_TEXT
    max_length: int | None = None  # free text only
    choices: tuple[Choice, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class Questionnaire:
    slug: str
    title: Texts
    questions: tuple[Question, ...]
    intro: Texts = NO_TEXT
    kinds: frozenset[str] = frozenset()  # asked after events of these kinds
    events: frozenset[str] = frozenset()  # and after these events, by slug
    anonymous: bool = True
    open_for: timedelta = timedelta(days=14)  # how long a request stays open once sent
    id: int | None = None
    updated_at: datetime | None = field(default=None, compare=False)

    def applies_to(self, event_slug: str, event_kind: str) -> bool:
        return event_slug in self.events or event_kind in self.kinds


class QuestionnaireRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def all(self) -> list[Questionnaire]:
        rows = await self._db.execute_fetchall("SELECT * FROM questionnaire ORDER BY id")
        return [await self._assemble(row) for row in rows]

    async def by_slug(self, slug: str) -> Questionnaire | None:
        rows = await self._db.execute_fetchall("SELECT * FROM questionnaire WHERE slug = ?", (slug,))
        return await self._assemble(rows[0]) if rows else None

    async def by_id(self, questionnaire_id: int) -> Questionnaire | None:
        rows = await self._db.execute_fetchall("SELECT * FROM questionnaire WHERE id = ?", (questionnaire_id,))
        return await self._assemble(rows[0]) if rows else None

    async def for_event(self, event_slug: str, event_kind: str) -> Questionnaire | None:
        """The questionnaire asked after this event: one naming its slug wins over one naming its kind, and
        among equals the one imported last (so an organiser's own replaces the default for the same kinds)."""
        found = [q for q in await self.all() if q.applies_to(event_slug, event_kind)]
        found.sort(key=lambda q: (event_slug not in q.events, -q.id))
        return found[0] if found else None

    async def answered_question_keys(self, questionnaire_id: int) -> set[str]:
        rows = await self._db.execute_fetchall(
            "SELECT DISTINCT q.key FROM question q JOIN answer a ON a.question_id = q.id "
            "WHERE q.questionnaire_id = ?", (questionnaire_id,))
        return {row[0] for row in rows}

    async def answered_choice_keys(self, questionnaire_id: int) -> set[tuple[str, str]]:
        """(question key, choice key) of every choice someone picked."""
        rows = await self._db.execute_fetchall(
            "SELECT DISTINCT q.key, c.key FROM answer_choice ac JOIN choice c ON c.id = ac.choice_id "
            "JOIN question q ON q.id = c.question_id WHERE q.questionnaire_id = ?", (questionnaire_id,))
        return {(row[0], row[1]) for row in rows}

    async def save(self, questionnaire: Questionnaire, now: datetime) -> int:
        """Insert or update by slug. Questions and choices are matched by key: a matched one keeps its id (and
        its answers), new ones are added, and ones no longer in the file are removed. The caller refuses to
        remove what was answered (see ``answered_question_keys``) before calling this."""
        q = questionnaire
        values = (q.title.it, q.title.en, q.intro.it, q.intro.en, json.dumps(sorted(q.kinds)),
                  json.dumps(sorted(q.events)), int(q.anonymous), int(q.open_for.total_seconds()), to_db(now))
        cursor = await self._db.execute(
            "INSERT INTO questionnaire (slug, title_it, title_en, intro_it, intro_en, kinds, events, anonymous, "
            "open_seconds, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (slug) DO UPDATE SET title_it = excluded.title_it, title_en = excluded.title_en, "
            "intro_it = excluded.intro_it, intro_en = excluded.intro_en, kinds = excluded.kinds, "
            "events = excluded.events, anonymous = excluded.anonymous, open_seconds = excluded.open_seconds, "
            "updated_at = excluded.updated_at RETURNING id",
            (q.slug, *values),
        )
        questionnaire_id = (await cursor.fetchone())[0]
        await cursor.close()
        keys = [question.key for question in q.questions]
        await self._db.execute(
            f"DELETE FROM question WHERE questionnaire_id = ? AND key NOT IN ({','.join('?' * len(keys))})",
            (questionnaire_id, *keys),
        )
        for position, question in enumerate(q.questions):
            await self._save_question(questionnaire_id, position, question)
        return questionnaire_id

    async def _save_question(self, questionnaire_id: int, position: int, question: Question) -> None:
        cursor = await self._db.execute(
            "INSERT INTO question (questionnaire_id, key, position, kind, required, text_it, text_en, low_it, "
            "low_en, high_it, high_en, max_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (questionnaire_id, key) DO UPDATE SET position = excluded.position, "
            "kind = excluded.kind, required = excluded.required, text_it = excluded.text_it, "
            "text_en = excluded.text_en, low_it = excluded.low_it, low_en = excluded.low_en, "
            "high_it = excluded.high_it, high_en = excluded.high_en, max_length = excluded.max_length "
            "RETURNING id",
            (questionnaire_id, question.key, position, question.kind.value, int(question.required),
             question.text.it, question.text.en, question.low.it, question.low.en, question.high.it,
             question.high.en, question.max_length),
        )
        question_id = (await cursor.fetchone())[0]
        await cursor.close()
        keys = [choice.key for choice in question.choices]
        await self._db.execute(
            f"DELETE FROM choice WHERE question_id = ? AND key NOT IN ({','.join('?' * len(keys))})",
            (question_id, *keys),
        )
        for index, choice in enumerate(question.choices):
            await self._db.execute(
                "INSERT INTO choice (question_id, key, position, label_it, label_en) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (question_id, key) DO UPDATE SET position = excluded.position, "
                "label_it = excluded.label_it, label_en = excluded.label_en",
                (question_id, choice.key, index, choice.label.it, choice.label.en),
            )

    async def _assemble(self, row: aiosqlite.Row) -> Questionnaire:
        questions = await self._db.execute_fetchall(
            "SELECT * FROM question WHERE questionnaire_id = ? ORDER BY position", (row["id"],))
        choices = await self._db.execute_fetchall(
            "SELECT c.* FROM choice c JOIN question q ON q.id = c.question_id WHERE q.questionnaire_id = ? "
            "ORDER BY c.question_id, c.position", (row["id"],))
        by_question: dict[int, list[Choice]] = {}
        for c in choices:
            by_question.setdefault(c["question_id"], []).append(
                Choice(c["key"], Texts(c["label_it"], c["label_en"]), c["id"]))
        return Questionnaire(
            slug=row["slug"],
            title=Texts(row["title_it"], row["title_en"]),
            intro=Texts(row["intro_it"], row["intro_en"]),
            kinds=frozenset(json.loads(row["kinds"])),
            events=frozenset(json.loads(row["events"])),
            anonymous=bool(row["anonymous"]),
            open_for=timedelta(seconds=row["open_seconds"]),
            id=row["id"],
            questions=tuple(
                Question(
                    key=r["key"], kind=QuestionKind(r["kind"]), text=Texts(r["text_it"], r["text_en"]),
                    required=bool(r["required"]), low=Texts(r["low_it"], r["low_en"]),
                    high=Texts(r["high_it"], r["high_en"]), max_length=r["max_length"],
                    choices=tuple(by_question.get(r["id"], ())), id=r["id"],
                )
                for r in questions
            ),
        )
