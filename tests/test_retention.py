"""Retention: a person's data is deleted PONTE_RETENTION_DAYS after their last event (or their last activity,
for whoever never signed up or was active since), by the running bot once a day and by `ponte purge`."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.app.retention import EVERY, schedule_retention
from bot.cli.purge import purge
from bot.config.clock import FixedClock
from bot.render.i18n import translator
from tests.feedback_rows import answer_visit
from tests.harness import Harness

ANNA, BRUNO, CARLA, DARIO = 7301, 7402, 7503, 7604
VISIT = "roccafranca-visit"
VISIT_ENDS = datetime(2027, 1, 20, 9, 45, tzinfo=UTC)  # 10:45 in Turin
A_YEAR = timedelta(days=365)


async def _four_people(bot: Harness, clock: FixedClock) -> None:
    """Anna went to the visit and answered its questionnaire; Bruno never signed up for anything; Carla went
    and changed her settings a month later; Dario signed up for the visit and cancelled."""
    for person, name in ((ANNA, "Anna"), (BRUNO, "Bruno"), (CARLA, "Carla"), (DARIO, "Dario")):
        await bot.onboard(person, name, "it")
    for person in (ANNA, CARLA, DARIO):
        await bot.send(person, f"/start e_{VISIT}")
        await bot.press(person, "✅")
    await bot.press_data(DARIO, f"cancel:{VISIT}")
    await bot.press(DARIO, "Sì")
    # Asked at the end of the visit; answered (answer_visit answers 2 minutes after asking) an hour after it.
    await answer_visit(bot.services.db, ANNA, VISIT, VISIT_ENDS + timedelta(minutes=58), rating=4,
                       actors=("city",), idea="Lo sportello nel bagno pubblico", language="it", city="torino")
    clock.set(VISIT_ENDS + timedelta(days=30))
    await bot.send(CARLA, "/settings")
    await bot.press(CARLA, "romemoria")  # the reminders switch, in Italian
    assert not (await bot.services.people.get(CARLA)).reminders


def _ids(leaving) -> list[int]:
    return [person.telegram_id for person in leaving]


def _dump(path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


async def test_who_goes_and_who_stays_at_the_boundary(agenda_bot: Harness, clock: FixedClock, caplog) -> None:
    bot = agenda_bot
    await _four_people(bot, clock)
    retention = bot.services.retention
    assert retention.days == 365

    # Exactly a year after the visit ended: Bruno (a year since he last did anything) goes; Anna's year is
    # not over, and the answer she gave an hour after the visit counts as activity.
    clock.set(VISIT_ENDS + A_YEAR)
    due = await retention.due()
    assert _ids(due) == [BRUNO]
    assert due[0].last_event_end is None and due[0].days_since == 374
    clock.set(VISIT_ENDS + timedelta(hours=1) + A_YEAR)
    assert _ids(await retention.due()) == [BRUNO, DARIO]  # Dario's event was the visit too; he had no answer
    clock.advance(timedelta(seconds=1))
    due = await retention.due()
    assert _ids(due) == [BRUNO, DARIO, ANNA]
    assert due[1].last_event_end == VISIT_ENDS and due[1].days_since == 365

    caplog.set_level(logging.INFO, logger="bot.domain.retention")
    deleted = await retention.purge()
    assert _ids(deleted) == [BRUNO, DARIO, ANNA]
    for person in (ANNA, BRUNO, DARIO):
        assert await bot.services.people.get(person) is None
    assert (await bot.services.people.get(CARLA)).consented  # active a month after the visit: a month to go
    logged = [record.getMessage() for record in caplog.records if record.name == "bot.domain.retention"]
    assert logged == [f"retention: deleted the data of 3 people with no event or activity in the last 365 days: "
                      f"{BRUNO}, {DARIO}, {ANNA}"]
    # The same deletion as a person's own: Anna's feedback stays in the report, detached from her.
    with sqlite3.connect(bot.services.settings.db_path) as connection:
        assert connection.execute("SELECT participant_id, language FROM response").fetchall() == [(None, "it")]
    assert await retention.purge() == []

    clock.set(VISIT_ENDS + timedelta(days=30) + A_YEAR + timedelta(seconds=1))
    assert _ids(await retention.purge()) == [CARLA]


async def test_a_person_who_came_back_meanwhile_is_not_deleted(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await bot.onboard(BRUNO, "Bruno", "it")
    clock.advance(A_YEAR + timedelta(days=1))
    [leaving] = await bot.services.retention.due()
    await bot.send(BRUNO, "/settings")
    await bot.press(BRUNO, "romemoria")  # he comes back between the list and the deletion
    assert not await bot.services.people.forget(leaving.telegram_id, idle_before=clock.now() - A_YEAR)
    assert (await bot.services.people.get(BRUNO)).consented


async def test_the_running_bot_checks_once_a_day(agenda_bot: Harness, clock: FixedClock) -> None:
    bot = agenda_bot
    await bot.onboard(BRUNO, "Bruno", "it")
    schedule_retention(bot.app.job_queue, bot.services.retention, bot.services.people)
    [job] = bot.app.job_queue.get_jobs_by_name("retention")
    assert job.job.trigger.interval == EVERY
    clock.advance(A_YEAR)
    await job.callback(None)
    assert await bot.services.people.get(BRUNO) is not None
    clock.advance(timedelta(seconds=1))
    await job.callback(None)
    assert await bot.services.people.get(BRUNO) is None


@pytest.mark.parametrize(("language", "would", "done", "line"), [
    ("en", "2 people would be deleted (--dry-run: nothing was changed):", "Deleted the data of 2 people:",
     f"  {DARIO}: last event ended January 20, 2027, 365 days ago"),
    ("it", "2 persone verrebbero cancellate (--dry-run: non è cambiato nulla):", "Cancellati i dati di 2 persone:",
     f"  {DARIO}: ultimo evento: 20 gennaio 2027, 365 giorni fa"),
])
async def test_ponte_purge_lists_then_deletes_in_the_terminals_language(
        agenda_bot: Harness, clock: FixedClock, capsys, language: str, would: str, done: str, line: str) -> None:
    bot = agenda_bot
    await _four_people(bot, clock)
    clock.set(VISIT_ENDS + timedelta(minutes=30) + A_YEAR)
    settings = bot.services.settings
    await bot.services.db.empty_log()
    before = _dump(settings.db_path)
    t = translator(language)
    # The command runs its own event loop, as from the terminal, on the database the bot has open.

    assert await asyncio.to_thread(purge, settings, t, dry_run=True, clock=clock) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == would and listed[2] == line
    assert listed[1].startswith(f"  {BRUNO}: ") and ("374" in listed[1])
    assert _dump(settings.db_path) == before, "a dry run changes nothing"

    people = bot.services.people
    await people.forget_cache_if_changed_elsewhere()
    assert await people.get(BRUNO) is not None
    assert await asyncio.to_thread(purge, settings, t, dry_run=False, clock=clock) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [done, listed[1], line]
    with sqlite3.connect(settings.db_path) as connection:
        left = {row[0] for row in connection.execute("SELECT telegram_id FROM participant")}
    assert left == {ANNA, CARLA}
    # The running bot keeps the people it met in memory; its look at other processes' writes (every 5 s)
    # drops them, so a deleted person is met afresh.
    await people.forget_cache_if_changed_elsewhere()
    assert await people.get(BRUNO) is None and await people.get(DARIO) is None
    await bot.send(BRUNO, "/start")
    assert "Sei d'accordo?" in bot.last(BRUNO).text

    assert await asyncio.to_thread(purge, settings, t, dry_run=True, clock=clock) == 0
    assert "365" in capsys.readouterr().out


async def test_the_database_tells_writes_by_another_process_from_its_own(db) -> None:
    assert await db.changed_elsewhere()  # the first look: nothing is known yet
    async with db.transaction() as tx:
        await tx.participants.ensure(BRUNO, datetime(2027, 1, 11, tzinfo=UTC))
    assert not await db.changed_elsewhere()
    with sqlite3.connect(db.path) as other:
        other.execute("DELETE FROM participant WHERE telegram_id = ?", (BRUNO,))
    assert await db.changed_elsewhere()
    assert not await db.changed_elsewhere()


async def test_ponte_purge_says_when_activity_came_after_the_last_event(
        agenda_bot: Harness, clock: FixedClock, capsys) -> None:
    bot = agenda_bot
    await _four_people(bot, clock)
    clock.set(VISIT_ENDS + timedelta(days=30) + A_YEAR + timedelta(days=2))
    assert await asyncio.to_thread(purge, bot.services.settings, translator("en"), dry_run=True, clock=clock) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "4 people would be deleted (--dry-run: nothing was changed):"
    assert lines[-1] == f"  {CARLA}: last event ended January 20, 2027; last active February 19, 2027, 367 days ago"


async def test_a_walk_in_is_counted_from_the_event_they_came_to(agenda_bot: Harness, clock: FixedClock) -> None:
    """Bruno never signed up, but came to the visit and scanned its code: the visit is his last event."""
    bot = agenda_bot
    await bot.onboard(BRUNO, "Bruno", "it")
    _, code = await bot.services.checkins.operator_code(VISIT)
    clock.set(VISIT_ENDS - timedelta(minutes=30))
    await bot.send(BRUNO, f"/start c_{code}")
    clock.set(VISIT_ENDS + A_YEAR)
    assert await bot.services.retention.due() == []
    clock.advance(timedelta(seconds=1))
    [leaving] = await bot.services.retention.due()
    assert leaving.telegram_id == BRUNO and leaving.last_event_end == VISIT_ENDS
