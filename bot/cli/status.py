"""``ponte status``: what an operator wants at a glance, from the live database, without writing to it."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.settings import Settings
from bot.render.i18n import Translator
from storage.backup import open_read_only
from storage.errors import diagnose
from storage.migrations import MIGRATIONS
from storage.status import Status, read_status


def add_status_command(commands: Any, t: Translator) -> None:
    parser = commands.add_parser(
        "status", help=t._("show the database's figures and the last errors, even while the bot runs"),
        description=t._("Show the schema version, people, events, the messages waiting to go or that failed, "
                        "broadcasts under way, updates not handled yet, and the last errors. Reads the database "
                        "(PONTE_DB) without changing it, also while the bot runs."))
    parser.options.add_argument("--json", action="store_true",
                                help=t._("print one JSON object, for monitoring scripts"))


def show_status(settings: Settings, t: Translator, *, as_json: bool = False) -> int:
    if not settings.db_path.exists():
        print(t._("There is no database at {path}. Check PONTE_DB.", path=settings.db_path), file=sys.stderr)
        return 1
    with contextlib.closing(open_read_only(settings.db_path)) as connection:
        try:
            status = read_status(connection, settings.clock().now())
        except sqlite3.Error as error:
            # A damaged page found while counting: the same one line as every command gives.
            raise diagnose(settings.db_path, error) from error
    if as_json:
        print(json.dumps({"database": str(settings.db_path), "schema_known": len(MIGRATIONS), **asdict(status)},
                         default=_iso, ensure_ascii=False))
        return 0
    for line in status_lines(t, status, settings):
        print(line)
    return 0


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def status_lines(t: Translator, status: Status, settings: Settings) -> list[str]:
    """One figure a line, ``label: number``, so that a person reads it and a script can grep it."""
    zone = ZoneInfo(settings.timezone)

    def at(moment: datetime) -> str:
        # A time and its zone's name: no words to translate.
        return f"{moment.astimezone(zone).strftime('%Y-%m-%d %H:%M')} ({settings.timezone})"

    known = len(MIGRATIONS)
    lines = [
        t._("database file: {path}", path=settings.db_path),
        t._("schema version: {version} (this Ponte knows up to {known})", version=status.schema_version,
            known=known),
    ]
    if status.schema_version < known:
        lines.append(t._("  the bot brings it up to date when it next starts"))
    lines += [
        t._("people: {count}", count=status.people),
        t._("  agreed to the privacy notice: {count}", count=status.consented),
        t._("  have blocked the bot: {count}", count=status.unreachable),
        t._("events to come or under way: {count}", count=status.events_upcoming),
        t._("events over: {count}", count=status.events_past),
        t._("events canceled: {count}", count=status.events_cancelled),
        t._("messages waiting to go: {count}", count=status.outbox["pending"]),
        t._("messages being sent: {count}", count=status.outbox["sending"]),
        t._("messages failed: {count}", count=status.outbox["failed"]),
        t._("messages uncertain after a crash: {count}", count=status.outbox["uncertain"]),
        t._("broadcasts under way: {count}", count=status.broadcasts_sending),
        t._("updates received and not handled yet: {count}", count=status.inbox_unhandled),
    ]
    if status.last_failures:
        lines.append(t._("last failed messages:"))
        lines += [f"  {at(failure.due_at)}  {failure.kind}: {' '.join(failure.error.split())}"
                  for failure in status.last_failures]
    else:
        lines.append(t._("last failed messages: none"))
    if status.last_problems:
        lines.append(t._("last errors of the running bot:"))
        for problem in status.last_problems:
            if problem.update_id is None:
                lines.append(t._("  {time}  {kind} at {place}", time=at(problem.at), kind=problem.kind,
                                 place=problem.place))
            else:
                lines.append(t._("  {time}  {kind} at {place}, handling update {update}", time=at(problem.at),
                                 kind=problem.kind, place=problem.place, update=problem.update_id))
    else:
        lines.append(t._("last errors of the running bot: none"))
    return lines
