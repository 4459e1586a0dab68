"""Responses to questionnaires: one per person and event, with one answer row per question answered or
skipped, and the choices picked in answer_choice. A response outlives its person: deleting one's data sets
``participant_id`` to NULL (the foreign key does it), and the answers stay in the report, detached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from storage.timestamps import from_db, to_db


@dataclass(frozen=True)
class Response:
    id: int
    questionnaire_id: int
    event_id: int
    participant_id: int | None
    language: str
    city: str | None
    asked_at: datetime
    reminded_at: datetime | None
    closes_at: datetime
    position: int  # the question the person is at (0-based); the number of questions: the summary
    reviewing: bool  # has reached the summary once: a changed answer leads back to it
    submitted_at: datetime | None

    def open_at(self, now: datetime) -> bool:
        return self.submitted_at is None and now < self.closes_at


@dataclass(frozen=True)
class Answer:
    question_id: int
    number: int | None = None  # rating 1-5, scale 0-10
    text: str | None = None  # free text
    skipped: bool = False
    choice_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Askable:
    """A person the feedback request of an event may go to, and what the report keeps of them."""

    event_id: int
    participant_id: int
    language: str | None
    city: str | None


def response_from_row(row: aiosqlite.Row) -> Response:
    return Response(
        id=row["id"], questionnaire_id=row["questionnaire_id"], event_id=row["event_id"],
        participant_id=row["participant_id"], language=row["language"], city=row["city"],
        asked_at=from_db(row["asked_at"]), reminded_at=from_db(row["reminded_at"]),
        closes_at=from_db(row["closes_at"]), position=row["position"], reviewing=bool(row["reviewing"]),
        submitted_at=from_db(row["submitted_at"]),
    )


# Confirmed for the event, consented, reachable, and not asked yet.
_CONFIRMED_NOT_ASKED = """
    SELECT r.event_id, r.participant_id, p.language, p.city
    FROM registration r JOIN participant p ON p.telegram_id = r.participant_id
    WHERE r.event_id = ? AND r.status = 'confirmed'
      AND p.consent_at IS NOT NULL AND p.unreachable_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM response s WHERE s.event_id = r.event_id AND s.participant_id = r.participant_id)
    ORDER BY r.queued_seq, r.participant_id
"""
# Checked in at the event (confirmed or walk-in), consented, reachable, and not asked yet.
_PRESENT_NOT_ASKED = """
    SELECT c.event_id, c.participant_id, p.language, p.city
    FROM checkin c JOIN participant p ON p.telegram_id = c.participant_id
    WHERE c.event_id = ? AND p.consent_at IS NOT NULL AND p.unreachable_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM response s WHERE s.event_id = c.event_id AND s.participant_id = c.participant_id)
    ORDER BY c.checked_in_at, c.participant_id
"""
_TO_REMIND = """
    SELECT s.* FROM response s JOIN participant p ON p.telegram_id = s.participant_id
    WHERE s.submitted_at IS NULL AND s.reminded_at IS NULL AND s.asked_at <= ? AND s.closes_at > ?
      AND p.consent_at IS NOT NULL AND p.unreachable_at IS NULL
    ORDER BY s.asked_at, s.id
