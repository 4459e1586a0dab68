"""A person's own copy of everything Ponte keeps about them (``/mydata``), read in one consistent look."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config.clock import Clock
from storage import Database
from storage.personal_data import (
    KeptAgendaFile,
    KeptAuditEntry,
    KeptBroadcast,
    KeptCheckin,
    KeptInvite,
    KeptMessage,
    KeptRegistration,
    KeptResponse,
    KeptRole,
)
from storage.records import Participant


@dataclass(frozen=True)
class PersonalRecord:
    """Everything kept about one person, as of ``taken_at``. A table that comes to keep something about a
    person adds its query to storage.personal_data, a field here and its section in the rendered file."""

    taken_at: datetime
    profile: Participant
    registrations: tuple[KeptRegistration, ...]
    checkins: tuple[KeptCheckin, ...]
    responses: tuple[KeptResponse, ...]
    messages: tuple[KeptMessage, ...]
    broadcasts: tuple[KeptBroadcast, ...]
    agenda_files: tuple[KeptAgendaFile, ...]
    roles: tuple[KeptRole, ...] = ()
    invites: tuple[KeptInvite, ...] = ()
    audit: tuple[KeptAuditEntry, ...] = ()


class PersonalData:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def collect(self, telegram_id: int) -> PersonalRecord | None:
        """The person's record, or None when nothing is kept about them. Only ever the asker's own: the
        caller passes the Telegram id of whoever wrote, never one taken from a button or a text."""
        async with self._db.serialized() as tx:
            profile = await tx.participants.get(telegram_id)
            if profile is None:
                return None
            data = tx.personal_data
            return PersonalRecord(
                taken_at=self._clock.now(),
                profile=profile,
                registrations=tuple(await data.registrations(telegram_id)),
                checkins=tuple(await data.checkins(telegram_id)),
                responses=tuple(await data.responses(telegram_id)),
                messages=tuple(await data.messages(telegram_id)),
                broadcasts=tuple(await data.broadcasts(telegram_id)),
                agenda_files=tuple(await data.agenda_files(telegram_id)),
                roles=tuple(await data.roles(telegram_id)),
                invites=tuple(await data.invites(telegram_id)),
                audit=tuple(await data.audit(telegram_id)),
            )
