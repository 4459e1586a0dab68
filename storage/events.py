"""The event table: the agenda, with both languages' texts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import aiosqlite

from storage.records import Event, EventSeats, EventStatus, Speaker, Texts
from storage.timestamps import from_db, to_db

_SEATS = """
    SELECT e.*,
           COALESCE(SUM(r.status = 'confirmed'), 0) AS confirmed,
           COALESCE(SUM(r.status = 'waitlisted'), 0) AS waitlisted
    FROM event e LEFT JOIN registration r ON r.event_id = e.id
"""


def event_from_row(row: aiosqlite.Row) -> Event:
    speakers = tuple(
        Speaker(name=s["name"], affiliation=Texts(s.get("it", ""), s.get("en", "")))
        for s in json.loads(row["speakers"])
    )
    return Event(
        id=row["id"],
        slug=row["slug"],
        kind=row["kind"],
        title=Texts(row["title_it"], row["title_en"]),
        description=Texts(row["description_it"], row["description_en"]),
        venue=Texts(row["venue_it"], row["venue_en"]),
        address=row["address"],
        map_url=row["map_url"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        timezone=row["timezone"],
        capacity=row["capacity"],
        signup_closes_at=from_db(row["signup_closes_at"]),
        status=EventStatus(row["status"]),
        speakers=speakers,
        position=row["position"],
        online_url=row["online_url"],
        reminders=_offsets(row["reminders"]),
        feedback_delay=None if row["feedback_delay"] is None else timedelta(seconds=row["feedback_delay"]),
        sequence=row["sequence"],
        moved_at=from_db(row["moved_at"]),
    )


def _offsets(text: str | None) -> tuple[timedelta, ...] | None:
    return None if text is None else tuple(timedelta(seconds=s) for s in json.loads(text))


def _columns(event: Event) -> dict[str, object]:
    return {
        "slug": event.slug,
        "kind": event.kind,
        "title_it": event.title.it,
        "title_en": event.title.en,
        "description_it": event.description.it,
        "description_en": event.description.en,
        "venue_it": event.venue.it,
        "venue_en": event.venue.en,
        "address": event.address,
        "map_url": event.map_url,
        "starts_at": to_db(event.starts_at),
        "ends_at": to_db(event.ends_at),
        "timezone": event.timezone,
        "capacity": event.capacity,
        "signup_closes_at": to_db(event.signup_closes_at) if event.signup_closes_at else None,
        "status": str(event.status),
        "speakers": json.dumps(
            [{"name": s.name, "it": s.affiliation.it, "en": s.affiliation.en} for s in event.speakers],
            ensure_ascii=False,
        ),
        "position": event.position,
        "online_url": event.online_url,
        "reminders": (None if event.reminders is None
                      else json.dumps([int(offset.total_seconds()) for offset in event.reminders])),
        "feedback_delay": None if event.feedback_delay is None else int(event.feedback_delay.total_seconds()),
    }


class EventRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def all(self) -> list[Event]:
        rows = await self._db.execute_fetchall("SELECT * FROM event ORDER BY starts_at, position, slug")
        return [event_from_row(row) for row in rows]

    async def by_slug(self, slug: str) -> Event | None:
        rows = await self._db.execute_fetchall("SELECT * FROM event WHERE slug = ?", (slug,))
        row = rows[0] if rows else None
        return event_from_row(row) if row else None

    async def by_id(self, event_id: int) -> Event | None:
        rows = await self._db.execute_fetchall("SELECT * FROM event WHERE id = ?", (event_id,))
        row = rows[0] if rows else None
        return event_from_row(row) if row else None

    async def with_seats(self, *, ending_after: datetime | None = None) -> list[EventSeats]:
        """Every event (or those not yet over) with its seat counts, in time order."""
        where, params = ("WHERE e.ends_at > ?", (to_db(ending_after),)) if ending_after else ("", ())
        rows = await self._db.execute_fetchall(
            f"{_SEATS} {where} GROUP BY e.id ORDER BY e.starts_at, e.position, e.slug", params
        )
        return [EventSeats(event_from_row(r), r["confirmed"], r["waitlisted"]) for r in rows]

    async def seats_by_slug(self, slug: str) -> EventSeats | None:
        rows = await self._db.execute_fetchall(f"{_SEATS} WHERE e.slug = ? GROUP BY e.id", (slug,))
        row = rows[0] if rows else None
        return EventSeats(event_from_row(row), row["confirmed"], row["waitlisted"]) if row else None

    async def insert(self, event: Event, now: datetime) -> int:
        columns = _columns(event)
        names = ", ".join([*columns, "updated_at"])
        marks = ", ".join("?" * (len(columns) + 1))
        cursor = await self._db.execute(
            f"INSERT INTO event ({names}) VALUES ({marks})", (*columns.values(), to_db(now))
        )
        return int(cursor.lastrowid)

    async def update(self, event_id: int, event: Event, now: datetime) -> None:
        """Write the file's version of an event: every change raises its sequence (so that calendar apps
        update their entry), and a new start time is noted (reminders whose moment it puts in the past
        are not sent late)."""
        columns = _columns(event)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        await self._db.execute(
            "UPDATE event SET moved_at = CASE WHEN starts_at <> ? THEN ? ELSE moved_at END, "
            f"{assignments}, sequence = sequence + 1, updated_at = ? WHERE id = ?",
            (columns["starts_at"], to_db(now), *columns.values(), to_db(now), event_id),
        )
