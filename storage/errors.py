"""Why a database file cannot be used, found out once at start-up and named by one reason code."""

from __future__ import annotations

import errno
import os
import tempfile
from enum import Enum
from pathlib import Path


class StorageProblem(Enum):
    IS_DIRECTORY = "is-directory"
    FOLDER_IS_FILE = "folder-is-file"
    READ_ONLY_FILE = "read-only-file"
    READ_ONLY_FOLDER = "read-only-folder"
    DISK_FULL = "disk-full"
    NOT_A_DATABASE = "not-a-database"
    DAMAGED = "damaged"
    CANNOT_OPEN = "cannot-open"


class StorageError(Exception):
    """The database at ``path`` cannot be opened or written, for ``problem``; ``detail`` is SQLite's or the
    system's own words, for the log and for the cases no reason code describes."""

    def __init__(self, problem: StorageProblem, path: Path, detail: str) -> None:
        super().__init__(f"{path}: {problem.value} ({detail})")
        self.problem = problem
        self.path = path
        self.detail = detail


_READ_ONLY_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


def diagnose(path: Path, error: BaseException) -> StorageError:
    """Turn what SQLite or the system said while opening ``path`` into one reason. SQLite's own words are
    often the same for different causes ("unable to open database file" for a directory, a read-only
    folder and a missing permission): the file system is asked which one it is."""
    detail = str(error) or type(error).__name__
    if isinstance(error, OSError):
        return StorageError(_os_problem(path, error), path, detail)
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or "disk is full" in detail:
        return StorageError(StorageProblem.DISK_FULL, path, detail)
    if name.startswith("SQLITE_NOTADB"):
        return StorageError(StorageProblem.NOT_A_DATABASE, path, detail)
    if name.startswith("SQLITE_CORRUPT"):
        return StorageError(StorageProblem.DAMAGED, path, detail)
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM")):
        return StorageError(_file_system_problem(path), path, detail)
    return StorageError(StorageProblem.CANNOT_OPEN, path, detail)


def _os_problem(path: Path, error: OSError) -> StorageProblem:
    if error.errno == errno.ENOSPC:
        return StorageProblem.DISK_FULL
    if error.errno in _READ_ONLY_ERRNOS:
        return StorageProblem.READ_ONLY_FOLDER
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        return StorageProblem.FOLDER_IS_FILE
    return StorageProblem.CANNOT_OPEN


def _file_system_problem(path: Path) -> StorageProblem:
    """Try what SQLite needs, in the order it needs it. Permission bits say nothing when running as root
    (an immutable file or a read-only mount still refuses), so every check is an attempt, not a look."""
    if path.is_dir():
        return StorageProblem.IS_DIRECTORY
    if not path.parent.is_dir():
        return StorageProblem.FOLDER_IS_FILE if path.parent.exists() else StorageProblem.CANNOT_OPEN
    if path.exists():
        try:
            with path.open("r+b"):
                pass
        except OSError as error:
            return StorageProblem.READ_ONLY_FILE if error.errno in _READ_ONLY_ERRNOS else StorageProblem.CANNOT_OPEN
    # SQLite writes its -wal and -shm files next to the database: the folder must take new files.
    try:
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        if error.errno == errno.ENOSPC:
            return StorageProblem.DISK_FULL
        if error.errno in _READ_ONLY_ERRNOS:
            return StorageProblem.READ_ONLY_FOLDER
        return StorageProblem.CANNOT_OPEN
    return _space_problem(path)


def _space_problem(path: Path) -> StorageProblem:
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return StorageProblem.CANNOT_OPEN
    # A write that fails with nothing else wrong, on a file system with less room than one WAL frame.
    return StorageProblem.DISK_FULL if stats.f_bavail * stats.f_frsize < 2 * 4096 else StorageProblem.CANNOT_OPEN
