"""What an operator wants at a glance, read from a database the bot may be using at the same moment (one
read transaction of a read-only connection: the figures agree with each other, and nothing is written)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.timestamps import from_db, to_db

# The outbox's states worth watching: waiting, in Telegram's hands at this moment, and the two bad ends.
OUTBOX_STATES = ("pending", "sending", "failed", "uncertain")


@dataclass(frozen=True)
class FailedMessage:
    due_at: datetime  # the last moment it was due: its last attempt came then, or shortly after
    kind: str
    error: str


@dataclass(frozen=True)
class RecordedProblem:
    at: datetime
    kind: str  # the type of error
    place: str  # where it was raised
    update_id: int | None


@dataclass(frozen=True)
class Status:
    schema_version: int
    people: int
    consented: int
    unreachable: int
    events_upcoming: int
    events_past: int
    events_cancelled: int
    outbox: dict[str, int]  # OUTBOX_STATES -> how many rows
    broadcasts_sending: int
    inbox_unhandled: int
    last_failures: tuple[FailedMessage, ...]
    last_problems: tuple[RecordedProblem, ...]


def read_status(connection: sqlite3.Connection, now: datetime, *, latest: int = 5) -> Status:
    """The figures as of one moment; ``latest`` failed messages and recorded errors, newest first. A table
    an older schema lacks counts as empty."""
    connection.execute("BEGIN")
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}

        def one(query: str, *args: object, table: str) -> int:
            return int(connection.execute(query, args).fetchone()[0] or 0) if table in tables else 0

        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        outbox = dict.fromkeys(OUTBOX_STATES, 0)
        if "outbox" in tables:
            marks = ", ".join("?" * len(OUTBOX_STATES))
            outbox.update(connection.execute(
                f"SELECT status, COUNT(*) FROM outbox WHERE status IN ({marks}) GROUP BY status", OUTBOX_STATES))
        failures: tuple[FailedMessage, ...] = ()
        if "outbox" in tables:
            failures = tuple(FailedMessage(from_db(due), kind, error or "")
                             for due, kind, error in connection.execute(
                                 "SELECT due_at, kind, last_error FROM outbox WHERE status = 'failed' "
                                 "ORDER BY due_at DESC, id DESC LIMIT ?", (latest,)))
        problems: tuple[RecordedProblem, ...] = ()
        if "problem" in tables:
            problems = tuple(RecordedProblem(from_db(at), kind, place, update_id)
                             for at, kind, place, update_id in connection.execute(
                                 "SELECT at, kind, place, update_id FROM problem ORDER BY id DESC LIMIT ?",
                                 (latest,)))
        moment = to_db(now)
        return Status(
            schema_version=version,
            people=one("SELECT COUNT(*) FROM participant", table="participant"),
            consented=one("SELECT COUNT(*) FROM participant WHERE consent_at IS NOT NULL", table="participant"),
            unreachable=one("SELECT COUNT(*) FROM participant WHERE unreachable_at IS NOT NULL",
                            table="participant") if _has_column(connection, "participant", "unreachable_at") else 0,
            events_upcoming=one("SELECT COUNT(*) FROM event WHERE status = 'scheduled' AND ends_at > ?", moment,
                                table="event"),
            events_past=one("SELECT COUNT(*) FROM event WHERE status = 'scheduled' AND ends_at <= ?", moment,
                            table="event"),
            events_cancelled=one("SELECT COUNT(*) FROM event WHERE status = 'cancelled'", table="event"),
            outbox=outbox,
            broadcasts_sending=one("SELECT COUNT(*) FROM broadcast WHERE status = 'sending'", table="broadcast"),
            inbox_unhandled=one("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL", table="inbox"),
            last_failures=failures,
            last_problems=problems,
        )
    finally:
        connection.rollback()


def _has_column(connection: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in connection.execute(f"PRAGMA table_info({table})"))
