"""The SQLite store: WAL, foreign keys, migrations, transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage import Database, SchemaTooNewError
from storage.database import NestedTransactionError, sql_statements
from storage.migrations import MIGRATIONS, Migration


async def test_fresh_database_is_migrated_in_wal_mode(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "new.db")
    try:
        assert await db.schema_version() == len(MIGRATIONS)
        async with db.transaction() as tx:
            async with tx.connection.execute("PRAGMA journal_mode") as cursor:
                assert (await cursor.fetchone())[0] == "wal"
            async with tx.connection.execute("PRAGMA foreign_keys") as cursor:
                assert (await cursor.fetchone())[0] == 1
    finally:
        await db.close()


async def test_a_database_from_a_newer_ponte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(SchemaTooNewError, match="newer version"):
        await Database.open(path)


async def test_a_failed_transaction_leaves_nothing(tmp_path: Path, clock) -> None:
    db = await Database.open(tmp_path / "tx.db")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.participants.ensure(1, clock.now())
                raise RuntimeError("boom")
        async with db.transaction() as tx:
            assert await tx.participants.get(1) is None
    finally:
        await db.close()


async def test_reopening_keeps_data_and_version(tmp_path: Path, clock) -> None:
    path = tmp_path / "keep.db"
    db = await Database.open(path)
    async with db.transaction() as tx:
        await tx.participants.ensure(7, clock.now())
    await db.close()
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            assert (await tx.participants.get(7)).telegram_id == 7
        assert await db.schema_version() == len(MIGRATIONS)
    finally:
        await db.close()


async def test_a_nested_transaction_fails_loudly_instead_of_deadlocking(db: Database) -> None:
    async with db.transaction():
        with pytest.raises(NestedTransactionError):
            async with db.transaction():
                pass
        with pytest.raises(NestedTransactionError):
            async with db.serialized():
                pass
    # The outer transaction ended normally and the connection is free again.
    async with db.serialized() as tx:
        assert await tx.events.all() == []


async def test_other_tasks_wait_their_turn_rather_than_fail(db: Database) -> None:
    order: list[str] = []

    async def writer(name: str) -> None:
        async with db.transaction():
            order.append(name)

    async with db.transaction():
        waiting = asyncio.gather(writer("a"), writer("b"))
        await asyncio.sleep(0)
        order.append("outer")
    await waiting
    assert order == ["outer", "a", "b"]


def test_migration_statements_split_where_sqlite_says_they_end() -> None:
    script = """
        CREATE TABLE note (body TEXT DEFAULT 'a; b');
        CREATE TRIGGER note_trim AFTER INSERT ON note BEGIN
            UPDATE note SET body = trim(body) WHERE rowid = new.rowid;
        END;
        INSERT INTO note (body) VALUES ('x;y');
    """
    statements = sql_statements(script)
    assert len(statements) == 3
    assert "'a; b'" in statements[0] and statements[1].rstrip().endswith("END;")
    with pytest.raises(ValueError, match="incomplete"):
        sql_statements("CREATE TABLE broken (a TEXT")


async def test_a_migration_may_backfill_data_in_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def backfill(connection) -> None:
        await connection.execute("INSERT INTO note (body) VALUES ('filled by Python; with a semicolon')")

    extra = Migration("a note table", "CREATE TABLE note (body TEXT DEFAULT 'x; y');", backfill)
    monkeypatch.setattr("storage.database.MIGRATIONS", (*MIGRATIONS, extra))
    db = await Database.open(tmp_path / "backfilled.db")
    try:
        assert await db.schema_version() == len(MIGRATIONS) + 1
        async with db.serialized() as tx:
            rows = await tx.connection.execute_fetchall("SELECT body FROM note")
        assert [r[0] for r in rows] == ["filled by Python; with a semicolon"]
    finally:
        await db.close()
