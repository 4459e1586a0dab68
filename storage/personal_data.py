"""Everything kept about one person, table by table, for their own copy (``/mydata``), and the moment each
person was last active, for retention. A table added later that keeps something about a person is one more
query here.

Not read: the inbox, whose stored updates lose their text once handled (a second or so after arriving), and
the tables that hold nothing about anyone (events, questionnaires, the groups pointed to the private chat)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.records import Texts
from storage.timestamps import from_db, to_db


@dataclass(frozen=True)
class KeptRegistration:
    event_slug: str
    event_title: Texts
    starts_at: datetime
    ends_at: datetime
    timezone: str
    status: str
    signed_up_at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class KeptCheckin:
    """The person was at an event: checked in by scanning its code, or by an organiser."""

    event_title: Texts
    checked_in_at: datetime
    walk_in: bool  # not confirmed when they came
    by_hand: bool


@dataclass(frozen=True)
class KeptRole:
    """A role the person holds: from the settings, or by an invitation they opened."""

    role: str
    granted_at: datetime
    by_settings: bool


@dataclass(frozen=True)
class KeptInvite:
    """An invitation the person made (only its role and times are kept, never the link)."""

    role: str
    created_at: datetime
    expires_at: datetime
    used: bool
    revoked: bool


@dataclass(frozen=True)
class KeptAuditEntry:
    """Something the person did with the team's powers, as the audit log keeps it."""

    at: datetime
    action: str


@dataclass(frozen=True)
class KeptAnswer:
    question: Texts
    kind: str
    number: int | None
    text: str | None
    skipped: bool
    choices: tuple[Texts, ...]
    answered_at: datetime


@dataclass(frozen=True)
class KeptResponse:
    id: int
    questionnaire_title: Texts
    event_title: Texts
    asked_at: datetime
    submitted_at: datetime | None
    answers: tuple[KeptAnswer, ...]


@dataclass(frozen=True)
class KeptMessage:
    """A message the bot queued for the person (sent, waiting, or given up)."""

    kind: str
    event_title: Texts | None
    due_at: datetime
    status: str
    sent_at: datetime | None


@dataclass(frozen=True)
class KeptBroadcast:
    """A broadcast the person wrote, as an organiser."""

    audience: str
    event_title: Texts | None
    status: str
    texts: Texts | None
    created_at: datetime
    started_at: datetime | None


@dataclass(frozen=True)
class KeptAgendaFile:
    """An agenda file the person sent to the bot, as an organiser."""

    sent_at: datetime
    applied_at: datetime | None
    dropped_at: datetime | None


@dataclass(frozen=True)
class LastActivity:
    """When a person was last seen doing something, and when the last event they signed up for ends."""

    telegram_id: int
    last_event_end: datetime | None
    last_activity: datetime

    @property
    def last_moment(self) -> datetime:
        """What retention counts from: the later of the two."""
        if self.last_event_end is None:
            return self.last_activity
        return max(self.last_event_end, self.last_activity)


def _texts(row: aiosqlite.Row, prefix: str) -> Texts:
    return Texts(row[f"{prefix}_it"], row[f"{prefix}_en"])


# A person's last activity: the latest of their own rows' moments (consent and profile changes, sign-ups and
# cancellations, check-ins, feedback answers, broadcasts and agenda files written), and the end of the latest
# event they ever signed up for (cancelled sign-ups included: they were there to decide) or came to (a
# walk-in has no sign-up).
_LAST_ACTIVITY = """
    SELECT p.telegram_id,
           NULLIF(MAX(COALESCE((SELECT MAX(e.ends_at) FROM registration r JOIN event e ON e.id = r.event_id
                                WHERE r.participant_id = p.telegram_id), ''),
                      COALESCE((SELECT MAX(e.ends_at) FROM checkin c JOIN event e ON e.id = c.event_id
                                WHERE c.participant_id = p.telegram_id), '')), '') AS last_event_end,
           MAX(p.created_at, p.updated_at, COALESCE(p.consent_at, ''),
               COALESCE((SELECT MAX(r.updated_at) FROM registration r WHERE r.participant_id = p.telegram_id), ''),
               COALESCE((SELECT MAX(c.checked_in_at) FROM checkin c WHERE c.participant_id = p.telegram_id), ''),
               COALESCE((SELECT MAX(a.answered_at) FROM response s JOIN answer a ON a.response_id = s.id
                         WHERE s.participant_id = p.telegram_id), ''),
               COALESCE((SELECT MAX(b.created_at) FROM broadcast b WHERE b.author_id = p.telegram_id), ''),
               COALESCE((SELECT MAX(d.created_at) FROM agenda_draft d WHERE d.organiser_id = p.telegram_id), '')
           ) AS last_activity
    FROM participant p
"""


class PersonalDataRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def registrations(self, telegram_id: int) -> list[KeptRegistration]:
        rows = await self._db.execute_fetchall(
            "SELECT e.slug, e.title_it, e.title_en, e.starts_at, e.ends_at, e.timezone, r.status, r.created_at, "
            "r.updated_at FROM registration r JOIN event e ON e.id = r.event_id WHERE r.participant_id = ? "
            "ORDER BY e.starts_at, e.slug", (telegram_id,))
        return [KeptRegistration(row["slug"], _texts(row, "title"), from_db(row["starts_at"]),
                                 from_db(row["ends_at"]), row["timezone"], row["status"],
                                 from_db(row["created_at"]), from_db(row["updated_at"])) for row in rows]

    async def checkins(self, telegram_id: int) -> list[KeptCheckin]:
        rows = await self._db.execute_fetchall(
            "SELECT e.title_it, e.title_en, c.checked_in_at, c.walk_in, c.by_hand FROM checkin c "
            "JOIN event e ON e.id = c.event_id WHERE c.participant_id = ? ORDER BY c.checked_in_at, e.slug",
            (telegram_id,))
        return [KeptCheckin(_texts(row, "title"), from_db(row["checked_in_at"]), bool(row["walk_in"]),
                            bool(row["by_hand"])) for row in rows]

    async def roles(self, telegram_id: int) -> list[KeptRole]:
        rows = await self._db.execute_fetchall(
            "SELECT role, granted_at, by_settings FROM role_grant WHERE telegram_id = ? ORDER BY granted_at, role",
            (telegram_id,))
        return [KeptRole(row["role"], from_db(row["granted_at"]), bool(row["by_settings"])) for row in rows]

    async def invites(self, telegram_id: int) -> list[KeptInvite]:
        rows = await self._db.execute_fetchall(
            "SELECT role, created_at, expires_at, used_at, revoked_at FROM invite WHERE created_by = ? "
            "ORDER BY created_at, id", (telegram_id,))
        return [KeptInvite(row["role"], from_db(row["created_at"]), from_db(row["expires_at"]),
                           row["used_at"] is not None, row["revoked_at"] is not None) for row in rows]

    async def audit(self, telegram_id: int) -> list[KeptAuditEntry]:
        rows = await self._db.execute_fetchall(
            "SELECT at, action FROM audit WHERE actor_id = ? ORDER BY id", (telegram_id,))
        return [KeptAuditEntry(from_db(row["at"]), row["action"]) for row in rows]

    async def responses(self, telegram_id: int) -> list[KeptResponse]:
        """The person's feedback, each answer with its question's text and the choices picked. Two queries (the
        responses, then all their answers with the choices folded in), whatever the number of answers."""
        responses = await self._db.execute_fetchall(
            "SELECT s.id, q.title_it, q.title_en, e.title_it AS event_it, e.title_en AS event_en, s.asked_at, "
            "s.submitted_at FROM response s JOIN questionnaire q ON q.id = s.questionnaire_id "
            "JOIN event e ON e.id = s.event_id WHERE s.participant_id = ? ORDER BY s.asked_at, s.id",
            (telegram_id,))
        answers = await self._db.execute_fetchall(
            "SELECT a.response_id, qu.text_it, qu.text_en, qu.kind, a.number, a.text, a.skipped, a.answered_at, "
            "(SELECT json_group_array(json_array(c.label_it, c.label_en)) FROM ("
            "  SELECT c.label_it, c.label_en FROM answer_choice ac JOIN choice c ON c.id = ac.choice_id "
            "  WHERE ac.response_id = a.response_id AND ac.question_id = a.question_id ORDER BY c.position"
            ") AS c) AS choices "
            "FROM answer a JOIN response s ON s.id = a.response_id JOIN question qu ON qu.id = a.question_id "
            "WHERE s.participant_id = ? ORDER BY a.response_id, qu.position", (telegram_id,))
        by_response: dict[int, list[KeptAnswer]] = {}
        for row in answers:
            choices = tuple(Texts(it, en) for it, en in json.loads(row["choices"]))
            by_response.setdefault(row["response_id"], []).append(KeptAnswer(
                _texts(row, "text"), row["kind"], row["number"], row["text"], bool(row["skipped"]), choices,
                from_db(row["answered_at"])))
        return [KeptResponse(row["id"], _texts(row, "title"), Texts(row["event_it"], row["event_en"]),
                             from_db(row["asked_at"]), from_db(row["submitted_at"]),
                             tuple(by_response.get(row["id"], ()))) for row in responses]

    async def messages(self, telegram_id: int) -> list[KeptMessage]:
        rows = await self._db.execute_fetchall(
            "SELECT o.kind, e.title_it, e.title_en, o.due_at, o.status, o.sent_at FROM outbox o "
            "LEFT JOIN event e ON e.id = o.event_id WHERE o.recipient_id = ? ORDER BY o.due_at, o.id",
            (telegram_id,))
        return [KeptMessage(row["kind"], _texts(row, "title") if row["title_it"] is not None else None,
                            from_db(row["due_at"]), row["status"], from_db(row["sent_at"])) for row in rows]

    async def broadcasts(self, telegram_id: int) -> list[KeptBroadcast]:
        rows = await self._db.execute_fetchall(
            "SELECT audience, event_title_it, event_title_en, status, text_it, text_en, created_at, started_at "
            "FROM broadcast WHERE author_id = ? ORDER BY id", (telegram_id,))
        return [KeptBroadcast(row["audience"],
                              _texts(row, "event_title") if row["event_title_it"] is not None else None,
                              row["status"],
                              _texts(row, "text") if row["text_it"] is not None else None,
                              from_db(row["created_at"]), from_db(row["started_at"])) for row in rows]

    async def agenda_files(self, telegram_id: int) -> list[KeptAgendaFile]:
        rows = await self._db.execute_fetchall(
            "SELECT created_at, applied_at, dropped_at FROM agenda_draft WHERE organiser_id = ? ORDER BY id",
            (telegram_id,))
        return [KeptAgendaFile(from_db(row["created_at"]), from_db(row["applied_at"]), from_db(row["dropped_at"]))
                for row in rows]

    async def detach_broadcasts(self, telegram_id: int) -> None:
        """An organiser leaves: their drafts go, and what they sent stays as the record of what the people it
        reached received, with no author and no progress message in their chat."""
        await self._db.execute("DELETE FROM broadcast WHERE author_id = ? AND status IN ('draft', 'cancelled')",
                               (telegram_id,))
        await self._db.execute(
            "UPDATE broadcast SET author_id = NULL, progress_chat_id = NULL, progress_message_id = NULL "
            "WHERE author_id = ?", (telegram_id,))

    async def last_activity(self, *, before: datetime, telegram_id: int | None = None) -> list[LastActivity]:
        """Everyone (or only ``telegram_id``) whose last activity and last event both come before ``before``,
        oldest first."""
        rows = await self._db.execute_fetchall(
            f"SELECT * FROM ({_LAST_ACTIVITY}) WHERE last_activity < :before "
            "AND (last_event_end IS NULL OR last_event_end < :before) AND (:id IS NULL OR telegram_id = :id) "
            "ORDER BY MAX(last_activity, COALESCE(last_event_end, '')), telegram_id",
            {"before": to_db(before), "id": telegram_id})
        return [LastActivity(row["telegram_id"], from_db(row["last_event_end"]), from_db(row["last_activity"]))
                for row in rows]
