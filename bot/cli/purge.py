"""``ponte purge``: delete now the people whose data has passed PONTE_RETENTION_DAYS (the running bot does it
once a day by itself); ``--dry-run`` lists who would go and changes nothing. In the terminal's language."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from datetime import datetime

from bot.config.clock import Clock
from bot.config.settings import Settings
from bot.domain.people import People
from bot.domain.retention import Leaving, Retention
from bot.render.i18n import Translator
from bot.render.timefmt import full_date, local_day
from storage import Database


def purge(settings: Settings, t: Translator, *, dry_run: bool, clock: Clock | None = None) -> int:
    if str(settings.db_path) != ":memory:" and not settings.db_path.is_file():
        print(t._("There is no database at {path}: nothing is kept, so nothing to delete. Check PONTE_DB.",
                  path=settings.db_path))
        return 0
    try:
        leaving = asyncio.run(_run(settings, clock or settings.clock(), dry_run))
    except sqlite3.Error:
        print(t._("Cannot use the database {path}: it is not a Ponte database, or it cannot be read or written. "
                  "Check PONTE_DB.", path=settings.db_path), file=sys.stderr)
        return 1
    _print(t, settings, leaving, dry_run)
    return 0


async def _run(settings: Settings, clock: Clock, dry_run: bool) -> list[Leaving]:
    db = await Database.open(settings.db_path)
    try:
        # Seats freed here go to the people waiting; their notices wait in the database for the bot's sweep.
        retention = Retention(db, clock, People(db, clock, lambda: None), settings.retention_days)
        return await (retention.due() if dry_run else retention.purge())
    finally:
        await db.close()


def _print(t: Translator, settings: Settings, leaving: list[Leaving], dry_run: bool) -> None:
    days = settings.retention_days
    if not leaving:
        print(t.n_("Nobody's data has passed {n} day since their last event or activity: nothing to delete.",
                   "Nobody's data has passed {n} days since their last event or activity: nothing to delete.",
                   days))
        return
    if dry_run:
        print(t.n_("{n} person would be deleted (--dry-run: nothing was changed):",
                   "{n} people would be deleted (--dry-run: nothing was changed):", len(leaving)))
    else:
        print(t.n_("Deleted the data of {n} person:", "Deleted the data of {n} people:", len(leaving)))
    for person in leaving:
        print("  " + _line(t, settings, person))


def _line(t: Translator, settings: Settings, person: Leaving) -> str:
    def day(moment: datetime) -> str:
        return full_date(local_day(moment, settings.timezone), t.language)

    since = t.n_("{n} day ago", "{n} days ago", person.days_since)
    if person.last_event_end is None:
        return t._("{id}: never signed up for an event; last active {day}, {since}", id=person.telegram_id,
                   day=day(person.last_moment), since=since)
    if person.last_event_end >= person.last_moment:
        return t._("{id}: last event ended {day}, {since}", id=person.telegram_id, day=day(person.last_moment),
                   since=since)
    return t._("{id}: last event ended {event_day}; last active {day}, {since}", id=person.telegram_id,
               event_day=day(person.last_event_end), day=day(person.last_moment), since=since)
