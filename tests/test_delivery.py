"""Delivery under Telegram's limits, in two lanes, without stalling, and honest across crashes."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from bot.app.schedule import schedule_outbox
from bot.app.services import open_services
from bot.config.settings import Settings, SettingsError
from bot.delivery.outbox import Dispatcher
from bot.delivery.pacing import Pacer
from bot.domain.notices import NoticeKind
from bot.render.buttons import Notice
from bot.render.notices import broadcast
from bot.standin import ApiError, SendLimits
from bot.telegram.courier import TelegramCourier
from storage.records import OutboxLane, OutboxStatus
from tests.conftest import TEST_TOKEN
from tests.harness import Harness

WORKSHOP = "collaborative-services"
TEXTS = {"it": "Ciao a tutti da Ponte", "en": "Hello everyone from Ponte"}


async def _people(bot: Harness, ids: list[int]) -> None:
    for person in ids:
        language = "it" if person % 2 else "en"
        bot.person(person, f"Person {person}", language)
        await bot.services.people.consent(person, f"Person {person}", language)


async def _broadcast(bot: Harness, ids: list[int], batch: str = "broadcast:1", *, ago: float = 0) -> None:
    now = bot.services.clock.now()
    async with bot.services.db.transaction() as tx:
        await tx.outbox.add_many(ids, NoticeKind.BROADCAST, due_at=now - timedelta(seconds=ago), now=now,
                                 lane=OutboxLane.BULK, payload=broadcast.payload(TEXTS), dedupe_prefix=batch,
                                 batch=batch)


async def _freed_seat(bot: Harness, person: int) -> None:
    """The message a person waits for: a seat opened up for them (the personal lane)."""
    now = bot.services.clock.now()
    async with bot.services.db.transaction() as tx:
        event = await tx.events.by_slug(WORKSHOP)
        await tx.outbox.add(person, NoticeKind.SEAT_CONFIRMED, due_at=now, now=now, event_id=event.id,
                            dedupe_key=f"seat:{event.id}:{person}")


async def _rows(bot: Harness) -> list:
    async with bot.services.db.transaction() as tx:
        return await tx.outbox.all()


def _sent_to(bot: Harness) -> list[int]:
    return [c.params["chat_id"] for c in bot.telegram.calls_to("sendMessage")
            if "error" not in c.params]


def _delivered(bot: Harness, person: int) -> list[str]:
    return bot.texts(person)


# -- under Telegram's limits -----------------------------------------------------------------------------


def test_send_rate_and_paid_broadcasts_come_from_the_settings() -> None:
    settings = Settings.from_env({"PONTE_TOKEN": TEST_TOKEN}, env_file=None)
    assert (settings.send_rate, settings.paid_broadcasts) == (25.0, False)
    settings = Settings.from_env({"PONTE_TOKEN": TEST_TOKEN, "PONTE_SEND_RATE": "12.5",
                                  "PONTE_PAID_BROADCASTS": "On"}, env_file=None)
    assert (settings.send_rate, settings.paid_broadcasts) == (12.5, True)
    for name, value in [("SEND_RATE", "fast"), ("SEND_RATE", "0"), ("SEND_RATE", "31"), ("PAID_BROADCASTS", "maybe")]:
        with pytest.raises(SettingsError, match=f"PONTE_{name}"):
            Settings.from_env({"PONTE_TOKEN": TEST_TOKEN, f"PONTE_{name}": value}, env_file=None)


async def test_the_services_pace_at_the_rate_the_settings_give(settings, clock, db) -> None:
    services = await open_services(dataclasses.replace(settings, send_rate=10.0), clock, db=db,
                                   automatic_outbox=False)
    assert services.dispatcher.send_rate == 10.0


async def test_a_broadcast_keeps_to_the_overall_rate_and_one_message_a_second_per_chat(bot: Harness, sleeper) -> None:
    """The stand-in answers 429 past 25 a second overall or one a second to a chat: Ponte provokes none."""
    await bot.load_example()
    bot.telegram.limits = SendLimits(25, monotonic=sleeper.monotonic)
    audience = list(range(10, 70))
    await _people(bot, audience)
    await _broadcast(bot, audience)
    for _ in range(3):  # three notices for one person, due together
        now = bot.services.clock.now()
        async with bot.services.db.transaction() as tx:
            await tx.outbox.add(10, NoticeKind.BROADCAST, due_at=now, now=now, payload=broadcast.payload(TEXTS))
    assert await bot.services.dispatcher.dispatch_due() == 63
    assert bot.telegram.limits.throttled == 0
    assert sleeper.now >= 62 / 25  # 63 messages at 25 a second


async def test_a_429_pauses_every_send_for_its_retry_after_and_uses_no_attempt(bot: Harness, sleeper) -> None:
    await _people(bot, [1, 2, 3])
    await _broadcast(bot, [1, 2, 3])
    bot.telegram.fail_next.append(ApiError(429, "Too Many Requests: retry after 7", retry_after=7))
    await bot.services.dispatcher.dispatch_due()
    rows = {m.recipient_id: m for m in await _rows(bot)}
    assert (rows[1].status, rows[1].attempts) == (OutboxStatus.PENDING, 0)
    assert [rows[2].status, rows[3].status] == [OutboxStatus.SENT, OutboxStatus.SENT]
    assert any(wait >= 6.9 for wait in sleeper.slept)  # the next send waited as Telegram asked
    # Telegram keeps asking to wait, many times over: the message is never given up for it.
    for _ in range(8):
        bot.services.clock.advance(timedelta(seconds=8))
        bot.telegram.fail_next.append(ApiError(429, "Too Many Requests: retry after 7", retry_after=7))
        await bot.services.dispatcher.dispatch_due()
    (first, *_) = await _rows(bot)
    assert (first.status, first.attempts) == (OutboxStatus.PENDING, 0)
    bot.services.clock.advance(timedelta(seconds=8))
    assert await bot.services.dispatcher.dispatch_due() == 1
    (first, *_) = await _rows(bot)
    assert (first.status, first.attempts) == (OutboxStatus.SENT, 1)


async def test_paid_broadcasts_carry_the_flag_and_go_at_the_paid_rate(settings, clock, db, sleeper) -> None:
    pacer = Pacer(monotonic=sleeper.monotonic, sleep=sleeper.sleep)
    services = await open_services(dataclasses.replace(settings, paid_broadcasts=True), clock, db=db,
                                   pacer=pacer, automatic_outbox=False)
    async with Harness(services) as bot:
        await bot.load_example()
        bot.telegram.limits = SendLimits(25, monotonic=sleeper.monotonic)
        audience = list(range(10, 210))
        await _people(bot, audience)
        await _broadcast(bot, audience)
        await _freed_seat(bot, 10)
        assert await services.dispatcher.dispatch_due() == 201
        calls = bot.telegram.calls_to("sendMessage")
        assert not calls[0].params.get("allow_paid_broadcast")  # the freed seat is not a broadcast
        assert all(c.params.get("allow_paid_broadcast") is True for c in calls[1:])
        assert sleeper.now < 1.5  # 200 at 25 a second would take 8 seconds
        assert bot.telegram.limits.throttled == 0


async def test_without_paid_broadcasts_nothing_carries_the_flag(bot: Harness) -> None:
    await _people(bot, [1, 2])
    await _broadcast(bot, [1, 2])
    await bot.services.dispatcher.dispatch_due()
    assert all("allow_paid_broadcast" not in c.params for c in bot.telegram.calls_to("sendMessage"))


# -- two lanes -------------------------------------------------------------------------------------------


async def test_a_personal_message_goes_before_a_broadcast_queued_earlier(bot: Harness) -> None:
    await bot.load_example()
    await _people(bot, [1, 2, 3, 4])
    await _broadcast(bot, [1, 2, 3], ago=60)
    await _freed_seat(bot, 4)
    await bot.services.dispatcher.dispatch_due()
    assert _sent_to(bot)[0] == 4


async def test_a_freed_seat_does_not_wait_behind_a_broadcast_under_way(bot: Harness, sleeper) -> None:
    await bot.load_example()
    audience = list(range(10, 110))
    await _people(bot, [*audience, 5])
    await _broadcast(bot, audience)
    courier = TelegramCourier(bot.app.bot)
    moments: dict[str, float] = {}

    async def deliver(chat_id, notice, *, paid=False):
        result = await courier(chat_id, notice, paid=paid)
        if len(bot.telegram.calls_to("sendMessage")) == 20:
            moments["queued"] = sleeper.now
            await _freed_seat(bot, 5)
        if chat_id == 5:
            moments["sent"] = sleeper.now
        return result

    bot.services.dispatcher.attach(deliver)
    assert await bot.services.dispatcher.dispatch_due() == 101
    position = _sent_to(bot).index(5)
    assert 20 <= position <= 30  # taken at the next turn, behind only the few sends already under way
    assert moments["sent"] - moments["queued"] < 2.0


async def test_a_wake_during_a_dispatch_starts_no_second_one(settings, clock, db, sleeper) -> None:
    pacer = Pacer(monotonic=sleeper.monotonic, sleep=sleeper.sleep)
    services = await open_services(settings, clock, db=db, pacer=pacer, automatic_outbox=True)
    async with Harness(services) as bot:
        await bot.load_example()
        await _people(bot, [1, 2, 3])
        await services.dispatcher.idle()
        await _broadcast(bot, [1, 2])
        courier = TelegramCourier(bot.app.bot)

        async def deliver(chat_id, notice, *, paid=False):
            if chat_id == 1:
                await _freed_seat(bot, 3)
                services.dispatcher.wake()  # what the domain does after queueing
            return await courier(chat_id, notice, paid=paid)

        services.dispatcher.attach(deliver)
        assert await services.dispatcher.dispatch_due() == 3
        await services.dispatcher.idle()
        assert sorted(_sent_to(bot)) == [1, 2, 3]


# -- never stalls ----------------------------------------------------------------------------------------


async def test_what_is_due_at_start_up_goes_out_at_once_not_a_sweep_later(bot: Harness) -> None:
    job_queue = bot.app.job_queue
    schedule_outbox(job_queue, bot.services.dispatcher, bot.services.clock)
    await job_queue.start()
    try:
        first = min(job.next_t for job in job_queue.jobs() if job.name.startswith("outbox"))
        assert first - datetime.now(UTC) < timedelta(seconds=2)
    finally:
        await job_queue.stop(wait=True)


async def test_the_scheduler_wakes_at_the_earliest_due_time(bot: Harness) -> None:
    job_queue = bot.app.job_queue
    schedule_outbox(job_queue, bot.services.dispatcher, bot.services.clock)
    await _people(bot, [1])
    now = bot.services.clock.now()
    async with bot.services.db.transaction() as tx:
        await tx.outbox.add(1, NoticeKind.BROADCAST, due_at=now + timedelta(minutes=90), now=now,
                            payload=broadcast.payload(TEXTS))
        await tx.outbox.add(1, NoticeKind.BROADCAST, due_at=now + timedelta(seconds=90), now=now,
                            payload=broadcast.payload(TEXTS))
    started = datetime.now(UTC)
    await bot.services.dispatcher.dispatch_due()
    (alarm,) = job_queue.get_jobs_by_name("outbox-next")
    assert timedelta(seconds=89) < alarm.job.trigger.run_date - started < timedelta(seconds=92)
    # A 429 asks for 7 seconds: the alarm is set for then, not for the next sweep.
    bot.services.clock.advance(timedelta(seconds=90))
    bot.telegram.fail_next.append(ApiError(429, "Too Many Requests: retry after 7", retry_after=7))
    started = datetime.now(UTC)
    await bot.services.dispatcher.dispatch_due()
    alarms = [j for j in job_queue.get_jobs_by_name("outbox-next") if not j.removed]
    assert len(alarms) == 1
    assert timedelta(seconds=6) < alarms[0].job.trigger.run_date - started < timedelta(seconds=9)


# -- across crashes --------------------------------------------------------------------------------------


async def test_a_row_is_marked_sending_while_it_is_handed_to_telegram(bot: Harness) -> None:
    await _people(bot, [1])
    await _broadcast(bot, [1])
    courier = TelegramCourier(bot.app.bot)
    seen = []

    async def deliver(chat_id, notice, *, paid=False):
        seen.extend(m.status for m in await _rows(bot))
        return await courier(chat_id, notice, paid=paid)

    bot.services.dispatcher.attach(deliver)
    await bot.services.dispatcher.dispatch_due()
    assert seen == [OutboxStatus.SENDING]
    assert [m.status for m in await _rows(bot)] == [OutboxStatus.SENT]


async def test_after_a_crash_personal_rows_go_again_and_broadcast_rows_are_counted_uncertain(
        bot: Harness, sleeper) -> None:
    await bot.load_example()
    await _people(bot, [1, 2, 3, 4, 5])
    await _broadcast(bot, [1, 2, 3, 4])
    await _freed_seat(bot, 5)
    # The process that died had handed two rows to Telegram (a broadcast's and the freed seat) and had not
    # recorded Telegram's answer.
    courier = TelegramCourier(bot.app.bot)
    async with bot.services.db.transaction() as tx:
        seat = await tx.outbox.claim(bot.services.clock.now())
        first = await tx.outbox.claim(bot.services.clock.now())
    assert (seat.lane, first.lane) == (OutboxLane.PERSONAL, OutboxLane.BULK)
    await courier(5, Notice("A seat opened up"))
    await courier(first.recipient_id, Notice(TEXTS["en"]))
    # A process that only queues rows (an agenda import) leaves them alone.
    bystander = Dispatcher(bot.services.db, bot.services.clock)
    assert await bystander.dispatch_due() == 0
    assert sorted(m.status for m in await _rows(bot)).count(OutboxStatus.SENDING) == 2
    restarted = Dispatcher(bot.services.db, bot.services.clock, Pacer(monotonic=sleeper.monotonic,
                                                                        sleep=sleeper.sleep))
    restarted.attach(courier)
    assert await restarted.dispatch_due() == 4  # the freed seat again, and the three broadcast rows left
    rows = {(m.recipient_id, m.kind): m for m in await _rows(bot)}
    assert rows[(5, NoticeKind.SEAT_CONFIRMED)].status is OutboxStatus.SENT
    assert rows[(first.recipient_id, NoticeKind.BROADCAST)].status is OutboxStatus.UNCERTAIN
    # Nobody got the broadcast twice; the person with the freed seat may have it twice, never not at all.
    assert all(len(_delivered(bot, person)) == 1 for person in [1, 2, 3, 4])
    assert len(_delivered(bot, 5)) == 2
    async with bot.services.db.transaction() as tx:
        tally = await tx.outbox.tally("broadcast:1")
    assert tally[OutboxStatus.SENT] + tally[OutboxStatus.SKIPPED] + tally[OutboxStatus.FAILED] \
        + tally[OutboxStatus.UNCERTAIN] == 4
    assert tally[OutboxStatus.UNCERTAIN] == 1


async def test_a_broadcast_stopped_mid_way_adds_up_after_the_restart(bot: Harness, sleeper) -> None:
    audience = list(range(10, 50))
    await _people(bot, audience)
    bot.telegram.blocked.update({12, 33})
    await _broadcast(bot, audience)
    courier = TelegramCourier(bot.app.bot)
    dispatch: asyncio.Task[int] | None = None

    async def dies_after_the_fifteenth(chat_id, notice, *, paid=False):
        result = await courier(chat_id, notice, paid=paid)
        if len(bot.telegram.calls_to("sendMessage")) == 15:
            dispatch.cancel()  # the process stops right after Telegram took this one
            raise asyncio.CancelledError
        return result

    bot.services.dispatcher.attach(dies_after_the_fifteenth)
    dispatch = asyncio.get_running_loop().create_task(bot.services.dispatcher.dispatch_due())
    with pytest.raises(asyncio.CancelledError):
        await dispatch
    restarted = Dispatcher(bot.services.db, bot.services.clock, Pacer(monotonic=sleeper.monotonic,
                                                                        sleep=sleeper.sleep))
    restarted.attach(courier)
    await restarted.dispatch_due()
    async with bot.services.db.transaction() as tx:
        tally = await tx.outbox.tally("broadcast:1")
    assert tally[OutboxStatus.PENDING] == tally[OutboxStatus.SENDING] == 0
    assert tally[OutboxStatus.SKIPPED] == 2 and tally[OutboxStatus.UNCERTAIN] >= 1
    assert sum(tally.values()) == len(audience)
    # Everyone who has not blocked the bot got the broadcast exactly once, the uncertain one included.
    assert all(len(_delivered(bot, person)) == 1 for person in audience if person not in (12, 33))
