"""``ponte backup FILE``: a whole, consistent copy of the database while another connection keeps writing;
an existing file is left alone unless --force; each problem is one line."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.cli.main import main
from storage import Database


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PONTE_DB", "PONTE_TOKEN", "PONTE_LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PONTE_DB", str(tmp_path / "ponte.db"))
    return tmp_path


async def _seed(path: Path, people: int) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            await tx.connection.executemany(
                "INSERT INTO participant (telegram_id, language, display_name, consent_at, created_at, updated_at) "
                "VALUES (?, 'it', ?, '2027-01-01 10:00:00', '2027-01-01 10:00:00', '2027-01-01 10:00:00')",
                [(n, f"Person {n}") for n in range(1, people + 1)])
    finally:
        await db.close()


def _names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir() if not path.name.endswith(("-wal", "-shm"))}


def _count(path: Path, query: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(query).fetchone()[0]


async def test_a_backup_taken_while_another_connection_writes_is_whole(in_tmp: Path, capsys) -> None:
    database = in_tmp / "ponte.db"
    await _seed(database, 20_000)
    stop, under_way = threading.Event(), threading.Event()
    written = [0]

    def write() -> None:
        """Another process's writes, two rows a transaction: a consistent copy never holds an odd number."""
        with contextlib.closing(sqlite3.connect(database, timeout=10, isolation_level=None)) as writer:
            while not stop.is_set():
                writer.execute("BEGIN IMMEDIATE")
                for _ in range(2):
                    writer.execute("INSERT INTO problem (at, kind, place) VALUES ('2027-01-01 10:00:00', 'W', 'w')")
                writer.execute("COMMIT")
                written[0] += 2
                if written[0] >= 200:
                    under_way.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert under_way.wait(timeout=60)  # the writer is well under way before the copy starts
        code = main(["backup", "copy.db"])
        copied_while = written[0]
    finally:
        stop.set()
        writer.join()
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"Copied {database} to copy.db (") and out.endswith("checked the copy: it is whole.")
    copy = in_tmp / "copy.db"
    assert copy.stat().st_mode & 0o077 == 0  # people's names: readable by its owner only
    assert not (in_tmp / "copy.db-wal").exists()
    assert _count(copy, "SELECT COUNT(*) FROM participant") == 20_000
    problems = _count(copy, "SELECT COUNT(*) FROM problem")
    assert problems % 2 == 0 and 200 <= problems <= copied_while
    # The copy is a Ponte database as it is: it opens, and its schema is current.
    restored = await Database.open(copy)
    await restored.close()


async def test_an_existing_file_is_left_alone_unless_forced(in_tmp: Path, capsys) -> None:
    await _seed(in_tmp / "ponte.db", 3)
    keep = in_tmp / "keep.db"
    keep.write_text("yesterday's backup")
    assert main(["backup", "keep.db"]) == 1
    err = capsys.readouterr().err
    assert err == "keep.db already exists and was left alone: choose another name, or add --force to replace it.\n"
    assert keep.read_text() == "yesterday's backup"
    assert main(["backup", "keep.db", "--force"]) == 0
    assert _count(keep, "SELECT COUNT(*) FROM participant") == 3
    assert _names(in_tmp) == {"keep.db", "ponte.db"}  # no temporary file left behind


@pytest.mark.parametrize(("args", "line"), [
    (["backup", "copy.db"], "There is no database at {db} to back up. Check PONTE_DB."),
    (["backup", "ponte.db"], "There is no database at {db} to back up. Check PONTE_DB."),
])
def test_no_database_is_one_line(in_tmp: Path, capsys, args: list[str], line: str) -> None:
    assert main(args) == 1
    assert capsys.readouterr().err == line.format(db=in_tmp / "ponte.db") + "\n"
    assert not (in_tmp / "ponte.db").exists() and not (in_tmp / "copy.db").exists()


async def test_each_destination_problem_is_one_line(in_tmp: Path, capsys) -> None:
    await _seed(in_tmp / "ponte.db", 1)
    (in_tmp / "folder").mkdir()
    for args, line in (
        (["backup", "nowhere/copy.db"], "Cannot write nowhere/copy.db: the folder nowhere does not exist."),
        (["backup", "folder"], "folder is a folder: give the backup a file name, such as folder/ponte-backup.db."),
        (["backup", str(in_tmp / "ponte.db"), "--force"],
         f"{in_tmp / 'ponte.db'} is the database itself: give the backup another name."),
    ):
        assert main(args) == 1
        assert capsys.readouterr().err == line + "\n"


def test_a_text_file_where_the_database_should_be_is_one_line(in_tmp: Path, capsys) -> None:
    (in_tmp / "ponte.db").write_text("not a database, only words " * 100)
    assert main(["backup", "copy.db"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a Ponte database" in err
    assert not (in_tmp / "copy.db").exists()
