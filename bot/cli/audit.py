"""``ponte audit``: the privileged actions, newest first, in the terminal's language and the exchange's zone."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.config.clock import SystemClock
from bot.config.settings import Settings
from bot.domain.audit import Audit, AuditAction
from bot.domain.roles import Role
from bot.render.i18n import N_, Translator
from bot.render.timefmt import BABEL_LOCALE, city_name
from storage import Database
from storage.audit import FORGOTTEN, AuditEntry

# Sortable in a log, with the clock each language reads.
_MOMENT = {"it": "yyyy-MM-dd HH:mm", "en": "yyyy-MM-dd h:mm a"}
# Each action as a line, keyed by the action and, where it names one, the role; placeholders from its detail.
_SAID: dict[tuple[str, str | None], str] = {
    (AuditAction.AGENDA_IMPORTED, None): N_("agenda imported (added: {added}, changed: {changed}, canceled: "
                                            "{canceled})"),
    (AuditAction.BROADCAST_SENT, None): N_("broadcast #{broadcast} sent ({recipients} recipients, audience: "
                                           "{audience})"),
    (AuditAction.INVITE_CREATED, Role.ORGANISER): N_("invitation #{invite} created for an organizer"),
    (AuditAction.INVITE_CREATED, Role.COORDINATOR): N_("invitation #{invite} created for a coordinator"),
    (AuditAction.INVITE_REVOKED, None): N_("invitation #{invite} withdrawn"),
    (AuditAction.ROLE_GRANTED, Role.ORGANISER): N_("ID {person} became an organizer (invitation #{invite})"),
    (AuditAction.ROLE_GRANTED, Role.COORDINATOR): N_("ID {person} became a coordinator (invitation #{invite})"),
    (AuditAction.ROLE_REVOKED, Role.ORGANISER): N_("organizer role of ID {person} revoked"),
    (AuditAction.ROLE_REVOKED, Role.COORDINATOR): N_("coordinator role of ID {person} revoked"),
    (AuditAction.EXPORT, None): N_("answers exported"),
}
_DATA_DELETED = N_("{action}, as they deleted their data")


def said(t: Translator, entry: AuditEntry) -> str:
    """One entry's action in words; details no sentence names follow as key=value."""
    # Keys as the domain writes them, placeholders as the (American) English catalog spells them.
    detail = {("canceled" if key == "cancelled" else key): value for key, value in entry.detail.items()
              if key != "actor"}
    role = detail.get("role") if entry.action in (AuditAction.INVITE_CREATED, AuditAction.ROLE_GRANTED,
                                                  AuditAction.ROLE_REVOKED) else None
    template = _SAID.get((entry.action, role))
    if template is None:
        return " ".join([entry.action, *(f"{key}={value}" for key, value in sorted(detail.items()))])
    try:
        line = t._(template, **detail)
    except (KeyError, IndexError, ValueError):
        return " ".join([t._(template.split(" (")[0].split(" {")[0]),
                         *(f"{key}={value}" for key, value in sorted(detail.items()))])
    if detail.get("reason") == "data deleted":
        line = t._(_DATA_DELETED, action=line)
    named = {"role", "reason", *(name for name in detail if "{" + name + "}" in template)}
    rest = " ".join(f"{key}={value}" for key, value in sorted(detail.items()) if key not in named)
    return f"{line} {rest}" if rest else line


def print_audit(settings: Settings, t: Translator, limit: int) -> int:
    """Print the latest ``limit`` entries. Reading never creates a database."""
    if str(settings.db_path) != ":memory:" and not settings.db_path.is_file():
        print(t._("There is no database at {path}, so there is no audit log to show. Check PONTE_DB.",
                  path=settings.db_path), file=sys.stderr)
        return 1
    try:
        entries = asyncio.run(_latest(settings, limit))
    except sqlite3.Error:
        print(t._("Cannot use the database {path}: it is not a Ponte database, or it cannot be read or written. "
                  "Check PONTE_DB.", path=settings.db_path), file=sys.stderr)
        return 1
    if not entries:
        print(t._("The audit log is empty: nobody has done anything that needs an organizer yet."))
        return 0
    zone = settings.timezone
    print(t._("Newest first; times are {city} time ({zone}).", city=city_name(zone, t.language), zone=zone))
    for entry in entries:
        moment = format_datetime(entry.at, _MOMENT[t.language], tzinfo=ZoneInfo(zone),
                                 locale=BABEL_LOCALE[t.language])
        if entry.detail.get("actor") == FORGOTTEN:
            actor = t._("someone who has since deleted their data")
        else:
            actor = t._("command line") if entry.actor_id is None else t._("ID {id}", id=entry.actor_id)
        print(f"{moment}  {actor}  {said(t, entry)}")
    return 0


async def _latest(settings: Settings, limit: int) -> list[AuditEntry]:
    db = await Database.open(settings.db_path)
    try:
        return await Audit(db, SystemClock()).latest(limit)
    finally:
        await db.close()
