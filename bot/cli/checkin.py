"""``ponte checkin qr SLUG --out FILE``: an event's check-in QR code as a PNG, to print for its door.

The link needs the bot's @username. ``PONTE_BOT_USERNAME`` gives it with no network at all; without it, the
command asks Telegram (getMe with ``PONTE_TOKEN``, at ``PONTE_API_URL``)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

from telegram import Bot

from bot.cli.agenda import database_missing, os_problem, unusable_database
from bot.config.clock import SystemClock
from bot.config.settings import TOKEN_SHAPE, Settings
from bot.domain.checkins import Checkins, checkin_link
from bot.domain.roles import Roles
from bot.render.checkins import qr_cli_line, qr_png
from bot.render.i18n import Translator
from storage import Database
from storage.records import Event


async def _ask_username(settings: Settings) -> str:
    async with Bot(settings.token, base_url=settings.api_url) as bot:
        return bot.username


async def _code(settings: Settings, slug: str) -> tuple[Event, str] | None:
    db = await Database.open(settings.db_path)
    try:
        return await Checkins(db, SystemClock(), Roles(settings.admins)).operator_code(slug)
    finally:
        await db.close()


def checkin_qr(settings: Settings, t: Translator, slug: str, out: Path) -> int:
    """Write the event's QR code; the event's code is made the first time, and stays the same afterwards
    (and across re-imports of the agenda), so a poster printed once keeps working."""
    if database_missing(settings):
        print(t._("There is no database at {path}, so there is no agenda yet. Check PONTE_DB.",
                  path=settings.db_path), file=sys.stderr)
        return 1
    if not out.parent.is_dir():
        print(t._("Cannot write {path}: the folder {folder} does not exist.", path=out, folder=out.parent),
              file=sys.stderr)
        return 1
    username = settings.bot_username
    if username is None:
        if not TOKEN_SHAPE.match(settings.token):
            print(t._("The check-in link needs the bot's username: set PONTE_BOT_USERNAME (such as "
                      "PONTE_BOT_USERNAME=ponte_bot), or PONTE_TOKEN to ask Telegram for it."), file=sys.stderr)
            return 2
        username = asyncio.run(_ask_username(settings))
    try:
        found = asyncio.run(_code(settings, slug.lower()))
    except sqlite3.Error:
        print(unusable_database(t, settings), file=sys.stderr)
        return 1
    if found is None:
        print(t._("There is no event with the code {code}.", code=slug), file=sys.stderr)
        return 1
    event, token = found
    link = checkin_link(username, token)
    try:
        out.write_bytes(qr_png(link))
    except OSError as error:
        print(t._("Cannot write {path}: {problem}", path=out, problem=os_problem(t, error)), file=sys.stderr)
        return 1
    print(qr_cli_line(t, event, link, str(out)))
    return 0
