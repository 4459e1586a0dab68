"""``ponte questionnaire import``, ``list`` and ``example``: what they print, in the terminal's language."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

from bot.cli.agenda import database_missing, print_problems, read_utf8, unusable_database
from bot.config.clock import SystemClock
from bot.config.settings import Settings
from bot.domain.questionnaire_file import DEFAULT_QUESTIONNAIRE, QuestionnaireFileError
from bot.domain.questionnaires import QuestionnaireReport, Questionnaires
from bot.render.i18n import Translator
from storage import Database
from storage.questionnaires import Questionnaire


def print_example() -> int:
    sys.stdout.write(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    return 0


def import_questionnaire(settings: Settings, t: Translator, path: Path, *, dry_run: bool = False) -> int:
    """Check the file, then against the database; apply it only when it has no mistake at all."""
    text = read_utf8(t, path)
    if text is None:
        return 1
    fresh = dry_run and database_missing(settings)
    try:
        report = asyncio.run(_import(Path(":memory:") if fresh else settings.db_path, text, dry_run))
    except QuestionnaireFileError as error:
        print_problems(t, path, error)
        return 1
    except sqlite3.Error:
        print(unusable_database(t, settings), file=sys.stderr)
        return 1
    _print_report(t, report, dry_run)
    return 0


def _print_report(t: Translator, report: QuestionnaireReport, dry_run: bool) -> None:
    if dry_run:
        print(t._("The file is valid. Nothing was changed (--dry-run)."))
    if report.created:
        print(t.n_("New questionnaire {slug}: {n} question.", "New questionnaire {slug}: {n} questions.",
                   len(report.added), slug=report.slug))
    else:
        print(t._("Questionnaire {slug} updated.", slug=report.slug))
        for label, keys in ((t._("Added"), report.added), (t._("Changed"), report.changed),
                            (t._("Left alone"), report.unchanged), (t._("Removed"), report.removed)):
            print(t._("{label}: {count}", label=label, count=len(keys)) + (f"  ({', '.join(keys)})" if keys else ""))
    if report.events:
        print(t.n_("It is asked after {n} event on the agenda: {slugs}.",
                   "It is asked after {n} events on the agenda: {slugs}.", len(report.events),
                   slugs=", ".join(report.events)))
    else:
        print(t._("No event on the agenda matches it yet: it will be asked after the events of its kinds or "
                  "slugs once they are on the agenda."))


async def _import(db_path: Path, text: str, dry_run: bool) -> QuestionnaireReport:
    db = await Database.open(db_path)
    try:
        return await Questionnaires(db, SystemClock()).import_text(text, dry_run=dry_run)
    finally:
        await db.close()


async def _all(db_path: Path) -> list[Questionnaire]:
    db = await Database.open(db_path)
    try:
        return await Questionnaires(db, SystemClock()).all()
    finally:
        await db.close()


def list_questionnaires(settings: Settings, t: Translator) -> int:
    if database_missing(settings):
        print(t._("There is no database at {path}, so there is no questionnaire yet. Check PONTE_DB.",
                  path=settings.db_path), file=sys.stderr)
        return 1
    try:
        questionnaires = asyncio.run(_all(settings.db_path))
    except sqlite3.Error:
        print(unusable_database(t, settings), file=sys.stderr)
        return 1
    if not questionnaires:
        print(t._("No questionnaire yet: ponte run installs the default one, or import yours with "
                  "ponte questionnaire import FILE."))
    for q in questionnaires:
        after = ", ".join(sorted(q.kinds) + sorted(q.events))
        print(t.n_("{slug}: {title} ({n} question), asked after: {after}",
                   "{slug}: {title} ({n} questions), asked after: {after}", len(q.questions),
                   slug=q.slug, title=q.title.get(t.language), after=after))
    return 0
