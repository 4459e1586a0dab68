"""The ``ponte purge`` sub-command's arguments (kept apart from bot.cli.purge, which the parser does not need
to import)."""

from __future__ import annotations

from typing import Any

from bot.render.i18n import Translator


def add_purge_command(commands: Any, t: Translator) -> None:
    purge = commands.add_parser(
        "purge", help=t._("delete the data of people whose last event or activity is older than "
                          "PONTE_RETENTION_DAYS"),
        description=t._("Delete now, as if they had asked, the people whose last event ended (or who were last "
                        "active) more than PONTE_RETENTION_DAYS days ago; their feedback answers stay, "
                        "anonymous. The running bot does this by itself once a day."))
    purge.options.add_argument("--dry-run", action="store_true",
                               help=t._("list who would be deleted, change nothing"))
