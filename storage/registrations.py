"""The registration table: confirmed seats and the waiting list of each event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.events import event_from_row
from storage.participants import participant_from_row
from storage.records import Event, EventSeats, Participant, Registration, RegistrationStatus
from storage.timestamps import from_db, to_db


def _registration(row: aiosqlite.Row, prefix: str = "") -> Registration:
    return Registration(
        id=row[f"{prefix}id"],
        event_id=row[f"{prefix}event_id"],
        participant_id=row[f"{prefix}participant_id"],
        status=RegistrationStatus(row[f"{prefix}status"]),
        queued_seq=row[f"{prefix}queued_seq"],
        created_at=from_db(row[f"{prefix}created_at"]),
        updated_at=from_db(row[f"{prefix}updated_at"]),
    )


@dataclass(frozen=True)
class PersonalEntry:
    """One line of a person's own agenda."""

    registration: Registration
    event: Event
    waitlist_position: int | None


@dataclass(frozen=True)
class RosterEntry:
    registration: Registration
    participant: Participant
    waitlist_position: int | None


_REG_COLUMNS = ", ".join(
    f"r.{c} AS r_{c}"
    for c in ("id", "event_id", "participant_id", "status", "queued_seq", "created_at", "updated_at")
)
# A waiting person's position is their rank in the queue: derived, so it can never have gaps.
_POSITION = """
    CASE WHEN r.status = 'waitlisted' THEN (
        SELECT COUNT(*) FROM registration w
        WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.queued_seq <= r.queued_seq
    ) END AS waitlist_position
"""


@dataclass(frozen=True)
class EventStanding:
    """An event, its seats, and where one person stands for it: all read in one query."""

    seats: EventSeats
    status: RegistrationStatus | None
    position: int | None
    claim_token: int | None = None


# One statement decides and records the sign-ups that arrived together, in arrival order, so it is atomic on
# its own: a seat while one is free and nobody waits, else the end of the line (the window numbers each
# event's new arrivals, so a batch never gives more seats than are free, nor one to anybody behind a waiting
# person). The event's own row says whether sign-up is open, so a change made meanwhile (even by
# `ponte agenda import` in another process) is always respected. An existing active registration is left as
# it is, which makes pressing twice, or a redelivered update, harmless (a person asked twice in one batch
# is asked once: RegistrationRepository.claim). SQLite reads everything the SELECT needs before it inserts
# a row (the SELECT reads the table it fills), so the counts are those from before the statement.
_CLAIM = """
    WITH asked (n, slug, person, token) AS (VALUES {claims}),
    fresh AS (
        SELECT a.n, a.person, a.token, e.id AS event_id, e.capacity
        FROM asked a
        JOIN event e ON e.slug = a.slug
        JOIN participant p ON p.telegram_id = a.person
        WHERE e.status = 'scheduled' AND :now < COALESCE(e.signup_closes_at, e.starts_at)
          AND NOT EXISTS (SELECT 1 FROM registration r
                          WHERE r.event_id = e.id AND r.participant_id = a.person AND r.status <> 'cancelled')
    ),
    line AS (
        SELECT f.event_id,
               (SELECT COUNT(*) FROM registration c WHERE c.event_id = f.event_id AND c.status = 'confirmed')
                   AS confirmed,
               EXISTS (SELECT 1 FROM registration w WHERE w.event_id = f.event_id AND w.status = 'waitlisted')
                   AS anyone_waiting,
               (SELECT COALESCE(MAX(q.queued_seq), 0) FROM registration q WHERE q.event_id = f.event_id) AS last_seq
        FROM (SELECT DISTINCT event_id FROM fresh) f
    ),
    decided AS (
        SELECT f.event_id, f.person, f.token, l.last_seq + ROW_NUMBER() OVER arrival AS seq,
               f.capacity IS NULL OR (NOT l.anyone_waiting AND l.confirmed + ROW_NUMBER() OVER arrival <= f.capacity)
                   AS seat
        FROM fresh f JOIN line l ON l.event_id = f.event_id
        WINDOW arrival AS (PARTITION BY f.event_id ORDER BY f.n)
    )
    INSERT INTO registration (event_id, participant_id, status, queued_seq, claim_token, created_at, updated_at)
    SELECT event_id, person, CASE WHEN seat THEN 'confirmed' ELSE 'waitlisted' END,
           CASE WHEN seat THEN NULL ELSE seq END, token, :now, :now
    FROM decided WHERE true
    ON CONFLICT (event_id, participant_id) DO UPDATE SET
        status = excluded.status, queued_seq = excluded.queued_seq, claim_token = excluded.claim_token,
        updated_at = excluded.updated_at
    WHERE registration.status = 'cancelled'
"""
# One row per event, with the people asked about it packed as JSON: every row SQLite hands back costs
# aiosqlite's thread a fresh turn at the GIL, which it waits for while the event loop is busy (a batch's
# read-back of 32 rows took milliseconds under a rush when measured). Seats are counted once per event.
_STANDINGS = """
    WITH asked (slug, person) AS (VALUES {pairs}),
    seats AS (
        SELECT c.event_id, SUM(c.status = 'confirmed') AS confirmed, SUM(c.status = 'waitlisted') AS waitlisted
        FROM registration c
        WHERE c.event_id IN (SELECT id FROM event WHERE slug IN (SELECT slug FROM asked))
        GROUP BY c.event_id
    )
    SELECT e.*, COALESCE(s.confirmed, 0) AS confirmed, COALESCE(s.waitlisted, 0) AS waitlisted,
           json_group_array(json_array(
               asked.person, r.status, r.claim_token,
               -- The same rank as _POSITION, counted from the back: a sign-up joins the end of the line,
               -- so counting those behind it is short where counting those ahead grows with the queue.
               CASE WHEN r.status = 'waitlisted' THEN s.waitlisted - (
                   SELECT COUNT(*) FROM registration w
                   WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.queued_seq > r.queued_seq
               ) END
           )) AS people
    FROM asked JOIN event e ON e.slug = asked.slug
    LEFT JOIN seats s ON s.event_id = e.id
    LEFT JOIN registration r ON r.event_id = e.id AND r.participant_id = asked.person
    GROUP BY e.id
"""


class RegistrationRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def claim(self, claims: list[tuple[str, int, int]], now: datetime) -> None:
        """Sign people up, in this order, for open events (see _CLAIM): (slug, person, claim token) each.
        A registration that this call changed carries its claim token afterwards."""
        # A person asked twice (two presses in one batch) claims once, with the first press's token: in the
        # statement a second claim would take a seat number that its insert, refused, never uses.
        first: dict[tuple[str, int], tuple[str, int, int]] = {}
        for slug, person, token in claims:
            first.setdefault((slug, person), (slug, person, token))
        if not first:
            return
        values: dict[str, object] = {"now": to_db(now)}
        rows = []
        for n, (slug, person, token) in enumerate(first.values()):
            rows.append(f"({n}, :slug{n}, :person{n}, :token{n})")
            values |= {f"slug{n}": slug, f"person{n}": person, f"token{n}": token}
        await self._db.execute(_CLAIM.format(claims=", ".join(rows)), values)

    async def standings(self, asked: list[tuple[str, int]]) -> dict[tuple[str, int], EventStanding]:
        """Each (event slug, person) asked for, read in one query; unknown events are left out."""
        if not asked:
            return {}
        pairs = ", ".join("(?, ?)" for _ in asked)
        rows = await self._db.execute_fetchall(_STANDINGS.format(pairs=pairs), [v for pair in asked for v in pair])
        found = {}
        for row in rows:
            seats = EventSeats(event_from_row(row), row["confirmed"], row["waitlisted"])
            for person, status, claim_token, position in json.loads(row["people"]):
                status = RegistrationStatus(status) if status else None
                active = status is not None and status.active
                found[(row["slug"], person)] = EventStanding(
                    seats, status if active else None, position, claim_token if active else None
                )
        return found

    async def get(self, event_id: int, participant_id: int) -> Registration | None:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM registration WHERE event_id = ? AND participant_id = ?", (event_id, participant_id)
        )
        row = rows[0] if rows else None
        return _registration(row) if row else None

    async def save(
        self, event_id: int, participant_id: int, status: RegistrationStatus, queued_seq: int | None, now: datetime
    ) -> None:
        """Record a person's status for an event: one row per person and event, reused on a new sign-up."""
        await self._db.execute(
            "INSERT INTO registration (event_id, participant_id, status, queued_seq, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, participant_id) DO UPDATE SET "
            "status = excluded.status, queued_seq = excluded.queued_seq, updated_at = excluded.updated_at",
            (event_id, participant_id, str(status), queued_seq, to_db(now), to_db(now)),
        )

    async def counts(self, event_id: int) -> tuple[int, int]:
        """(confirmed, waitlisted) for one event."""
        rows = await self._db.execute_fetchall(
            "SELECT COALESCE(SUM(status = 'confirmed'), 0), COALESCE(SUM(status = 'waitlisted'), 0) "
            "FROM registration WHERE event_id = ?",
            (event_id,),
        )
        row = rows[0] if rows else None
        return int(row[0]), int(row[1])

    async def first_waiting(self, event_id: int, limit: int) -> list[Registration]:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM registration WHERE event_id = ? AND status = 'waitlisted' "
            "ORDER BY queued_seq LIMIT ?",
            (event_id, limit),
        )
        return [_registration(row) for row in rows]

    async def active_for_participant(self, participant_id: int) -> list[PersonalEntry]:
        rows = await self._db.execute_fetchall(
            f"SELECT e.*, {_REG_COLUMNS}, {_POSITION} FROM registration r JOIN event e ON e.id = r.event_id "
            "WHERE r.participant_id = ? AND r.status IN ('confirmed', 'waitlisted') "
            "ORDER BY e.starts_at, e.position, e.slug",
            (participant_id,),
        )
        return [PersonalEntry(_registration(row, "r_"), event_from_row(row), row["waitlist_position"]) for row in rows]

    async def roster(self, event_id: int) -> list[RosterEntry]:
        """Confirmed people first (in the order they got their seat), then the waiting list in order."""
        rows = await self._db.execute_fetchall(
            f"SELECT p.*, {_REG_COLUMNS}, {_POSITION} FROM registration r "
            "JOIN participant p ON p.telegram_id = r.participant_id "
            "WHERE r.event_id = ? AND r.status IN ('confirmed', 'waitlisted') "
            "ORDER BY r.status = 'waitlisted', CASE WHEN r.status = 'confirmed' THEN r.updated_at END, "
            "r.queued_seq, r.id",
            (event_id,),
        )
        return [RosterEntry(_registration(row, "r_"), participant_from_row(row), row["waitlist_position"])
                for row in rows]
