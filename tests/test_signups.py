"""Seats and waiting lists in the domain: no oversell, fair order, freed seats handed on with a notice."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.agenda_file import parse_agenda
from bot.domain.notices import NoticeKind
from bot.domain.roles import NotAllowedError
from bot.domain.signups import Outcome
from storage.registrations import RegistrationRepository
from tests.conftest import ORGANISER
from tests.harness import EXAMPLE

WORKSHOP = "collaborative-services"


async def _people(services, *ids: int) -> None:
    for person in ids:
        await services.people.consent(person, f"Person {person}", "en")


async def _one_seat(services, slug: str = WORKSHOP, capacity: int | None = 1):
    events = parse_agenda(EXAMPLE.read_text(encoding="utf-8"))
    events = [replace(e, capacity=capacity) if e.slug == slug else e for e in events]
    await services.agenda.apply(events)
    return events


async def test_seat_then_waiting_list_then_idempotent(services) -> None:
    await _one_seat(services)
    await _people(services, 1, 2, 3)
    first = await services.signups.sign_up(1, WORKSHOP)
    assert first.outcome is Outcome.CONFIRMED and first.seats.seats_left == 0
    second = await services.signups.sign_up(2, WORKSHOP)
    assert (second.outcome, second.position) == (Outcome.WAITLISTED, 1)
    third = await services.signups.sign_up(3, WORKSHOP)
    assert third.position == 2
    assert (await services.signups.sign_up(1, WORKSHOP)).outcome is Outcome.ALREADY_CONFIRMED
    again = await services.signups.sign_up(3, WORKSHOP)
    assert (again.outcome, again.position) == (Outcome.ALREADY_WAITLISTED, 2)
    seats, _ = await services.signups.standing(1, WORKSHOP)
    assert (seats.confirmed, seats.waitlisted) == (1, 2)


async def test_a_double_press_in_a_rush_takes_one_seat_and_wastes_none(services) -> None:
    """Presses that arrive together are decided together; a person in that crowd twice counts once."""
    await _one_seat(services, capacity=3)
    await _people(services, 1, 2, 3, 4)
    results = await asyncio.gather(*(services.signups.sign_up(p, WORKSHOP) for p in (1, 2, 1, 3, 4)))
    assert [r.outcome for r in results] == [Outcome.CONFIRMED, Outcome.CONFIRMED, Outcome.ALREADY_CONFIRMED,
                                            Outcome.CONFIRMED, Outcome.WAITLISTED]
    assert results[-1].position == 1
    seats, _ = await services.signups.standing(1, WORKSHOP)
    assert (seats.confirmed, seats.waitlisted) == (3, 1)


async def test_a_rush_on_two_events_keeps_each_line_apart(services) -> None:
    await _one_seat(services, capacity=2)
    await _people(services, *range(1, 9))
    visit = "roccafranca-visit"  # 25 seats: nobody waits for it
    presses = [(p, WORKSHOP if p % 2 else visit) for p in range(1, 9)]
    results = await asyncio.gather(*(services.signups.sign_up(p, slug) for p, slug in presses))
    workshop = [(r.outcome, r.position) for (_, slug), r in zip(presses, results, strict=True) if slug == WORKSHOP]
    assert workshop == [(Outcome.CONFIRMED, None), (Outcome.CONFIRMED, None), (Outcome.WAITLISTED, 1),
                        (Outcome.WAITLISTED, 2)]
    assert {r.outcome for (_, slug), r in zip(presses, results, strict=True) if slug == visit} == {Outcome.CONFIRMED}
    seats, _ = await services.signups.standing(2, visit)
    assert (seats.confirmed, seats.waitlisted) == (4, 0)


async def test_a_failed_batch_fails_each_press_and_the_next_batch_works(services, monkeypatch) -> None:
    await _one_seat(services, capacity=1)
    await _people(services, 1, 2, 3)
    claim = RegistrationRepository.claim

    async def broken(self, claims, now):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(RegistrationRepository, "claim", broken)
    results = await asyncio.gather(*(services.signups.sign_up(p, WORKSHOP) for p in (1, 2)), return_exceptions=True)
    assert all(isinstance(r, sqlite3.OperationalError) for r in results)
    monkeypatch.setattr(RegistrationRepository, "claim", claim)
    assert (await services.signups.sign_up(3, WORKSHOP)).outcome is Outcome.CONFIRMED
    seats, _ = await services.signups.standing(3, WORKSHOP)
    assert (seats.confirmed, seats.waitlisted) == (1, 0)


async def test_events_without_capacity_take_everyone(services) -> None:
    await _one_seat(services, capacity=None)
    await _people(services, *range(1, 51))
    outcomes = {(await services.signups.sign_up(p, WORKSHOP)).outcome for p in range(1, 51)}
    assert outcomes == {Outcome.CONFIRMED}


async def test_cancel_hands_the_seat_to_the_first_waiting_and_queues_one_notice(services) -> None:
    await _one_seat(services)
    await _people(services, 1, 2, 3)
    for person in (1, 2, 3):
        await services.signups.sign_up(person, WORKSHOP)
    result = await services.signups.cancel(1, WORKSHOP)
    assert result.outcome is Outcome.SEAT_RELEASED and result.promoted == (2,)
    assert (await services.signups.standing(2, WORKSHOP))[1].status == "confirmed"
    assert (await services.signups.standing(3, WORKSHOP))[1].position == 1
    async with services.db.transaction() as tx:
        outbox = await tx.outbox.all()
    assert [(m.recipient_id, m.kind) for m in outbox] == [(2, NoticeKind.SEAT_CONFIRMED)]
    assert (await services.signups.cancel(1, WORKSHOP)).outcome is Outcome.NOT_REGISTERED
    async with services.db.transaction() as tx:
        assert len(await tx.outbox.all()) == 1


async def test_leaving_the_waiting_list_closes_the_gap(services) -> None:
    await _one_seat(services)
    await _people(services, 1, 2, 3, 4)
    for person in (1, 2, 3, 4):
        await services.signups.sign_up(person, WORKSHOP)
    assert (await services.signups.cancel(2, WORKSHOP)).outcome is Outcome.LEFT_WAITLIST
    assert [(await services.signups.standing(p, WORKSHOP))[1].position for p in (3, 4)] == [1, 2]
    # Signing up again puts a person at the end of the line, not back in their old place.
    assert (await services.signups.sign_up(2, WORKSHOP)).position == 3


async def test_sign_up_closes_at_the_cut_off_or_the_start(services, clock) -> None:
    events = await _one_seat(services, slug="roccafranca-visit", capacity=25)
    visit = next(e for e in events if e.slug == "roccafranca-visit")
    await _people(services, 1, 2)
    clock.set(visit.signup_closes_at + timedelta(minutes=1))
    assert (await services.signups.sign_up(1, "roccafranca-visit")).outcome is Outcome.SIGNUP_CLOSED
    workshop = next(e for e in events if e.slug == WORKSHOP)
    clock.set(workshop.starts_at)
    assert (await services.signups.sign_up(2, WORKSHOP)).outcome is Outcome.SIGNUP_CLOSED


async def test_cancelled_and_unknown_events(services) -> None:
    events = await _one_seat(services)
    await _people(services, 1)
    await services.agenda.apply([replace(e, status="cancelled") if e.slug == WORKSHOP else e for e in events])
    assert (await services.signups.sign_up(1, WORKSHOP)).outcome is Outcome.EVENT_CANCELLED
    assert (await services.signups.sign_up(1, "no-such-event")).outcome is Outcome.UNKNOWN_EVENT
    assert (await services.signups.cancel(1, "no-such-event")).outcome is Outcome.UNKNOWN_EVENT


async def test_attendees_are_for_organisers_only(services) -> None:
    await _one_seat(services)
    await _people(services, 1, 2)
    await services.signups.sign_up(1, WORKSHOP)
    await services.signups.sign_up(2, WORKSHOP)
    with pytest.raises(NotAllowedError):
        await services.signups.attendees(1, WORKSHOP)
    _, roster = await services.signups.attendees(ORGANISER, WORKSHOP)
    assert [(r.participant.telegram_id, r.registration.status, r.waitlist_position) for r in roster] == [
        (1, "confirmed", None), (2, "waitlisted", 1)]


async def test_smaller_capacity_drops_nobody_and_larger_promotes(services) -> None:
    events = await _one_seat(services, capacity=3)
    await _people(services, *range(1, 7))
    for person in range(1, 7):
        await services.signups.sign_up(person, WORKSHOP)
    report = await services.agenda.apply([replace(e, capacity=1) if e.slug == WORKSHOP else e for e in events])
    assert [(o.event.slug, o.confirmed, [b.participant.telegram_id for b in o.beyond]) for o in report.over_capacity] \
        == [(WORKSHOP, 3, [2, 3])]
    seats, _ = await services.signups.standing(1, WORKSHOP)
    assert seats.confirmed == 3  # nobody silently dropped
    report = await services.agenda.apply([replace(e, capacity=5) if e.slug == WORKSHOP else e for e in events])
    assert report.promoted == {WORKSHOP: 2}
    assert [(await services.signups.standing(p, WORKSHOP))[1].status for p in (4, 5, 6)] == \
        ["confirmed", "confirmed", "waitlisted"]
    async with services.db.transaction() as tx:
        assert sorted(m.recipient_id for m in await tx.outbox.all()) == [4, 5]


async def test_forgetting_a_person_passes_their_seat_on(services) -> None:
    await _one_seat(services)
    await _people(services, 1, 2)
    await services.signups.sign_up(1, WORKSHOP)
    await services.signups.sign_up(2, WORKSHOP)
    await services.people.forget(1)
    assert (await services.signups.standing(2, WORKSHOP))[1].status == "confirmed"


async def test_personal_agenda_in_time_order_with_past_apart(services, clock) -> None:
    await _one_seat(services, capacity=None)
    await _people(services, 1)
    for slug in ("baltimore-call", "strategies", WORKSHOP):
        await services.signups.sign_up(1, slug)
    upcoming, past = await services.signups.personal_agenda(1)
    assert [e.event.slug for e in upcoming] == ["strategies", WORKSHOP, "baltimore-call"]
    clock.set(upcoming[1].event.ends_at + timedelta(minutes=1))
    upcoming, past = await services.signups.personal_agenda(1)
    assert [e.event.slug for e in upcoming] == ["baltimore-call"]
    assert [e.event.slug for e in past] == [WORKSHOP, "strategies"]
