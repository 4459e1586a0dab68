"""``ponte agenda import`` and ``export``: what they print, in the organiser's language."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config.clock import SystemClock
from bot.config.settings import Settings
from bot.domain.agenda import Agenda, ImportReport
from bot.domain.agenda_file import AgendaFileError, dump_agenda, parse_agenda
from bot.render.i18n import Translator
from storage import Database
from storage.records import Event

EXPORT_HEADER = "Ponte agenda, exported from the database. Edit it and load it with: ponte agenda import FILE"


def _print_report(t: Translator, report: ImportReport, dry_run: bool) -> None:
    if dry_run:
        print(t._("The file is valid. Nothing was changed (--dry-run)."))
    for label, slugs in ((t._("Added"), report.added), (t._("Changed"), report.changed),
                         (t._("Left alone"), report.unchanged),
                         (t._("In the database but not in the file (left as they are)"), report.not_in_file)):
        print(t._("{label}: {count}", label=label, count=len(slugs)) + (f"  ({', '.join(slugs)})" if slugs else ""))
    for over in report.over_capacity:
        names = ", ".join(e.participant.display_name or str(e.participant.telegram_id) for e in over.beyond)
        print(t._("Warning: {slug} now has {capacity} seats but {confirmed} people are confirmed. Nobody was "
                  "removed; the last confirmed are: {names}. Decide with them, or raise the capacity.",
                  slug=over.event.slug, capacity=over.event.capacity, confirmed=over.confirmed, names=names))
    for slug, count in report.promoted.items():
        print(t.n_("{slug}: {n} person moved from the waiting list to a seat and will be told.",
                   "{slug}: {n} people moved from the waiting list to a seat and will be told.", count, slug=slug))


def import_agenda(settings: Settings, t: Translator, path: Path, *, dry_run: bool = False) -> int:
    """Check the file; apply it only when it has no mistake at all."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(t._("Cannot read {path}: {problem}", path=path, problem=error), file=sys.stderr)
        return 1
    try:
        events = parse_agenda(text)
    except AgendaFileError as error:
        print(t.n_("{path}: {n} mistake, nothing was changed:", "{path}: {n} mistakes, nothing was changed:",
                   len(error.problems), path=path), file=sys.stderr)
        for problem in error.problems:
            print(t._("  line {line}, {field}: {problem}", line=problem.line or "?", field=problem.field or "-",
                      problem=t._(problem.message, **problem.values)), file=sys.stderr)
        return 1
    _print_report(t, asyncio.run(_apply(settings, events, dry_run)), dry_run)
    return 0


async def _apply(settings: Settings, events: list[Event], dry_run: bool) -> ImportReport:
    db = await Database.open(settings.db_path)
    try:
        # Promotions an import causes wait in the outbox for the running bot's sweep: nothing to wake here.
        return await Agenda(db, SystemClock(), lambda: None).apply(events, dry_run=dry_run)
    finally:
        await db.close()


async def _current(settings: Settings) -> list[Event]:
    db = await Database.open(settings.db_path)
    try:
        return await Agenda(db, SystemClock(), lambda: None).all_events()
    finally:
        await db.close()


def export_agenda(settings: Settings, t: Translator, output: Path | None) -> int:
    """Write the agenda as the same TOML that import reads."""
    events = asyncio.run(_current(settings))
    text = dump_agenda(events, EXPORT_HEADER)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        print(t.n_("Wrote {n} event to {path}.", "Wrote {n} events to {path}.", len(events), path=output))
    return 0