"""


class ResponseRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def confirmed_not_asked(self, event_id: int) -> list[Askable]:
        rows = await self._db.execute_fetchall(_CONFIRMED_NOT_ASKED, (event_id,))
        return [Askable(row[0], row[1], row[2], row[3]) for row in rows]

    async def present_not_asked(self, event_id: int) -> list[Askable]:
        rows = await self._db.execute_fetchall(_PRESENT_NOT_ASKED, (event_id,))
        return [Askable(row[0], row[1], row[2], row[3]) for row in rows]

    async def start(self, questionnaire_id: int, person: Askable, language: str, asked_at: datetime,
                    closes_at: datetime) -> int | None:
        """The response of a person just asked; None when they were asked already."""
        cursor = await self._db.execute(
            "INSERT INTO response (questionnaire_id, event_id, participant_id, language, city, asked_at, "
            "closes_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, participant_id) DO NOTHING "
            "RETURNING id",
            (questionnaire_id, person.event_id, person.participant_id, language, person.city, to_db(asked_at),
             to_db(closes_at)),
        )
        row = await cursor.fetchone()
        await cursor.close()
        return row[0] if row else None

    async def get(self, response_id: int) -> Response | None:
        rows = await self._db.execute_fetchall("SELECT * FROM response WHERE id = ?", (response_id,))
        return response_from_row(rows[0]) if rows else None

    async def of_person(self, participant_id: int) -> list[Response]:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM response WHERE participant_id = ? ORDER BY closes_at, id", (participant_id,))
        return [response_from_row(row) for row in rows]

    async def to_remind(self, asked_before: datetime, now: datetime) -> list[Response]:
        """Open, unfinished responses asked before ``asked_before`` and not reminded yet, of people who can
        still be reached."""
        rows = await self._db.execute_fetchall(_TO_REMIND, (to_db(asked_before), to_db(now)))
        return [response_from_row(row) for row in rows]

    async def first_unreminded(self, asked_after: datetime, now: datetime) -> datetime | None:
        """When the earliest open, unfinished, unreminded response asked after ``asked_after`` was asked:
        its reminder is the next to fall due."""
        rows = await self._db.execute_fetchall(
            "SELECT MIN(asked_at) FROM response WHERE submitted_at IS NULL AND reminded_at IS NULL "
            "AND closes_at > ? AND asked_at > ? AND participant_id IS NOT NULL", (to_db(now), to_db(asked_after)))
        return from_db(rows[0][0]) if rows else None

    async def widest_open_window(self) -> timedelta | None:
        """The longest any questionnaire stays open; None when there is no questionnaire at all."""
        rows = await self._db.execute_fetchall("SELECT MAX(open_seconds) FROM questionnaire")
        return None if rows[0][0] is None else timedelta(seconds=rows[0][0])

    async def mark_reminded(self, response_id: int, now: datetime) -> None:
        await self._db.execute("UPDATE response SET reminded_at = ? WHERE id = ?", (to_db(now), response_id))

    async def move(self, response_id: int, position: int, *, reviewing: bool | None = None) -> None:
        await self._db.execute(
            "UPDATE response SET position = ?, reviewing = COALESCE(?, reviewing) WHERE id = ? "
            "AND submitted_at IS NULL",
            (position, None if reviewing is None else int(reviewing), response_id))

    async def answers(self, response_id: int) -> dict[int, Answer]:
        """The answers given so far, by question id."""
        rows = await self._db.execute_fetchall(
            "SELECT question_id, number, text, skipped FROM answer WHERE response_id = ?", (response_id,))
        picked = await self._db.execute_fetchall(
            "SELECT question_id, choice_id FROM answer_choice WHERE response_id = ?", (response_id,))
        choices: dict[int, set[int]] = {}
        for question_id, choice_id in picked:
            choices.setdefault(question_id, set()).add(choice_id)
        return {row[0]: Answer(row[0], row[1], row[2], bool(row[3]), frozenset(choices.get(row[0], ())))
                for row in rows}

    async def answer(self, response_id: int, question_id: int, now: datetime, *, number: int | None = None,
                     text: str | None = None, skipped: bool = False, choice_ids: Iterable[int] = ()) -> None:
        """Keep an answer as given, replacing an earlier one to the same question."""
        await self._db.execute(
            "INSERT INTO answer (response_id, question_id, number, text, skipped, answered_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (response_id, question_id) DO UPDATE SET "
            "number = excluded.number, text = excluded.text, skipped = excluded.skipped, "
            "answered_at = excluded.answered_at",
            (response_id, question_id, number, text, int(skipped), to_db(now)))
        await self._db.execute("DELETE FROM answer_choice WHERE response_id = ? AND question_id = ?",
                               (response_id, question_id))
        await self._db.executemany(
            "INSERT INTO answer_choice (response_id, question_id, choice_id) VALUES (?, ?, ?)",
            [(response_id, question_id, choice_id) for choice_id in sorted(set(choice_ids))])

    async def forget_answer(self, response_id: int, question_id: int) -> None:
        """A multiple choice whose last mark was taken off: not answered (its choices go with it)."""
        await self._db.execute("DELETE FROM answer WHERE response_id = ? AND question_id = ?",
                               (response_id, question_id))

    async def submit(self, response_id: int, now: datetime) -> bool:
        """True when this call submitted it (a second press finds it submitted)."""
        cursor = await self._db.execute(
            "UPDATE response SET submitted_at = ? WHERE id = ? AND submitted_at IS NULL", (to_db(now), response_id))
        return cursor.rowcount > 0
