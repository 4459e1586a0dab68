"""Check-in at the venue: each event has an unguessable code, printed as a QR code on a poster; scanning it
marks the person present. The feedback after a visit goes to the people who were there (:meth:`Checkins.present`).

The rules: the code works from an hour before the start to the end; a confirmed person is checked in, anyone
else (waiting, cancelled, never signed up) is recorded as a walk-in, so organisers see them apart; a second
scan changes nothing. Organisers may also check someone in by hand, once the doors have opened."""

from __future__ import annotations

import enum
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config.clock import Clock
from bot.domain.roles import Roles
from storage import Database, Transaction
from storage.checkins import PresentEntry
from storage.records import Event, RegistrationStatus

OPENS_BEFORE = timedelta(hours=1)
# 22 letters and digits: about 131 bits, so a code cannot be guessed; letters and digits only, so that it
# fits both a /start payload and a button's data (neither takes every character).
TOKEN_LENGTH = 22
_ALPHABET = string.ascii_letters + string.digits
TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9]{{{TOKEN_LENGTH}}}")
PAYLOAD_PREFIX = "c_"  # https://t.me/<bot>?start=c_<token>


def new_token() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(TOKEN_LENGTH))


def token_in(payload: str) -> str | None:
    """The token of a ``c_<token>`` start payload, or None when it is not one whole (a truncated or
    padded link)."""
    token = payload.removeprefix(PAYLOAD_PREFIX)
    return token if payload.startswith(PAYLOAD_PREFIX) and TOKEN_SHAPE.fullmatch(token) else None


def checkin_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={PAYLOAD_PREFIX}{token}"


def opens_at(event: Event) -> datetime:
    return event.starts_at - OPENS_BEFORE


async def present_in(tx: Transaction, event_id: int) -> set[int] | None:
    """:meth:`Checkins.present` inside a transaction the caller already holds (a feedback request written
    in the same transaction as what decided it)."""
    return await tx.checkins.present_ids(event_id) or None


class Outcome(enum.Enum):
    CHECKED_IN = "checked_in"  # a confirmed person, now present
    WALK_IN = "walk_in"  # present, but was not confirmed: recorded apart
    ALREADY = "already"  # was already present: nothing changed
    NOT_YET = "not_yet"  # the doors open later (CheckinResult.opens_at)
    OVER = "over"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # no such code (forged or from nowhere), no such event, or no such person


@dataclass(frozen=True)
class CheckinResult:
    outcome: Outcome
    event: Event | None = None
    walk_in: bool = False  # how the person is recorded, once present

    @property
    def present(self) -> bool:
        return self.outcome in (Outcome.CHECKED_IN, Outcome.WALK_IN, Outcome.ALREADY)


def _closed(event: Event, now: datetime, *, after_end: bool) -> Outcome | None:
    """Why nobody can be checked in now, or None when they can. ``after_end``: an organiser may still
    record, after the end, who was there."""
    if event.cancelled:
        return Outcome.CANCELLED
    if now < opens_at(event):
        return Outcome.NOT_YET
    if now >= event.ends_at and not after_end:
        return Outcome.OVER
    return None


class Checkins:
    def __init__(self, db: Database, clock: Clock, roles: Roles) -> None:
        self._db = db
        self._clock = clock
        self._roles = roles

    async def code(self, requester_id: int, slug: str) -> tuple[Event, str] | None:
        """The event's check-in code, made the first time it is asked for; organisers only (raises
        :class:`~bot.domain.roles.NotAllowedError`). None for an unknown event."""
        self._roles.require_organiser(requester_id)
        return await self.operator_code(slug)

    async def operator_code(self, slug: str) -> tuple[Event, str] | None:
        """The same, for ``ponte checkin qr``: whoever runs the command line holds the database itself."""
        async with self._db.transaction() as tx:
            event = await tx.events.by_slug(slug)
            if event is None:
                return None
            return event, await tx.checkins.code_of(event.id) or await tx.checkins.add_code(
                event.id, new_token(), self._clock.now())

    async def known(self, token: str) -> bool:
        """Whether a code was made for some event: a newcomer is told of a broken link before consenting,
        and carries a good one through the consent."""
        async with self._db.serialized() as tx:
            return await tx.checkins.event_of(token) is not None

    async def scan(self, person_id: int, token: str) -> CheckinResult:
        """A person scanned an event's code. Nothing is written unless they are checked in now."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            event_id = await tx.checkins.event_of(token)
            event = await tx.events.by_id(event_id) if event_id is not None else None
            if event is None:
                return CheckinResult(Outcome.UNKNOWN)
            return await self._check_in(tx, event, person_id, now, by_hand=False)

    async def by_hand(self, requester_id: int, event_id: int, person_id: int) -> CheckinResult:
        """An organiser checks someone in from the attendee list (raises
        :class:`~bot.domain.roles.NotAllowedError` for anyone else)."""
        self._roles.require_organiser(requester_id)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            event = await tx.events.by_id(event_id)
            person = await tx.participants.get(person_id)
            if event is None or person is None or not person.consented:
                return CheckinResult(Outcome.UNKNOWN, event)
            return await self._check_in(tx, event, person_id, now, by_hand=True)

    async def _check_in(self, tx: Transaction, event: Event, person_id: int, now: datetime, *,
                        by_hand: bool) -> CheckinResult:
        earlier = await tx.checkins.get(event.id, person_id)
        if earlier is not None:
            return CheckinResult(Outcome.ALREADY, event, earlier.walk_in)
        closed = _closed(event, now, after_end=by_hand)
        if closed is not None:
            return CheckinResult(closed, event)
        registration = await tx.registrations.get(event.id, person_id)
        walk_in = registration is None or registration.status is not RegistrationStatus.CONFIRMED
        await tx.checkins.add(event.id, person_id, walk_in=walk_in, by_hand=by_hand, now=now)
        return CheckinResult(Outcome.WALK_IN if walk_in else Outcome.CHECKED_IN, event, walk_in)

    async def present_at(self, requester_id: int, event_id: int) -> list[PresentEntry]:
        """Who came, for the attendee list; organisers only."""
        self._roles.require_organiser(requester_id)
        async with self._db.serialized() as tx:
            return await tx.checkins.present(event_id)

    async def present(self, event_id: int) -> set[int] | None:
        """The Telegram ids of the people checked in at an event (confirmed or walk-in), for the feedback
        requests; None when nobody was checked in at all, as for an event that used no check-in (the
        feedback then goes to everyone confirmed)."""
        async with self._db.serialized() as tx:
            return await present_in(tx, event_id)

    def is_open(self, event: Event) -> bool:
        """Whether organisers can check people in by hand now (the doors have opened)."""
        return _closed(event, self._clock.now(), after_end=True) is None
