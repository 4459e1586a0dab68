"""Opening the database and wiring the domain services together."""

from __future__ import annotations

from dataclasses import dataclass

from bot.agenda import Agenda
from bot.clock import Clock
from bot.groups import Groups
from bot.outbox import Dispatcher
from bot.pacing import Pacer
from bot.people import People
from bot.roles import Roles
from bot.settings import Settings
from bot.signups import Signups
from storage import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    people: People
    agenda: Agenda
    signups: Signups
    roles: Roles
    dispatcher: Dispatcher
    groups: Groups


async def open_services(settings: Settings, clock: Clock, *, db: Database | None = None,
                        pacer: Pacer | None = None, automatic_outbox: bool = True) -> Services:
    """Everything the bot needs, on an open, migrated database."""
    db = db or await Database.open(settings.db_path)
    dispatcher = Dispatcher(db, clock, pacer, automatic=automatic_outbox)
    roles = Roles(settings.admins)
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        people=People(db, clock, dispatcher.wake),
        agenda=Agenda(db, clock, dispatcher.wake),
        signups=Signups(db, clock, roles, dispatcher.wake),
        roles=roles,
        dispatcher=dispatcher,
        groups=Groups(db, clock),
    )
