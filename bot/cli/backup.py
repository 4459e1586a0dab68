"""``ponte backup FILE``: a consistent copy of the database, taken while the bot runs."""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Any

from bot.config.settings import Settings
from bot.render.i18n import Translator
from storage.backup import BackupError, backup


def add_backup_command(commands: Any, t: Translator) -> None:
    parser = commands.add_parser(
        "backup", help=t._("copy the database to a file, safely, even while the bot runs"),
        description=t._("Copy the database (PONTE_DB) to FILE with SQLite's online backup: a whole, consistent "
                        "copy, even while the bot is running and writing. The copy is readable by its owner only."))
    parser.add_positional("file", type=Path, metavar=t._("FILE"), help=t._("where to write the copy"))
    parser.options.add_argument("--force", action="store_true",
                                help=t._("replace FILE if it exists (by default an existing file is left alone)"))


def backup_database(settings: Settings, t: Translator, destination: Path, *, force: bool = False) -> int:
    """Copy the database to ``destination``; a missing database or an unwritable destination is one line."""
    source = settings.db_path
    if not source.exists():
        print(t._("There is no database at {path} to back up. Check PONTE_DB.", path=source), file=sys.stderr)
        return 1
    if destination.exists() and destination.resolve() == source.resolve():
        print(t._("{path} is the database itself: give the backup another name.", path=destination),
              file=sys.stderr)
        return 1
    if destination.is_dir():
        print(t._("{path} is a folder: give the backup a file name, such as {example}.", path=destination,
                  example=destination / "ponte-backup.db"), file=sys.stderr)
        return 1
    if destination.exists() and not force:
        print(t._("{path} already exists and was left alone: choose another name, or add --force to replace it.",
                  path=destination), file=sys.stderr)
        return 1
    if not destination.parent.is_dir():
        print(t._("Cannot write {path}: the folder {folder} does not exist.", path=destination,
                  folder=destination.parent), file=sys.stderr)
        return 1
    try:
        size = backup(source, destination)
    except BackupError as error:
        print(t._("Cannot write {path}: {problem}", path=destination, problem=_problem(t, error.problem)),
              file=sys.stderr)
        return 1
    print(t._("Copied {source} to {path} ({size} KB), and checked the copy: it is whole.", source=source,
              path=destination, size=max(1, round(size / 1024))))
    return 0


def _problem(t: Translator, error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return t._("permission denied")
    if error.errno == errno.ENOSPC:
        return t._("the disk is full")
    if error.errno == errno.EISDIR:
        return t._("it is a folder, not a file")
    return t._("the system refused it (error {code})", code=error.errno)
