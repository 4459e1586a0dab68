from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.app.services import Services, open_services
from bot.config.clock import FixedClock
from bot.config.settings import Settings
from bot.delivery.pacing import Pacer
from storage import Database
from tests.harness import Harness

ORGANISER = 900
# A fake bot token of the real shape: digits, a colon, 35 characters of A-Za-z0-9_-.
TEST_TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwx"
# A week before the example agenda (18-22 January 2027), so that every event is open for sign-up.
BEFORE_THE_WEEK = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
# What `ponte run` requires the privacy notice to name, for the tests that run it as a process.
PRIVACY_SETTINGS = {"PONTE_CONTROLLER": "Città di Torino, Piazza Palazzo di Città 1",
                    "PONTE_PRIVACY_CONTACT": "privacy@example.org"}


class InstantSleep:
    """Pacing without waiting: the pacer's clock moves by what it would have slept."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(BEFORE_THE_WEEK)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(token=TEST_TOKEN, db_path=tmp_path / "ponte.db", admins=frozenset({ORGANISER}))


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await Database.open(settings.db_path)
    yield database
    await database.close()


@pytest.fixture
def sleeper() -> InstantSleep:
    return InstantSleep()


@pytest.fixture
async def services(settings: Settings, clock: FixedClock, db: Database, sleeper: InstantSleep) -> Services:
    pacer = Pacer(monotonic=sleeper.monotonic, sleep=sleeper.sleep)
    return await open_services(settings, clock, db=db, pacer=pacer, automatic_outbox=False)


@pytest.fixture
async def bot(services: Services) -> AsyncIterator[Harness]:
    async with Harness(services) as harness:
        yield harness


@pytest.fixture
async def agenda_bot(bot: Harness) -> Harness:
    await bot.load_example()
    return bot
