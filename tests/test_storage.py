"""The SQLite store: WAL, foreign keys, migrations, transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import Database, SchemaTooNewError
from storage.migrations import MIGRATIONS


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
