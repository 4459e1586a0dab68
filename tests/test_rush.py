"""Under a rush, through the real Application: never oversold, a fair line, nobody told twice."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace

from bot.domain.agenda_file import parse_agenda
from tests.harness import EXAMPLE, Harness

WORKSHOP = "collaborative-services"


async def _event_with(bot: Harness, capacity: int) -> None:
    events = [replace(e, capacity=capacity) if e.slug == WORKSHOP else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await bot.services.agenda.apply(events)


async def _crowd(bot: Harness, people: range) -> None:
    """People who consented and have the event's detail open on their phone."""
    for person in people:
        bot.person(person, f"Person {person}", "en")
        await bot.services.people.consent(person, f"Person {person}", "en")
        await bot.services.people.set_city(person, "baltimore")
        await bot.send(person, f"/start e_{WORKSHOP}")


async def _invariants(bot: Harness, capacity: int) -> tuple[list[int], list[int]]:
    _, roster = await bot.services.signups.attendees(900, WORKSHOP)
    confirmed = [r.participant.telegram_id for r in roster if r.registration.status == "confirmed"]
    waiting = [r for r in roster if r.registration.status == "waitlisted"]
    assert len(confirmed) <= capacity, "oversold"
    if waiting:
        assert len(confirmed) == capacity, "a seat is free while someone waits"
    assert [r.waitlist_position for r in waiting] == list(range(1, len(waiting) + 1)), "gaps in the line"
    assert len({r.participant.telegram_id for r in roster}) == len(roster), "someone holds two places"
    return confirmed, [r.participant.telegram_id for r in waiting]


async def test_200_concurrent_sign_ups_for_5_seats(bot: Harness) -> None:
    await _event_with(bot, 5)
    people = range(10_000, 10_200)
    await _crowd(bot, people)
    presses = [bot.telegram.press_update(p, bot.last(p).message_id, f"signup:{WORKSHOP}") for p in people]
    await asyncio.gather(*(bot.process(press) for press in presses))
    confirmed, waiting = await _invariants(bot, 5)
    assert len(confirmed) == 5 and len(waiting) == 195
    # What each person was shown matches what the database says.
    for position, person in enumerate(waiting, start=1):
        assert f"You're number {position} on the waiting list." in bot.last(person).text
    for person in confirmed:
        assert "You're signed up." in bot.last(person).text
    # A second rush of the same presses (a redelivery) changes nothing.
    await asyncio.gather(*(bot.process(bot.telegram.press_update(p, bot.last(p).message_id, f"signup:{WORKSHOP}"))
                           for p in people))
    assert await _invariants(bot, 5) == (confirmed, waiting)


async def test_a_cancellation_racing_a_newcomer_gives_the_seat_to_the_first_waiting(bot: Harness) -> None:
    await _event_with(bot, 1)
    rounds = 20
    for round_ in range(rounds):
        holder, waiting, newcomer = (20_000 + 10 * round_ + i for i in range(3))
        await _crowd(bot, range(holder, newcomer + 1))
        await bot.press(holder, "Sign up")
        await bot.press(waiting, "Sign up")  # opened before the seat went: the domain puts them in line
        await bot.press(holder, "Cancel my seat")
        cancel = bot.telegram.press_update(holder, bot.last(holder).message_id, f"cancel-yes:{WORKSHOP}")
        signup = bot.telegram.press_update(newcomer, bot.last(newcomer).message_id, f"signup:{WORKSHOP}")
        pair = [bot.process(cancel), bot.process(signup)]
        await asyncio.gather(*(pair if round_ % 2 else pair[::-1]))
        confirmed, line = await _invariants(bot, 1)
        assert confirmed == [waiting] and line == [newcomer]
        await bot.services.dispatcher.dispatch_due()
        await bot.services.dispatcher.dispatch_due()
        told = [c for c in bot.telegram.calls_to("sendMessage") if "A seat opened up" in c.params["text"]]
        assert [c.params["chat_id"] for c in told].count(waiting) == 1
        assert newcomer not in [c.params["chat_id"] for c in told]
        # Free the seat for the next round: everyone leaves.
        for person in (waiting, newcomer):
            await bot.services.signups.cancel(person, WORKSHOP)
        await bot.services.dispatcher.dispatch_due()


async def test_random_interleavings_keep_the_invariants(bot: Harness) -> None:
    capacity = 3
    await _event_with(bot, capacity)
    people = list(range(30_000, 30_030))
    await _crowd(bot, range(30_000, 30_030))
    chance = random.Random(20270120)
    for _ in range(25):
        batch = []
        for person in chance.sample(people, 12):
            action = "signup" if chance.random() < 0.6 else "cancel-yes"
            batch.append(bot.telegram.press_update(person, bot.last(person).message_id, f"{action}:{WORKSHOP}"))
        await asyncio.gather(*(bot.process(update) for update in batch))
        await _invariants(bot, capacity)
    await bot.services.dispatcher.dispatch_due()
    async with bot.services.db.transaction() as tx:
        notices = await tx.outbox.all()
    assert notices and all(n.status == "sent" for n in notices)
