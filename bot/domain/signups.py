"""Seats and waiting lists. Each operation is atomic (one statement, or one serialised transaction), so no seat
is ever sold twice."""

from __future__ import annotations

import asyncio
import enum
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.config.clock import Clock
from bot.domain.notices import NoticeKind
from bot.domain.roles import Roles
from storage import Database, Transaction
from storage.records import Event, EventSeats, Registration, RegistrationStatus
from storage.registrations import EventStanding, PersonalEntry, RosterEntry

BATCH = 128  # sign-ups decided by one statement at most: a getUpdates answer brings up to 100 presses


class Outcome(enum.Enum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    ALREADY_CONFIRMED = "already_confirmed"
    ALREADY_WAITLISTED = "already_waitlisted"
    SEAT_RELEASED = "seat_released"
    LEFT_WAITLIST = "left_waitlist"
    NOT_REGISTERED = "not_registered"
    UNKNOWN_EVENT = "unknown_event"
    EVENT_CANCELLED = "event_cancelled"
    SIGNUP_CLOSED = "signup_closed"
    STARTED = "started"


@dataclass(frozen=True)
class SignupResult:
    outcome: Outcome
    seats: EventSeats | None = None
    position: int | None = None
    promoted: tuple[int, ...] = ()


@dataclass(frozen=True)
class Standing:
    """Where one person stands for one event: no status when they have not signed up (or cancelled)."""

    status: RegistrationStatus | None
    position: int | None


def seat_free(seats: EventSeats) -> bool:
    """Whether a sign-up now would get a seat: one is free and nobody waits for it. The same rule, in SQL,
    decides each sign-up (storage.registrations._CLAIM); this one tells people what to expect."""
    event = seats.event
    return event.capacity is None or (seats.confirmed < event.capacity and seats.waitlisted == 0)


def signup_closes_at(event: Event) -> datetime:
    return event.signup_closes_at or event.starts_at


def signup_open(event: Event, now: datetime) -> bool:
    return not event.cancelled and now < signup_closes_at(event)


async def fill_free_seats(tx: Transaction, event: Event, now: datetime) -> list[Registration]:
    """Give every free seat to the first people waiting, and queue the message that tells each of them."""
    if event.cancelled or now >= event.starts_at:
        return []
    confirmed, waiting = await tx.registrations.counts(event.id)
    free = waiting if event.capacity is None else min(event.capacity - confirmed, waiting)
    if free <= 0:
        return []
    promoted = await tx.registrations.first_waiting(event.id, free)
    for registration in promoted:
        await tx.registrations.save(event.id, registration.participant_id, RegistrationStatus.CONFIRMED, None, now)
        await tx.outbox.add(registration.participant_id, NoticeKind.SEAT_CONFIRMED, due_at=now, now=now,
                            event_id=event.id)
    return promoted


async def release_seats(tx: Transaction, participant_id: int, now: datetime) -> list[Registration]:
    """Cancel all of a person's registrations (they are leaving) and pass their seats on."""
    promoted: list[Registration] = []
    for entry in await tx.registrations.active_for_participant(participant_id):
        await tx.registrations.save(entry.event.id, participant_id, RegistrationStatus.CANCELLED, None, now)
        if entry.registration.status is RegistrationStatus.CONFIRMED:
            promoted += await fill_free_seats(tx, entry.event, now)
    return promoted


def _outcome(found: EventStanding | None, token: int) -> SignupResult:
    if found is None:
        return SignupResult(Outcome.UNKNOWN_EVENT)
    seats, changed = found.seats, found.claim_token == token
    if found.status is RegistrationStatus.CONFIRMED:
        return SignupResult(Outcome.CONFIRMED if changed else Outcome.ALREADY_CONFIRMED, seats)
    if found.status is RegistrationStatus.WAITLISTED:
        outcome = Outcome.WAITLISTED if changed else Outcome.ALREADY_WAITLISTED
        return SignupResult(outcome, seats, found.position)
    if seats.event.cancelled:
        return SignupResult(Outcome.EVENT_CANCELLED, seats)
    return SignupResult(Outcome.SIGNUP_CLOSED, seats)


class Signups:
    def __init__(self, db: Database, clock: Clock, roles: Roles, wake_outbox: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        self._roles = roles
        self._wake_outbox = wake_outbox
        self._waiting: list[tuple[str, int, int, asyncio.Future[SignupResult]]] = []
        self._writer: asyncio.Task[None] | None = None
        # Tokens tell each person whether their own press changed anything; random high bits keep them
        # unique across restarts.
        self._tokens = itertools.count(secrets.randbits(40) << 20)

    async def sign_up(self, participant_id: int, slug: str) -> SignupResult:
        """A seat while there is one and nobody waits for it, else a place at the end of the waiting list.
        Signing up twice changes nothing, so a redelivered update or a double tap is harmless."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SignupResult] = loop.create_future()
        self._waiting.append((slug, participant_id, next(self._tokens), future))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_waiting())
        return await future

    async def _write_waiting(self) -> None:
        """Write the sign-ups that arrived together with one statement, in arrival order (group commit):
        under a rush most of a sign-up's cost is the round trip to SQLite, and this pays it once a batch."""
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                results = await self._write(batch)
            except BaseException as error:
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
            else:
                for (*_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)

    async def _write(self, batch: list[tuple[str, int, int, asyncio.Future[SignupResult]]]) -> list[SignupResult]:
        now = self._clock.now()
        # One statement decides the whole batch, atomically; its rules are its SQL (storage.registrations).
        # It and the read-back are queued together: aiosqlite runs its queue in order, so the read sees the
        # claims, and the batch costs one round trip to SQLite's thread (with BEGIN and COMMIT it was four).
        async with self._db.serialized() as tx:
            # Both finish before the connection is let go, even when the first fails.
            claimed, found = await asyncio.gather(
                tx.registrations.claim([(slug, person, token) for slug, person, token, _ in batch], now),
                tx.registrations.standings(list(dict.fromkeys((s, p) for s, p, _, _ in batch))),
                return_exceptions=True,
            )
        for outcome in (claimed, found):
            if isinstance(outcome, BaseException):
                raise outcome
        return [_outcome(found.get((slug, person)), token) for slug, person, token, _ in batch]

    async def standing(self, participant_id: int, slug: str) -> tuple[EventSeats | None, Standing]:
        """An event with its seats and where this person stands, read in one query."""
        async with self._db.serialized() as tx:
            found = (await tx.registrations.standings([(slug, participant_id)])).get((slug, participant_id))
        if found is None:
            return None, Standing(None, None)
        return found.seats, Standing(found.status, found.position)

    async def cancel(self, participant_id: int, slug: str) -> SignupResult:
        """Give up a seat or a place in line; a freed seat goes to the first person waiting, at once."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            event = await tx.events.by_slug(slug)
            if event is None:
                return SignupResult(Outcome.UNKNOWN_EVENT)
            current = await tx.registrations.get(event.id, participant_id)
            if current is None or not current.status.active:
                return SignupResult(Outcome.NOT_REGISTERED, await tx.events.seats_by_slug(slug))
            if now >= event.starts_at:
                return SignupResult(Outcome.STARTED, await tx.events.seats_by_slug(slug))
            await tx.registrations.save(event.id, participant_id, RegistrationStatus.CANCELLED, None, now)
            # A reminder or change notice already queued for them is about an event they have left.
            for kind in (NoticeKind.REMINDER, NoticeKind.EVENT_CHANGED):
                await tx.outbox.withdraw(kind, event.id, now, "the person cancelled", participant_id)
            was_seated = current.status is RegistrationStatus.CONFIRMED
            promoted = await fill_free_seats(tx, event, now) if was_seated else []
            seats = await tx.events.seats_by_slug(slug)
        if promoted:
            self._wake_outbox()
        outcome = Outcome.SEAT_RELEASED if was_seated else Outcome.LEFT_WAITLIST
        return SignupResult(outcome, seats, promoted=tuple(r.participant_id for r in promoted))

    async def personal_agenda(self, participant_id: int) -> tuple[list[PersonalEntry], list[PersonalEntry]]:
        """(upcoming, past) registrations, each in time order."""
        now = self._clock.now()
        async with self._db.serialized() as tx:
            entries = await tx.registrations.active_for_participant(participant_id)
        upcoming = [e for e in entries if e.event.ends_at > now]
        past = [e for e in entries if e.event.ends_at <= now]
        return upcoming, past[::-1]

    async def attendees(self, requester_id: int, slug: str) -> tuple[EventSeats | None, list[RosterEntry]]:
        """Who is coming; organisers only (raises :class:`~bot.roles.NotAllowedError`)."""
        self._roles.require_organiser(requester_id)
        async with self._db.serialized() as tx:
            seats = await tx.events.seats_by_slug(slug)
            if seats is None:
                return None, []
            return seats, await tx.registrations.roster(seats.event.id)

    async def rosters(self, requester_id: int) -> list[EventSeats]:
        """Every event with its seats taken, to choose whose attendees to see; organisers only (raises
        :class:`~bot.domain.roles.NotAllowedError`)."""
        self._roles.require_organiser(requester_id)
        async with self._db.serialized() as tx:
            return await tx.events.with_seats()
