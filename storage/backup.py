"""A consistent copy of the live database, taken with SQLite's online backup while the bot keeps writing."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from pathlib import Path

from storage.errors import StorageError, StorageProblem, diagnose


class BackupError(Exception):
    """The copy cannot be written at its destination: ``problem`` is the system's error."""

    def __init__(self, destination: Path, problem: OSError) -> None:
        super().__init__(f"{destination}: {problem}")
        self.destination = destination
        self.problem = problem


def open_read_only(path: Path) -> sqlite3.Connection:
    """The database at ``path`` for reading only: never created, never migrated, never written, so it can
    be read while the bot runs. A file that is missing or not a database raises :class:`StorageError`."""
    if not path.exists():
        raise StorageError(StorageProblem.CANNOT_OPEN, path, "there is no such file")
    if path.is_dir():
        raise StorageError(StorageProblem.IS_DIRECTORY, path, "it is a folder")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        # SQLite reads the header only when asked something: ask now, so a text file fails here.
        connection.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
    except sqlite3.Error as error:
        raise diagnose(path, error) from error
    return connection


def backup(source: Path, destination: Path) -> int:
    """Copy ``source`` to ``destination`` (replaced if it exists) and return the copy's size in bytes.

    The copy is one read transaction of the source: in WAL mode the bot's writes go on meanwhile and the
    copy holds the database as it was when the copy began, whole. It is written to a temporary file in the
    destination's folder, checked, and only then renamed over ``destination``: a failed or interrupted
    backup never leaves half a file where a good one was."""
    reader = open_read_only(source)
    try:
        # Made readable by its owner only (mkstemp's 0600): the copy holds people's names.
        handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part",
                                             dir=destination.parent)
    except OSError as error:
        reader.close()
        raise BackupError(destination, error) from error
    os.close(handle)
    try:
        with contextlib.closing(sqlite3.connect(temporary)) as copy:
            try:
                reader.backup(copy)
            except sqlite3.Error as error:
                if getattr(error, "sqlite_errorname", "").startswith("SQLITE_FULL"):
                    raise BackupError(destination, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))) from error
                raise diagnose(source, error) from error
            # One self-contained file, with no -wal beside it: it can be copied, mailed or restored as it is.
            copy.execute("PRAGMA journal_mode = DELETE").fetchone()
            verdict = copy.execute("PRAGMA quick_check(1)").fetchone()
            if verdict is None or verdict[0] != "ok":
                raise StorageError(StorageProblem.DAMAGED, source, f"the copy fails its check: {verdict}")
        try:
            os.replace(temporary, destination)
        except OSError as error:
            raise BackupError(destination, error) from error
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    finally:
        reader.close()
    return destination.stat().st_size
