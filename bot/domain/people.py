"""Participants: consent, language, city and time zone, and forgetting them."""

from __future__ import annotations

from collections.abc import Callable

from bot.config.clock import Clock
from bot.domain.languages import LANGUAGES
from bot.domain.signups import release_seats
from bot.domain.zones import is_timezone
from storage import Database
from storage.records import Participant

CITY_TIMEZONES = {"torino": "Europe/Rome", "baltimore": "America/New_York"}
CITIES = (*CITY_TIMEZONES, "elsewhere")
AWAITING_TIMEZONE = "timezone"
NAME_LIMIT = 128
CACHE_LIMIT = 100_000


def clean_name(name: str | None) -> str | None:
    """Telegram names are free text: keep them printable and short, the renderer escapes them."""
    if not name:
        return None
    cleaned = " ".join("".join(c for c in name if c.isprintable()).split())
    return cleaned[:NAME_LIMIT] or None


class People:
    def __init__(self, db: Database, clock: Clock, wake_outbox: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        self._wake_outbox = wake_outbox
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

    async def set_city(self, telegram_id: int, city: str, then_show: str | None = None) -> Participant:
        """Torino and Baltimore set the time zone; elsewhere waits for a typed one (and remembers which
        event to show afterwards, for a person who came from an event's link)."""
        if city not in CITIES:
            raise ValueError(f"unknown city {city!r}")
        if city in CITY_TIMEZONES:
            return await self._update(telegram_id, city=city, timezone=CITY_TIMEZONES[city], awaiting=None)
        awaiting = f"{AWAITING_TIMEZONE}:{then_show}" if then_show else AWAITING_TIMEZONE
        return await self._update(telegram_id, city=city, awaiting=awaiting)

    async def set_timezone(self, telegram_id: int, name: str) -> Participant | None:
        """The person's own IANA zone, or None (and nothing changed) when the text is not one."""
        name = name.strip()
        if not is_timezone(name):
            return None
        return await self._update(telegram_id, timezone=name, awaiting=None)

    async def forget(self, telegram_id: int) -> None:
        """Delete everything about a person; their seats go to the people waiting for them."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            promoted = await release_seats(tx, telegram_id, now)
            await tx.participants.delete(telegram_id)
            await tx.inbox.forget_person(telegram_id, now)
        # Deleted means unreadable in every file of the database, not only absent from its tables.
        await self._db.empty_log()
        self._remember(telegram_id, None)
        if promoted:
            self._wake_outbox()

    async def _update(self, telegram_id: int, **fields: object) -> Participant:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await tx.participants.update(telegram_id, now, **fields)
            person = await tx.participants.get(telegram_id)
        return self._remember(telegram_id, person)
