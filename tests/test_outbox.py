"""The outbox: sent once, kept across restarts, paced, and patient with Telegram's refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.delivery.outbox import Dispatcher
from bot.delivery.pacing import Pacer
from bot.domain.agenda_file import parse_agenda
from bot.domain.notices import NoticeKind
from bot.render.notices import RENDERERS
from bot.standin import ApiError
from bot.telegram.courier import TelegramCourier
from storage.records import EventStatus
from tests.harness import EXAMPLE, Harness

WORKSHOP = "collaborative-services"


async def _promote(bot: Harness, waiting: list[int]) -> None:
    """Fill a one-seat workshop, line people up, then free the seat."""
    events = [replace(e, capacity=len(waiting) and 1) if e.slug == WORKSHOP else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await bot.services.agenda.apply(events)
    holder = 1
    for person in [holder, *waiting]:
        bot.person(person, f"Person {person}", "en")
        await bot.services.people.consent(person, f"Person {person}", "en")
        await bot.services.signups.sign_up(person, WORKSHOP)
    await bot.services.signups.cancel(holder, WORKSHOP)


async def _statuses(bot: Harness) -> list[tuple[int, str, int]]:
    async with bot.services.db.transaction() as tx:
        return [(m.recipient_id, m.status, m.attempts) for m in await tx.outbox.all()]


async def test_a_restart_neither_loses_nor_repeats(bot: Harness, sleeper) -> None:
    await _promote(bot, [2])
    # The bot stops before sending: the notice waits in the database.
    assert await _statuses(bot) == [(2, "pending", 0)]
    restarted = Dispatcher(bot.services.db, bot.services.clock, Pacer(monotonic=sleeper.monotonic,
                                                                        sleep=sleeper.sleep))
    restarted.attach(TelegramCourier(bot.app.bot))
    assert await restarted.dispatch_due() == 1
    again = Dispatcher(bot.services.db, bot.services.clock)
    again.attach(TelegramCourier(bot.app.bot))
    assert await again.dispatch_due() == 0
    assert await _statuses(bot) == [(2, "sent", 1)]
    assert len([c for c in bot.telegram.calls_to("sendMessage") if c.params["chat_id"] == 2]) == 1


async def test_a_person_who_blocked_the_bot_is_skipped(bot: Harness) -> None:
    await _promote(bot, [2])
    bot.telegram.blocked.add(2)
    assert await bot.services.dispatcher.dispatch_due() == 0
    assert await _statuses(bot) == [(2, "skipped", 1)]


async def test_too_many_requests_waits_as_told_and_retries(bot: Harness, sleeper) -> None:
    await _promote(bot, [2])
    bot.telegram.fail_next.append(ApiError(429, "Too Many Requests: retry after 7", retry_after=7))
    assert await bot.services.dispatcher.dispatch_due() == 0
    assert await _statuses(bot) == [(2, "pending", 0)]  # a 429 is Telegram asking to wait: no attempt used
    bot.services.clock.advance(timedelta(seconds=6))
    assert await bot.services.dispatcher.dispatch_due() == 0
    bot.services.clock.advance(timedelta(seconds=2))
    assert await bot.services.dispatcher.dispatch_due() == 1
    assert await _statuses(bot) == [(2, "sent", 1)]
    assert any(s >= 6.9 for s in sleeper.slept)  # everybody paused, not just this message


async def test_a_message_that_keeps_failing_is_given_up(bot: Harness) -> None:
    await _promote(bot, [2])
    for _ in range(5):
        bot.telegram.fail_next.append(ApiError(502, "Bad Gateway"))
        await bot.services.dispatcher.dispatch_due()
        bot.services.clock.advance(timedelta(hours=2))
    assert await _statuses(bot) == [(2, "failed", 5)]


async def test_notice_for_an_event_cancelled_meanwhile_is_not_sent(bot: Harness) -> None:
    await _promote(bot, [2])
    events = await bot.services.agenda.all_events()
    cancelled = EventStatus.CANCELLED
    await bot.services.agenda.apply([replace(e, status=cancelled) if e.slug == WORKSHOP else e for e in events])
    assert await bot.services.dispatcher.dispatch_due() == 0
    assert await _statuses(bot) == [(2, "skipped", 1)]


async def test_pacing_per_chat_and_overall(sleeper) -> None:
    pacer = Pacer(per_second=25, per_chat_interval=1.0, monotonic=sleeper.monotonic, sleep=sleeper.sleep)
    for chat in range(50):
        await pacer.wait_turn(chat)
    assert 1.9 <= sleeper.now <= 2.04  # 50 messages at 25 a second, less the margin for network jitter
    start = sleeper.now
    await pacer.wait_turn(7)
    await pacer.wait_turn(7)
    assert sleeper.now - start >= 1.0  # one chat: one message a second


async def test_the_sweep_is_never_dropped_for_being_late_and_sends_what_is_due(bot: Harness) -> None:
    from telegram.ext import CallbackContext

    from bot.app.schedule import SWEEP_SECONDS, schedule_outbox

    schedule_outbox(bot.app.job_queue, bot.services.dispatcher, bot.services.clock)
    (sweep,) = bot.app.job_queue.get_jobs_by_name("outbox-sweep")
    # APScheduler drops a job more than misfire_grace_time late (1 s by default), with only a warning.
    assert sweep.job.misfire_grace_time is None and sweep.job.coalesce
    assert sweep.job.trigger.interval.total_seconds() == SWEEP_SECONDS
    await _promote(bot, [2])  # queued by something that did not wake the dispatcher (an import, say)
    await sweep.callback(CallbackContext.from_job(sweep, bot.app))
    assert await _statuses(bot) == [(2, "sent", 1)]


async def test_a_refused_message_fails_at_once_and_a_vanished_chat_is_skipped(bot: Harness) -> None:
    """A 400 is Telegram saying no to this message: trying again cannot help, unlike a network error."""
    await _promote(bot, [2, 3])
    bot.telegram.fail_next.append(ApiError(400, "Bad Request: can't parse entities"))
    await bot.services.dispatcher.dispatch_due()
    await bot.services.signups.cancel(2, WORKSHOP)
    bot.telegram.fail_next.append(ApiError(400, "Bad Request: chat not found"))
    await bot.services.dispatcher.dispatch_due()
    assert await _statuses(bot) == [(2, "failed", 1), (3, "skipped", 1)]


def test_every_kind_of_notice_has_its_renderer() -> None:
    assert set(RENDERERS) == set(NoticeKind)


async def test_a_row_that_cannot_be_rendered_fails_alone_and_the_rest_go_out(bot: Harness) -> None:
    await _promote(bot, [2])
    now = bot.services.clock.now()
    async with bot.services.db.transaction() as tx:
        # Written by a newer Ponte, say: this version has nothing to say it with.
        await tx.outbox.add(2, "postcard_from_the_future", due_at=now - timedelta(seconds=1), now=now)
    assert await bot.services.dispatcher.dispatch_due() == 1
    statuses = await _statuses(bot)
    assert (2, "failed", 1) in statuses and (2, "sent", 1) in statuses
    async with bot.services.db.transaction() as tx:
        failed = [m for m in await tx.outbox.all() if m.status == "failed"]
        reasons = await tx.connection.execute_fetchall("SELECT last_error FROM outbox WHERE status = 'failed'")
    assert failed[0].kind == "postcard_from_the_future" and "cannot be rendered" in reasons[0][0]
