"""Damaged or unusual storage: every sub-command of ``ponte`` stops at start with one clear line that names
the file and says what to do, and a non-zero exit; never a traceback, never a bot that starts and then
apologises for every write. Each case runs the real ``python -m bot`` as a separate process."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.config.clock import SystemClock
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import parse_agenda
from storage import Database
from tests.conftest import PRIVACY_SETTINGS
from tests.harness import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "run": ["run"],
    "shell": ["shell"],
    "agenda import": ["agenda", "import", str(EXAMPLE)],
    "agenda export": ["agenda", "export"],
}
IMPORT = {"agenda import": COMMANDS["agenda import"]}


def _env(db_path: Path, language: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    # The Bot API address is a closed port: a command that got past the database would fail loudly here.
    return env | {"LANG": language, "PYTHONUNBUFFERED": "1", "PONTE_DB": str(db_path),
                  "PONTE_TOKEN": "123456:STORAGE-TEST-abcdefghijklmnopqrstuv", "PONTE_API_URL": "http://127.0.0.1:9/bot",
                  **PRIVACY_SETTINGS}


def run_commands(db_path: Path, language: str, commands: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """Each sub-command's exit code and standard error, run side by side."""
    processes = {
        name: subprocess.Popen([sys.executable, "-m", "bot", *argv], cwd=ROOT, env=_env(db_path, language),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for name, argv in commands.items()
    }
    results = {}
    for name, process in processes.items():
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
            stderr += b"\n(still running after 60 s: it started although it cannot write)"
        results[name] = (process.returncode, stderr.decode("utf-8", "replace"))
    return results


def assert_one_clear_line(db_path: Path, *phrases: str, language: str = "en_US.UTF-8",
                          commands: dict[str, list[str]] = COMMANDS) -> None:
    """Every sub-command (about 2 s a case: each is a fresh Python), or only the cheapest one for the
    variants of a case the issue names."""
    # Exporting never creates a database: where there is no file it says so, before anything is opened. It
    # runs first then, as the others leave an empty file behind when they fail to create the database.
    nothing_to_export = not db_path.is_file()
    results = {}
    if nothing_to_export and "agenda export" in commands:
        results = run_commands(db_path, language, {"agenda export": commands["agenda export"]})
    results |= run_commands(db_path, language, {n: argv for n, argv in commands.items() if n not in results})
    for name, (code, stderr) in results.items():
        lines = stderr.strip().splitlines()
        assert code not in (0, None) and len(lines) == 1, f"ponte {name} (exit {code}):\n{stderr[-3000:]}"
        assert str(db_path) in lines[0], f"ponte {name} does not name the file: {lines[0]}"
        expected = ("so there is no agenda to export",) if name == "agenda export" and nothing_to_export else phrases
        for phrase in expected:
            assert phrase in lines[0], f"ponte {name}: {lines[0]}"


async def _make_database(path: Path) -> None:
    db = await Database.open(path)
    await Agenda(db, SystemClock(), lambda: None).apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
    await db.close()


@pytest.fixture
def good_database(tmp_path: Path) -> Path:
    """A database that works, closed (so no -wal or -shm beside it), alone in its folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "ponte.db"
    asyncio.run(_make_database(path))
    return path


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder refuse writes, honestly for whoever runs the tests. Root ignores permission
    bits (a chmod 444 file is still writable by root, and SQLite then writes it), so as root the file or
    folder is made immutable with ``chattr +i``: the kernel refuses every change to it, to root too, as a
    read-only mount does. For any other user, taking away the write permission is the honest test."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    try:
        subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"chattr +i is not available on this file system: {error}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_database_file_is_found_at_start(good_database: Path) -> None:
    with read_only(good_database):
        assert_one_clear_line(good_database, "the file is read-only", "Make it writable")


def test_a_database_in_a_read_only_folder(good_database: Path) -> None:
    with read_only(good_database.parent):
        assert_one_clear_line(good_database, "the folder is read-only", "Make the folder writable")


def test_a_new_database_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder):
        assert_one_clear_line(folder / "ponte.db", "the folder is read-only", commands=IMPORT)


def test_a_truncated_database(good_database: Path) -> None:
    data = good_database.read_bytes()
    good_database.write_bytes(data[: len(data) // 2])
    assert_one_clear_line(good_database, "is damaged", "Restore it from a backup")


def test_a_database_with_a_damaged_page_is_found_before_a_write_meets_it(good_database: Path) -> None:
    """The header is intact, so SQLite opens the file and reads the schema: only a check of every page at
    start finds what would otherwise fail in the middle of someone's sign-up."""
    data = bytearray(good_database.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data), 7):
        data[offset] = 0xAB
    good_database.write_bytes(bytes(data))
    assert_one_clear_line(good_database, "is damaged", commands=IMPORT)


def test_a_text_file_where_the_database_should_be(tmp_path: Path) -> None:
    path = tmp_path / "ponte.db"
    path.write_text("PONTE_TOKEN=123456:not-a-database\n" * 40, encoding="utf-8")
    assert_one_clear_line(path, "is not a Ponte database", "PONTE_DB")


def test_a_folder_where_the_database_should_be(tmp_path: Path) -> None:
    path = tmp_path / "ponte.db"
    path.mkdir()
    assert_one_clear_line(path, "it is a folder", "PONTE_DB")


def test_a_file_where_the_database_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder\n", encoding="utf-8")
    assert_one_clear_line(tmp_path / "data" / "ponte.db", "is a file, not a folder", commands=IMPORT)


def test_the_line_is_in_italian_for_an_italian_terminal(tmp_path: Path) -> None:
    path = tmp_path / "ponte.db"
    path.mkdir()
    assert_one_clear_line(path, "è una cartella", language="it_IT.UTF-8", commands=IMPORT)


@contextmanager
def tiny_file_system(folder: Path, kib: int = 64) -> Iterator[Path]:
    """A tmpfs of a few KiB (64 KiB is less than a fresh database with its write-ahead log and index).
    Mounting needs root (or CAP_SYS_ADMIN); where it is not permitted the test is skipped."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(folder)],
                             capture_output=True, text=True) if shutil.which("mount") else None
    if mounted is None or mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip() if mounted else 'no mount'}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(folder: Path) -> None:
    with (folder / "filler").open("wb") as filler:
        try:
            filler.write(b"\0" * 1024 * 1024)
            filler.flush()
        except OSError:
            pass


def test_a_full_disk_at_start(tmp_path: Path) -> None:
    with tiny_file_system(tmp_path / "tiny") as folder:
        fill(folder)
        assert_one_clear_line(folder / "ponte.db", "the disk is full", "Free some space")


def test_a_full_disk_under_an_existing_database(tmp_path: Path, good_database: Path) -> None:
    """The database fits, and not one page more: the first write (the start-up probe) meets a full disk."""
    kib = good_database.stat().st_size // 1024 + 8
    with tiny_file_system(tmp_path / "tiny", kib) as folder:
        path = folder / "ponte.db"
        shutil.copyfile(good_database, path)
        fill(folder)
        assert_one_clear_line(path, "the disk is full", commands=IMPORT)
