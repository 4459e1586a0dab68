"""The domain services a journey may call, bundled so that handlers receive them typed."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.clock import Clock
from bot.domain.agenda import Agenda
from bot.domain.audit import Audit
from bot.domain.broadcasts import Broadcasts
from bot.domain.checkins import Checkins
from bot.domain.feedback import Feedback
from bot.domain.groups import Groups
from bot.domain.people import People
from bot.domain.personal_data import PersonalData
from bot.domain.privacy_policy import PrivacyPolicy
from bot.domain.reports import Reports
from bot.domain.roles import Roles
from bot.domain.signups import Signups
from bot.domain.team import Team


@dataclass
class Domain:
    clock: Clock
    people: People
    agenda: Agenda
    signups: Signups
    roles: Roles
    groups: Groups
    broadcasts: Broadcasts
    checkins: Checkins
    team: Team
    audit: Audit
    feedback: Feedback
    personal_data: PersonalData
    privacy: PrivacyPolicy
    reports: Reports
