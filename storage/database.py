"""One aiosqlite connection, serialised transactions and the migration runner."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path

import aiosqlite

from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.changes import ChangeRepository
from storage.checkins import CheckinRepository
from storage.drafts import DraftRepository
from storage.errors import StorageError, StorageProblem, diagnose
from storage.events import EventRepository
from storage.feedback_results import FeedbackResults
from storage.groups import GroupRepository
from storage.inbox import InboxRepository
from storage.migrations import MIGRATIONS, Migration
from storage.outbox import OutboxRepository
from storage.participants import ParticipantRepository
from storage.personal_data import PersonalDataRepository
from storage.questionnaires import QuestionnaireRepository
from storage.registrations import RegistrationRepository
from storage.reminders import ReminderRepository
from storage.responses import ResponseRepository
from storage.roles import RoleRepository

THREAD_SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005 (see _connect)


class SchemaTooNewError(Exception):
    """The database was written by a newer Ponte; opening it could corrupt what it holds."""


class NestedTransactionError(RuntimeError):
    """A task asked for the connection while it already held it: waiting for itself would deadlock."""


# Which task holds which database's connection, as seen from the running task: a nested transaction() or
# serialized() would otherwise wait forever on the lock its own task holds.
_HOLDER: ContextVar[tuple[int, asyncio.Task | None] | None] = ContextVar("storage_holder", default=None)


class Transaction:
    """The repositories, bound to the connection while one transaction holds it."""

    __slots__ = ("audit", "broadcasts", "changes", "checkins", "connection", "drafts", "events", "feedback", "groups",
                 "inbox", "outbox", "participants", "personal_data", "questionnaires", "registrations", "reminders",
                 "responses", "roles")

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self.participants = ParticipantRepository(connection)
        self.events = EventRepository(connection)
        self.registrations = RegistrationRepository(connection)
        self.outbox = OutboxRepository(connection)
        self.inbox = InboxRepository(connection)
        self.groups = GroupRepository(connection)
        self.broadcasts = BroadcastRepository(connection)
        self.reminders = ReminderRepository(connection)
        self.changes = ChangeRepository(connection)
        self.drafts = DraftRepository(connection)
        self.questionnaires = QuestionnaireRepository(connection)
        self.feedback = FeedbackResults(connection)
        self.checkins = CheckinRepository(connection)
        self.roles = RoleRepository(connection)
        self.audit = AuditRepository(connection)
        self.responses = ResponseRepository(connection)
        self.personal_data = PersonalDataRepository(connection)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        """Reads that see the database as it was at the first of them, for a file read in many queries while
        the bot (perhaps another process) goes on writing: a read transaction, which in WAL mode holds back no
        writer. Only inside ``Database.serialized``, and for reads only."""
        await self.connection.execute("BEGIN")
        try:
            yield
        finally:
            await self.connection.execute("COMMIT")


class Database:
    """Owns the connection. Every transaction holds an asyncio lock: coroutines sharing one aiosqlite
    connection are otherwise not isolated from each other (check-then-insert oversold a 5-seat workshop
    50 times when measured), and with the lock each transaction's reads and writes are one atomic step."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self._transaction = Transaction(connection)
        self.path = path
        self._data_version: int | None = None

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating if need be), migrate and check the database: a file Ponte cannot read and write
        raises :class:`StorageError` here, at start-up, rather than failing every write later."""
        path = Path(path)
        if str(path) == ":memory:":
            return cls(await _connect(path), path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = await _connect(path)
        except (OSError, sqlite3.Error) as error:
            raise diagnose(path, error) from error
        return cls(connection, path)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Run a block as one serialised transaction: committed on success, rolled back on any error.
        Raises :class:`NestedTransactionError` inside another transaction of the same task."""
        async with self._held():
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._transaction
            except BaseException:
                await self._connection.rollback()
                raise
            else:
                await self._connection.commit()

    @asynccontextmanager
    async def serialized(self) -> AsyncIterator[Transaction]:
        """Hold the connection without BEGIN and COMMIT: for reads, and for writes that are one statement
        (atomic on its own). Saves two round trips to aiosqlite's thread on the hot paths."""
        async with self._held():
            yield self._transaction

    @asynccontextmanager
    async def _held(self) -> AsyncIterator[None]:
        me = (id(self), asyncio.current_task())
        if _HOLDER.get() == me:
            raise NestedTransactionError(
                "this task already holds the database: pass its Transaction down instead of opening another"
            )
        async with self._lock:
            token = _HOLDER.set(me)
            try:
                yield
            finally:
                _HOLDER.reset(token)

    async def empty_log(self) -> None:
        """Copy the write-ahead log into the database file and cut the log to nothing. Deleted rows are
        zeroed in the database (secure_delete), but the log keeps the pages as they were before: after
        forgetting a person this leaves no copy of them in ``-wal``."""
        async with self.serialized(), self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            await cursor.fetchone()

    async def changed_elsewhere(self) -> bool:
        """Whether another connection (another process: an agenda import, `ponte purge`) has committed since
        the last call; True the first time. SQLite's data_version never moves for this connection's own
        commits, so this costs one small read and no guessing."""
        async with self.serialized(), self._connection.execute("PRAGMA data_version") as cursor:
            row = await cursor.fetchone()
        changed = self._data_version is None or row[0] != self._data_version
        self._data_version = row[0]
        return changed

    async def schema_version(self) -> int:
        async with self._lock:
            return await _user_version(self._connection)

    async def close(self) -> None:
        await self._connection.close()


