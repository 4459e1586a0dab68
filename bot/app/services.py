"""Opening the database and wiring the domain services together."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.clock import Clock
from bot.config.settings import Settings
from bot.delivery.outbox import Dispatcher
from bot.delivery.pacing import Pacer
from bot.domain.agenda import Agenda
from bot.domain.audit import Audit
from bot.domain.broadcasts import Broadcasts
from bot.domain.changes import Changes
from bot.domain.checkins import Checkins
from bot.domain.feedback import Feedback
from bot.domain.feedback_requests import FeedbackRequests
from bot.domain.groups import Groups
from bot.domain.people import People
from bot.domain.personal_data import PersonalData
from bot.domain.privacy_policy import PrivacyPolicy
from bot.domain.reminders import Reminders
from bot.domain.reports import Reports
from bot.domain.retention import Retention
from bot.domain.roles import Roles
from bot.domain.services import Domain
from bot.domain.signups import Signups
from bot.domain.team import Team
from storage import Database


@dataclass
class Services(Domain):
    """The domain, plus what only the composition root touches: settings, the database and delivery."""

    settings: Settings
    db: Database
    dispatcher: Dispatcher
    retention: Retention


async def open_services(settings: Settings, clock: Clock, *, db: Database | None = None,
                        pacer: Pacer | None = None, automatic_outbox: bool = True) -> Services:
    """Everything the bot needs, on an open, migrated database."""
    db = db or await Database.open(settings.db_path)
    dispatcher = Dispatcher(db, clock, pacer or Pacer(per_second=settings.send_rate), automatic=automatic_outbox,
                            paid_broadcasts=settings.paid_broadcasts)
    # Reminders and change notices are derived from the database when their moment comes.
    dispatcher.add_source(Reminders(db, settings.reminders))
    dispatcher.add_source(Changes(db))
    # So are feedback requests after events, and their one reminder.
    dispatcher.add_source(FeedbackRequests(db, settings.feedback_delay, settings.feedback_reminder))
    roles = Roles(settings.admins, settings.coordinators)
    team = Team(db, clock, roles, dispatcher.wake, invite_ttl=settings.invite_ttl,
                home_timezone=settings.timezone)
    # The settings' roles into the database, and every role held into the view asked on each press.
    await team.start()
    people = People(db, clock, dispatcher.wake, on_forget=team.forget)
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        people=people,
        agenda=Agenda(db, clock, dispatcher.wake, change_delay=settings.change_delay, roles=roles),
        signups=Signups(db, clock, roles, dispatcher.wake),
        roles=roles,
        dispatcher=dispatcher,
        groups=Groups(db, clock),
        broadcasts=Broadcasts(db, clock, roles, dispatcher.wake),
        checkins=Checkins(db, clock, roles),
        team=team,
        audit=Audit(db, clock),
        feedback=Feedback(db, clock, people),
        personal_data=PersonalData(db, clock),
        privacy=PrivacyPolicy(settings.controller, settings.privacy_contact, settings.retention_days),
        retention=Retention(db, clock, people, settings.retention_days),
        reports=Reports(db, roles, clock, settings.timezone),
    )
