"""``ponte agenda import`` and ``export``: what they print, in the organiser's language."""

from __future__ import annotations

import asyncio
import errno
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path

from babel.numbers import format_decimal

from bot.config.clock import SystemClock
from bot.config.durations import format_duration
from bot.config.settings import Settings
from bot.domain.agenda import Agenda, ImportReport
from bot.domain.agenda_file import AgendaFileError, dump_agenda, parse_agenda
from bot.domain.toml_reading import Problem, TomlFileError
from bot.render.i18n import Translator
from bot.render.timefmt import BABEL_LOCALE
from storage import Database
from storage.records import Event


def _print_report(t: Translator, report: ImportReport, dry_run: bool) -> None:
    if dry_run:
        print(t._("The file is valid. Nothing was changed (--dry-run)."))
    for label, slugs in ((t._("Added"), report.added), (t._("Changed"), report.changed),
                         (t._("Left alone"), report.unchanged),
                         (t._("In the database but not in the file (left as they are)"), report.not_in_file)):
        print(t._("{label}: {count}", label=label, count=len(slugs)) + (f"  ({', '.join(slugs)})" if slugs else ""))
    for over in report.over_capacity:
        names = ", ".join(e.participant.display_name or str(e.participant.telegram_id) for e in over.beyond)
        print(t.n_("Warning: {slug} now has {n} seat, fewer than the people confirmed ({confirmed}). Nobody was "
                   "removed; the last confirmed are: {names}. Decide with them, or raise the capacity.",
                   "Warning: {slug} now has {n} seats, fewer than the people confirmed ({confirmed}). Nobody was "
                   "removed; the last confirmed are: {names}. Decide with them, or raise the capacity.",
                   over.event.capacity, slug=over.event.slug, confirmed=over.confirmed, names=names))
    for slug, count in report.notified.items():
        print(notified_line(t, slug, count, report.change_delay))
    for slug, count in report.promoted.items():
        print(t.n_("{slug}: {n} person moved from the waiting list to a seat and will be told.",
                   "{slug}: {n} people moved from the waiting list to a seat and will be told.", count, slug=slug))


def notified_line(t: Translator, slug: str, count: int, delay: timedelta) -> str:
    """How many people one change will be told to, and when."""
    return t.n_("{slug}: {n} person signed up or waiting will be told of this change in {delay}, unless it is "
                "undone by then.",
                "{slug}: {n} people signed up or waiting will be told of this change in {delay}, unless it is "
                "undone by then.", count, slug=slug, delay=format_duration(delay))


def os_problem(t: Translator, error: OSError) -> str:
    """What went wrong with a file, in the terminal's language rather than the system's."""
    if error.errno == errno.ENOENT:
        return t._("there is no such file")
    if error.errno in (errno.EACCES, errno.EPERM):
        return t._("permission denied")
    if error.errno == errno.EISDIR:
        return t._("it is a folder, not a file")
    if error.errno == errno.ENOSPC:
        return t._("the disk is full")
    return t._("the system refused it (error {code})", code=error.errno)


def read_utf8(t: Translator, path: Path) -> str | None:
    """A file people wrote, or None after saying in one line why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        print(t._("Cannot read {path}: it is not UTF-8 text. Save it as UTF-8 and try again.", path=path),
              file=sys.stderr)
    except OSError as error:
        print(t._("Cannot read {path}: {problem}", path=path, problem=os_problem(t, error)), file=sys.stderr)
    return None


def unusable_database(t: Translator, settings: Settings) -> str:
    return t._("Cannot use the database {path}: it is not a Ponte database, or it cannot be read or written. "
               "Check PONTE_DB.", path=settings.db_path)


def database_missing(settings: Settings) -> bool:
    return str(settings.db_path) != ":memory:" and not settings.db_path.is_file()


def import_agenda(settings: Settings, t: Translator, path: Path, *, dry_run: bool = False) -> int:
    """Check the file; apply it only when it has no mistake at all. A real import creates the database when
    there is none yet (that is how a fresh install is loaded); a dry run never does."""
    text = read_utf8(t, path)
    if text is None:
        return 1
    try:
        events = parse_agenda(text)
    except AgendaFileError as error:
        print_problems(t, path, error)
        return 1
    fresh = dry_run and database_missing(settings)
    if fresh:
        print(t._("There is no database at {path} yet: the file is checked against an empty agenda, and a real "
                  "import will create it.", path=settings.db_path))
    try:
        report = asyncio.run(_apply(Path(":memory:") if fresh else settings.db_path, events, dry_run,
                                    settings))
    except sqlite3.Error:
        print(unusable_database(t, settings), file=sys.stderr)
        return 1
    _print_report(t, report, dry_run)
    return 0


def _said(t: Translator, problem: Problem) -> str:
    """A problem in the organiser's language; large numbers (lengths, limits) grouped as the language groups
    them (12,000 or 12.000), four-digit ones such as years left alone."""
    values = {name: format_decimal(value, locale=BABEL_LOCALE[t.language])
              if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000 else value
              for name, value in problem.values.items()}
    return t._(problem.message, **values)


def print_problems(t: Translator, path: Path, error: TomlFileError) -> None:
    if error.syntax:
        problem = error.problems[0]
        print(t._("{path}, line {line}: this is not valid TOML: {problem}", path=path, line=problem.line or "?",
                  problem=_said(t, problem)), file=sys.stderr)
        return
    print(t.n_("{path}: {n} mistake, nothing was changed:", "{path}: {n} mistakes, nothing was changed:",
               len(error.problems), path=path), file=sys.stderr)
    for problem in error.problems:
        print(t._("  line {line}, {field}: {problem}", line=problem.line or "?", field=problem.field or "-",
                  problem=_said(t, problem)), file=sys.stderr)


async def _apply(db_path: Path, events: list[Event], dry_run: bool, settings: Settings) -> ImportReport:
    db = await Database.open(db_path)
    try:
        # Promotions and change notices an import causes wait in the database for the running bot's sweep:
        # nothing to wake here.
        agenda = Agenda(db, SystemClock(), lambda: None, change_delay=settings.change_delay)
        return await agenda.apply(events, dry_run=dry_run)
    finally:
        await db.close()


async def _current(settings: Settings) -> list[Event]:
    db = await Database.open(settings.db_path)
    try:
        return await Agenda(db, SystemClock(), lambda: None).all_events()
    finally:
        await db.close()


def export_agenda(settings: Settings, t: Translator, output: Path | None) -> int:
    """Write the agenda as the same TOML that import reads. Reading never creates a database."""
    if database_missing(settings):
        print(t._("There is no database at {path}, so there is no agenda to export. Check PONTE_DB.",
                  path=settings.db_path), file=sys.stderr)
        return 1
    if output is not None and not output.parent.is_dir():
        print(t._("Cannot write {path}: the folder {folder} does not exist.", path=output, folder=output.parent),
              file=sys.stderr)
        return 1
    try:
        events = asyncio.run(_current(settings))
    except sqlite3.Error:
        print(unusable_database(t, settings), file=sys.stderr)
        return 1
    text = dump_agenda(events, t._("Ponte agenda, exported from the database. Edit it and load it with: "
                                   "ponte agenda import FILE"))
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        print(t._("Cannot write {path}: {problem}", path=output, problem=os_problem(t, error)), file=sys.stderr)
        return 1
    print(t.n_("Wrote {n} event to {path}.", "Wrote {n} events to {path}.", len(events), path=output))
    return 0