async def _connect(path: Path) -> aiosqlite.Connection:
    # The database works on a thread of its own (aiosqlite), which needs Python's interpreter lock to start
    # each query and to hand back its result; by default a waiting thread gets the lock only every 5 ms, so
    # while the event loop computes (a file being written, say) each query waits that long twice. A shorter
    # interval lets SQLite work beside the event loop (bench/report.py: the spreadsheet about 25 ms sooner).
    sys.setswitchinterval(THREAD_SWITCH_INTERVAL)
    if str(path) != ":memory:":
        # When aiosqlite's own connect fails, its worker thread may answer after the event loop has closed
        # and print a traceback: a path SQLite cannot open at all fails here first, with no thread.
        sqlite3.connect(path).close()
    # isolation_level=None: sqlite3 must not open transactions behind our back; we say BEGIN ourselves.
    connection = await aiosqlite.connect(path, isolation_level=None)
    connection.row_factory = aiosqlite.Row
    try:
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA busy_timeout = 5000")
        await connection.execute("PRAGMA synchronous = NORMAL")
        # Deleted rows are overwritten with zeros, not merely marked free: a person who asked to be
        # forgotten must not stay readable in the file's free pages.
        await connection.execute("PRAGMA secure_delete = ON")
        await _check(connection, path)
        await _migrate(connection)
        await _probe_write(connection)
    except BaseException:
        await connection.close()
        raise
    return connection


async def _check(connection: aiosqlite.Connection, path: Path) -> None:
    """A damaged file opens and reads until the damaged page is reached: look at every page now (0.1 s for
    a 19 MB database, measured) instead of failing in the middle of a sign-up."""
    async with connection.execute("PRAGMA quick_check(1)") as cursor:
        row = await cursor.fetchone()
    if row is None or row[0] != "ok":
        raise StorageError(StorageProblem.DAMAGED, path, f"quick_check: {row[0] if row else 'no answer'}")


async def _probe_write(connection: aiosqlite.Connection) -> None:
    """SQLite opens a file it may not write read-only without a word, and a database with no migration
    left to apply is never written at start-up: write one page now (the version it already has)."""
    version = await _user_version(connection)
    await connection.execute("BEGIN IMMEDIATE")
    try:
        await connection.execute(f"PRAGMA user_version = {version}")
    except BaseException:
        await connection.rollback()
        raise
    await connection.commit()


async def _user_version(connection: aiosqlite.Connection) -> int:
    async with connection.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0])


async def _migrate(connection: aiosqlite.Connection) -> None:
    current = await _user_version(connection)
    if current > len(MIGRATIONS):
        raise SchemaTooNewError(
            f"the database is at schema version {current} but this Ponte knows only up to "
            f"{len(MIGRATIONS)}: it was written by a newer version; upgrade Ponte or use another PONTE_DB"
        )
    for version in range(current + 1, len(MIGRATIONS) + 1):
        # executescript would commit on its own; each statement runs inside our explicit transaction.
        await connection.execute("BEGIN IMMEDIATE")
        try:
            await _apply(connection, MIGRATIONS[version - 1])
            await connection.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            await connection.rollback()
            raise
        await connection.commit()


async def _apply(connection: aiosqlite.Connection, migration: Migration) -> None:
    for statement in sql_statements(migration.sql):
        await connection.execute(statement)
    if migration.backfill is not None:
        await migration.backfill(connection)


def sql_statements(script: str) -> list[str]:
    """A script's statements, split where SQLite says a statement is complete: a ';' inside a string or
    a trigger's body does not end one."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip().rstrip(";").strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"an incomplete SQL statement ends the migration: {current.strip()[:80]!r}")
    return statements
