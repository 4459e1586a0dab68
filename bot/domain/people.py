"""Participants: consent, language, city and time zone, and forgetting them."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.config.clock import Clock
from bot.domain.languages import LANGUAGES
from bot.domain.pending import Origin, Pending, PendingStep, to_column
from bot.domain.signups import release_seats
from bot.domain.zones import zone_names
from storage import Database, Transaction
from storage.records import Participant

CITY_TIMEZONES = {"torino": "Europe/Rome", "baltimore": "America/New_York"}
ELSEWHERE = "elsewhere"
CITIES = (*CITY_TIMEZONES, ELSEWHERE)
NAME_LIMIT = 128
CACHE_LIMIT = 100_000
USERNAME = re.compile(r"^[A-Za-z0-9_]{4,32}$")


def clean_name(name: str | None) -> str | None:
    """Telegram names are free text: keep them printable and short, the renderer escapes them."""
    if not name:
        return None
    cleaned = " ".join("".join(c for c in name if c.isprintable()).split())
    return cleaned[:NAME_LIMIT] or None


class People:
    def __init__(self, db: Database, clock: Clock, wake_outbox: Callable[[], None], *,
                 on_forget: Callable[[Transaction, int], Awaitable[None]] | None = None) -> None:
        self._db = db
        self._clock = clock
        self._wake_outbox = wake_outbox
        # What else goes when a person deletes their data, in the same transaction (the roles they were given).
        self._on_forget = on_forget
        # Every update starts by loading its person: a write-through cache spares that round trip. All
        # changes to participants go through this class, so the cache cannot go stale.
        self._cache: dict[int, Participant | None] = {}

    async def get(self, telegram_id: int) -> Participant | None:
        if telegram_id in self._cache:
            return self._cache[telegram_id]
        async with self._db.serialized() as tx:
            person = await tx.participants.get(telegram_id)
        return self._remember(telegram_id, person)

    def _remember(self, telegram_id: int, person: Participant | None) -> Participant | None:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[telegram_id] = person
        return person

    async def meet(self, telegram_id: int) -> Participant:
        """Note a first contact: before consent only the Telegram id is kept."""
        async with self._db.transaction() as tx:
            await tx.participants.ensure(telegram_id, self._clock.now())
            person = await tx.participants.get(telegram_id)
        return self._remember(telegram_id, person)

    async def consent(self, telegram_id: int, name: str | None, language: str) -> Participant:
        """Record consent (idempotent: a second press keeps the first moment of consent)."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await tx.participants.ensure(telegram_id, now)
            person = await tx.participants.get(telegram_id)
            await tx.participants.update(
                telegram_id, now,
                consent_at=person.consent_at or now,
                display_name=clean_name(name),
                language=person.language or (language if language in LANGUAGES else None),
            )
            person = await tx.participants.get(telegram_id)
        return self._remember(telegram_id, person)

    async def note_username(self, telegram_id: int, username: str | None) -> Participant | None:
        """Keep a consenting person's Telegram @username (so organisers can reach them) as it is now: one
        chosen, changed or removed since is stored; an unchanged one costs no write."""
        person = await self.get(telegram_id)
        username = username if username and USERNAME.match(username) else None
        if person is None or not person.consented or person.username == username:
            return person
        return await self._update(telegram_id, username=username)

    async def set_language(self, telegram_id: int, language: str) -> Participant:
        """Allowed before consent too: the language is the one thing kept before it."""
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await tx.participants.ensure(telegram_id, now)
            await tx.participants.update(telegram_id, now, language=language)
            person = await tx.participants.get(telegram_id)
        return self._remember(telegram_id, person)

    async def set_city(self, telegram_id: int, city: str, *, then_show: str | None = None,
                       origin: Origin = Origin.WELCOME) -> Participant:
        """Torino and Baltimore set the time zone. Elsewhere changes nothing yet: it asks for the zone,
        remembering where the person came from and which event to show afterwards (for a person who came
        from an event's link)."""
        if city not in CITIES:
            raise ValueError(f"unknown city {city!r}")
        if city in CITY_TIMEZONES:
            return await self._update(telegram_id, city=city, timezone=CITY_TIMEZONES[city], awaiting=None)
        return await self.ask(telegram_id, Pending(PendingStep.TIMEZONE, then_show, origin))

    async def set_timezone(self, telegram_id: int, timezone: str) -> Participant:
        """The person's own zone, found by :func:`bot.render.zone_lookup.lookup`; it answers the question about it."""
        if timezone not in zone_names():
            raise ValueError(f"not an Area/Location time zone: {timezone!r}")
        return await self._update(telegram_id, city=ELSEWHERE, timezone=timezone, awaiting=None)

    async def set_reminders(self, telegram_id: int, wanted: bool) -> Participant:
        """Turn the reminders before one's events on or off; reminders not yet sent follow at once."""
        return await self._update(telegram_id, reminders=wanted)

    async def ask(self, telegram_id: int, pending: Pending) -> Participant:
        """Remember the question the person is now asked, replacing any earlier one."""
        return await self._update(telegram_id, awaiting=to_column(pending))

    async def drop_question(self, telegram_id: int) -> Participant:
        """The person went elsewhere: stop waiting for their answer."""
        return await self._update(telegram_id, awaiting=None)

    async def blocked_us(self, telegram_id: int) -> None:
        """Telegram says the person blocked the bot (a 403, or their chat's member update): broadcasts count
        them apart and queue nothing for them until they come back. Nothing is created for a stranger."""
        person = await self.get(telegram_id)
        if person is not None and person.unreachable_at is None:
            await self._update(telegram_id, unreachable_at=self._clock.now())

    async def came_back(self, telegram_id: int) -> Participant | None:
        """The person unblocked the bot or wrote to it: reachable again."""
        person = await self.get(telegram_id)
        if person is None or person.unreachable_at is None:
            return person
        return await self._update(telegram_id, unreachable_at=None)

    async def forget(self, telegram_id: int, *, idle_before: datetime | None = None) -> bool:
        """Delete everything about a person; their seats go to the people waiting for them, their feedback
        stays in the report, detached from them. With ``idle_before`` (retention), a person active since then
        (or signed up for an event ending since) is left alone. Returns whether the person was deleted."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if idle_before is not None and not await tx.personal_data.last_activity(before=idle_before,
                                                                                    telegram_id=telegram_id):
                return False
            promoted = await release_seats(tx, telegram_id, now)
            await tx.drafts.forget(telegram_id)
            await tx.personal_data.detach_broadcasts(telegram_id)
            # The rows that name the person go with them (ON DELETE CASCADE); their feedback stays (SET NULL).
            await tx.participants.delete(telegram_id)
            await tx.inbox.forget_person(telegram_id, now)
            if self._on_forget is not None:
                await self._on_forget(tx, telegram_id)
        # Deleted means unreadable in every file of the database, not only absent from its tables.
        # Forgotten in the cache first: while the log is emptied, nothing may read the person back from it.
        self._remember(telegram_id, None)
        await self._db.empty_log()
        if promoted:
            self._wake_outbox()
        return True

    async def forget_cache_if_changed_elsewhere(self) -> None:
        """Another process may have deleted people (`ponte purge`) or changed them: the cache starts afresh
        rather than answer for a person who is gone. The running bot asks every few seconds."""
        if await self._db.changed_elsewhere():
            self._cache.clear()

    async def _update(self, telegram_id: int, **fields: object) -> Participant:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await tx.participants.update(telegram_id, now, **fields)
            person = await tx.participants.get(telegram_id)
        return self._remember(telegram_id, person)
