"""``ponte report``: the feedback report as a file, for the people who write the report on collaborative
services. The file speaks ``--language`` (by default the terminal's); what is printed, the terminal's."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
from pathlib import Path

from bot.cli.agenda import database_missing, os_problem, unusable_database
from bot.config.clock import SystemClock
from bot.config.settings import Settings
from bot.domain.reports import ExportFormat, Reports, UnknownEventError
from bot.domain.roles import Roles
from bot.render.i18n import Translator, translator
from bot.render.report_document import write_document
from bot.render.report_sheet import write_csv, write_xlsx
from storage import Database


class _Empty(Exception):
    """Nobody has answered yet in the scope asked for: there is nothing to write."""


async def _write(settings: Settings, what: ExportFormat, part: Path, slug: str | None, language: str) -> int:
    """Write the file at ``part``; returns how many responses it holds."""
    t = translator(language)
    db = await Database.open(settings.db_path)
    try:
        # The command line is trusted as the database file is: whoever can run it can read the file itself.
        reports = Reports(db, Roles(frozenset()), SystemClock(), settings.timezone)
        async with reports.export(None, what, slug) as export:
            if export.report.empty:
                raise _Empty
            if what is ExportFormat.XLSX:
                return await write_xlsx(t, export, str(part))
            # newline="": the csv module writes its own line ends; utf-8-sig: the mark tells Excel it is UTF-8.
            encoding = "utf-8-sig" if what is ExportFormat.CSV else "utf-8"
            with part.open("w", encoding=encoding, newline="") as out:
                if what is ExportFormat.CSV:
                    return await write_csv(t, export, out)
                await write_document(t, export, out, SystemClock().now())
                return export.report.figures.turnout().asked
    finally:
        await db.close()


def export_report(settings: Settings, t: Translator, what: ExportFormat, out: Path, slug: str | None,
                  language: str | None) -> int:
    """Write the report; one clear line and exit code 1 for an unknown event, a path that cannot be written,
    or nothing to report. The file appears whole or not at all (written aside, then renamed)."""
    if database_missing(settings):
        print(t._("There is no database at {path}, so there are no answers to report. Check PONTE_DB.",
                  path=settings.db_path), file=sys.stderr)
        return 1
    part = out.with_name(out.name + ".part")
    try:
        part.open("wb").close()
    except OSError as error:
        print(t._("Cannot write {path}: {problem}", path=out, problem=os_problem(t, error)), file=sys.stderr)
        return 1
    try:
        written = asyncio.run(_write(settings, what, part, slug, language or t.language))
        part.replace(out)
    except UnknownEventError:
        print(t._("There is no event with the code {code}.", code=slug), file=sys.stderr)
        return 1
    except _Empty:
        if slug:
            print(t._("Nobody has been asked about {code} yet: there is nothing to report, and no file was written.",
                      code=slug), file=sys.stderr)
        else:
            print(t._("Nobody has been asked for feedback yet: there is nothing to report, and no file was "
                      "written."), file=sys.stderr)
        return 1
    except OSError as error:
        print(t._("Cannot write {path}: {problem}", path=out, problem=os_problem(t, error)), file=sys.stderr)
        return 1
    except sqlite3.Error:
        print(unusable_database(t, settings), file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
    if what is ExportFormat.HTML:
        print(t._("Wrote the report to {path}.", path=out))
    else:
        print(t.n_("Wrote {n} response to {path}.", "Wrote {n} responses to {path}.", written, path=out))
    return 0
