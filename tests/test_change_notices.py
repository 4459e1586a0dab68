"""Change notices: one per person confirmed or waiting, saying what changed (old -> new) in their language and
zone, after a quiet period, with the net change; an updated calendar file; and an import by another process
picked up by the running bot."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from bot.app.schedule import SWEEP_SECONDS
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import parse_agenda
from bot.render.i18n import translator
from storage import Database
from storage.records import EventStatus, Texts
from tests.harness import EXAMPLE, Harness

GIULIA, MIKE, ANNA = 701, 702, 703
WORKSHOP = "collaborative-services"
CALL = "baltimore-call"
START = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)  # 11:00 in Turin
DELAY = timedelta(minutes=2)


def _example(**changes: dict) -> list:
    return [replace(e, **changes[e.slug]) if e.slug in changes else e
            for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]


def _moved(hours: float) -> dict:
    return {"starts_at": START + timedelta(hours=hours), "ends_at": START + timedelta(hours=hours + 2)}


async def _people(bot: Harness, slug: str = WORKSHOP, capacity: int | None = 1) -> None:
    """Giulia (Turin, Italian) has the seat, Mike (Baltimore, English) waits for it."""
    await bot.services.agenda.apply(_example(**{slug: {"capacity": capacity}}))
    await bot.onboard(GIULIA, "Giulia", "it", "Torino")
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    for person in (GIULIA, MIKE):
        await bot.services.signups.sign_up(person, slug)


def _notices(bot: Harness, person: int) -> list:
    return [m for m in bot.telegram.chat(person) if m.text.startswith(("🔔", "❌", "✅ Good", "✅ Buone"))]


async def _later(bot: Harness, delta: timedelta) -> int:
    bot.services.clock.advance(delta)
    return await bot.services.dispatcher.dispatch_due()


async def test_a_moved_event_tells_everyone_once_old_and_new_in_their_zone(bot: Harness) -> None:
    await _people(bot)
    report = await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, **_moved(4)}}))
    assert report.notified == {WORKSHOP: 2}
    assert await _later(bot, DELAY - timedelta(seconds=1)) == 0  # the quiet period
    assert await _later(bot, timedelta(seconds=1)) == 2
    (giulia,) = _notices(bot, GIULIA)
    assert "Novità su" in giulia.text
    assert "Quando: mercoledì 20 gennaio, 11:00–13:00 → mercoledì 20 gennaio, 15:00–17:00" in giulia.text
    assert bot.telegram.button(giulia, "calendario aggiornato") == f"ics:{WORKSHOP}"
    assert bot.telegram.button(giulia, "Dettagli") == f"event:{WORKSHOP}"
    (mike,) = _notices(bot, MIKE)
    assert "has changed" in mike.text and "When:" in mike.text
    before, after = mike.text.split("→")
    assert "5:00" in before and "9:00" in after and "in Baltimore" in after  # his clock, saying whose
    assert all("calendar" not in b["text"] for row in mike.keyboard for b in row)  # no seat, no calendar entry
    assert await _later(bot, timedelta(minutes=10)) == 0  # once


async def test_the_updated_calendar_file_keeps_its_uid_with_a_higher_sequence(bot: Harness) -> None:
    await _people(bot)
    await bot.press_data(GIULIA, f"ics:{WORKSHOP}")
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, **_moved(4)}}))
    await _later(bot, DELAY)
    await bot.press(GIULIA, "calendario aggiornato")
    first, second = (icalendar.Calendar.from_ical(c.files["document"][1]).walk("VEVENT")[0]
                     for c in bot.telegram.calls_to("sendDocument")[-2:])
    assert first["UID"] == second["UID"]
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second.decoded("DTSTART").hour == 15


async def test_title_and_description_edits_alone_tell_nobody(bot: Harness) -> None:
    await _people(bot)
    report = await bot.services.agenda.apply(_example(**{WORKSHOP: {
        "capacity": 1, "title": Texts("Nuovo titolo", "New title"), "description": Texts("Altro", "Other")}}))
    assert report.changed == [WORKSHOP] and report.notified == {}
    assert await _later(bot, timedelta(hours=1)) == 0


async def test_changes_within_the_quiet_period_make_one_notice_with_the_net_change(bot: Harness) -> None:
    await _people(bot)
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, **_moved(2)}}))
    await _later(bot, timedelta(minutes=1))
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, **_moved(4)}}))
    await _later(bot, timedelta(minutes=1))
    (giulia,) = _notices(bot, GIULIA)
    assert "11:00–13:00 → mercoledì 20 gennaio, 15:00–17:00" in giulia.text
    assert await _later(bot, timedelta(minutes=10)) == 0


async def test_a_change_undone_within_the_quiet_period_tells_nobody(bot: Harness) -> None:
    await _people(bot)
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, **_moved(4)}}))
    await _later(bot, timedelta(minutes=1))
    report = await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1}}))
    assert report.notified == {}  # back to what people were told
    assert await _later(bot, timedelta(minutes=5)) == 0
    assert _notices(bot, GIULIA) == _notices(bot, MIKE) == []


@pytest.mark.parametrize(("person", "cancelled", "restored"), [
    (GIULIA, "Gli organizzatori hanno annullato", "torna in programma"),
    (MIKE, "has been canceled by the organizers", "Good news"),
])
async def test_cancelled_then_restored(bot: Harness, person: int, cancelled: str, restored: str) -> None:
    await _people(bot)
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, "status": EventStatus.CANCELLED}}))
    await _later(bot, DELAY)
    assert cancelled in _notices(bot, person)[-1].text
    await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1}}))
    await _later(bot, DELAY)
    assert restored in _notices(bot, person)[-1].text and len(_notices(bot, person)) == 2


async def test_a_new_venue_and_a_new_online_link(bot: Harness) -> None:
    await _people(bot, CALL)
    await bot.services.agenda.apply(_example(**{CALL: {
        "capacity": 1, "online_url": "https://meet.example.org/new-room",
        "venue": Texts("Sala Rossa", "Red Room"), "address": "Via Roma 1, Torino"}}))
    await _later(bot, DELAY)
    (giulia,) = _notices(bot, GIULIA)
    assert "Dove: Online (il link arriva agli iscritti) → Sala Rossa, Via Roma 1, Torino" in giulia.text
    assert "https://meet.example.org/new-room" in giulia.text
    (mike,) = _notices(bot, MIKE)  # waiting: told the link changed, not given it
    assert "Where: Online (the link goes to those signed up) → Red Room" in mike.text
    assert "goes to confirmed participants" in mike.text and "meet.example.org" not in mike.text


async def test_a_person_who_cancelled_is_not_told(bot: Harness) -> None:
    await _people(bot, capacity=None)
    await bot.services.signups.cancel(MIKE, WORKSHOP)
    await bot.services.agenda.apply(_example(**{WORKSHOP: _moved(4)}))
    await _later(bot, DELAY)
    assert len(_notices(bot, GIULIA)) == 1 and _notices(bot, MIKE) == []


async def test_a_running_bot_picks_up_an_import_made_by_another_process(bot: Harness, settings) -> None:
    await _people(bot)
    other = await Database.open(settings.db_path)  # `ponte agenda import`, with its own connection
    try:
        report = await Agenda(other, bot.services.clock, lambda: None, change_delay=DELAY).apply(
            _example(**{WORKSHOP: {"capacity": 1, **_moved(4)}}))
    finally:
        await other.close()
    assert report.notified == {WORKSHOP: 2}
    due = bot.services.clock.now() + DELAY
    assert await bot.services.dispatcher.next_due() == due  # the sweep's timer wakes for it
    assert SWEEP_SECONDS <= 5
    assert await _later(bot, DELAY) == 2


def test_the_import_says_how_many_people_each_change_will_tell(capsys) -> None:
    from bot.cli.agenda import _print_report
    from bot.domain.agenda import ImportReport

    report = ImportReport(changed=[WORKSHOP, CALL], notified={WORKSHOP: 1, CALL: 12})
    _print_report(translator("en"), report, dry_run=False)
    _print_report(translator("it"), report, dry_run=True)
    out = capsys.readouterr().out
    assert f"{WORKSHOP}: 1 person signed up or waiting will be told of this change in 2m" in out
    assert f"{CALL}: 12 people signed up or waiting will be told of this change in 2m" in out
    assert f"{WORKSHOP}: 1 persona iscritta o in attesa saprà di questa modifica tra 2m" in out
    assert f"{CALL}: 12 persone iscritte o in attesa sapranno di questa modifica tra 2m" in out


async def test_a_dry_run_counts_without_telling(bot: Harness) -> None:
    await _people(bot)
    report = await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, **_moved(4)}}), dry_run=True)
    assert report.notified == {WORKSHOP: 2}
    assert await _later(bot, timedelta(hours=1)) == 0


async def test_tidying_up_an_event_that_is_over_tells_nobody(bot: Harness) -> None:
    await _people(bot)
    bot.services.clock.set(START + timedelta(days=1))
    report = await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, **_moved(1)}}))
    assert report.changed == [WORKSHOP] and report.notified == {}
    assert await _later(bot, timedelta(hours=1)) == 0


async def test_a_person_who_blocked_the_bot_is_neither_counted_nor_told(bot: Harness) -> None:
    await _people(bot)
    await bot.services.people.blocked_us(MIKE)
    report = await bot.services.agenda.apply(_example(**{WORKSHOP: {"capacity": 1, **_moved(4)}}))
    assert report.notified == {WORKSHOP: 1}
    assert await _later(bot, DELAY) == 1 and _notices(bot, MIKE) == []
