"""One way to write a duration (settings and the agenda file); online links only for those with a seat; the
shell's clock."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config.clock import FixedClock, ShiftedClock
from bot.config.durations import DurationError, format_duration, parse_duration
from bot.config.settings import Settings, SettingsError
from bot.domain.agenda_file import AgendaFileError, dump_agenda, parse_agenda
from bot.render.i18n import translator
from bot.standin import FakeTelegram
from tests.harness import EXAMPLE, Harness
from tests.test_agenda_file import GOOD

TOKEN = "123:abc-abcdefghijklmnopqrstuvwxyz01234"
CALL = "baltimore-call"
LINK = "https://meet.jit.si/ponte-torino-baltimora"
GIULIA, MIKE = 851, 852


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("24h", 86400), ("2d", 172800),
                                               (" 1h ", 3600), ("0m", 0)])
def test_a_number_and_a_unit(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "h", "1", "1.5h", "-1h", "1 hour", "1w", "24H", "1h30m", "9999999d", 3, None])
def test_anything_else_is_refused(text: object) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


def test_durations_are_written_back_the_shortest_way() -> None:
    assert [format_duration(timedelta(seconds=s)) for s in (86400, 3600, 5400, 90, 120)] == \
        ["1d", "1h", "90m", "90s", "2m"]


def test_reminders_and_the_quiet_period_from_the_settings() -> None:
    settings = Settings.from_env({"PONTE_TOKEN": TOKEN}, env_file=None)
    assert settings.reminders == (timedelta(hours=24), timedelta(hours=1))
    assert settings.change_delay == timedelta(minutes=2)
    settings = Settings.from_env({"PONTE_TOKEN": TOKEN, "PONTE_REMINDERS": "15m, 2d,3h",
                                  "PONTE_CHANGE_DELAY": "90s"}, env_file=None)
    assert settings.reminders == (timedelta(days=2), timedelta(hours=3), timedelta(minutes=15))
    assert settings.change_delay == timedelta(seconds=90)
    assert Settings.from_env({"PONTE_TOKEN": TOKEN, "PONTE_REMINDERS": "none"}, env_file=None).reminders == ()


@pytest.mark.parametrize(("name", "value"), [("PONTE_REMINDERS", "24h,tomorrow"), ("PONTE_REMINDERS", "24"),
                                             ("PONTE_REMINDERS", "0m"), ("PONTE_CHANGE_DELAY", "2 minutes")])
def test_a_bad_duration_in_the_settings_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({"PONTE_TOKEN": TOKEN, name: value}, env_file=None)


def test_a_bad_duration_in_the_settings_is_said_in_italian(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")} | {"LANG": "it_IT.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "bot", "agenda", "export"], cwd=tmp_path,
                            env=env | {"PONTE_REMINDERS": "24h,domani"}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "PONTE_REMINDERS deve elencare durate" in result.stderr
    assert "domani non lo è" in result.stderr


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(AgendaFileError) as caught:
        parse_agenda(text)
    return [(p.line, p.field, p.message.format(**p.values)) for p in caught.value.problems]


def test_an_event_s_reminders_and_online_link_in_the_file() -> None:
    (event,) = parse_agenda(GOOD + 'reminders = ["15m", "2h"]\nonline_url = "https://meet.example.org/x"\n')
    assert event.reminders == (timedelta(hours=2), timedelta(minutes=15))
    assert event.online_url == "https://meet.example.org/x"
    assert parse_agenda(GOOD + "reminders = []\n")[0].reminders == ()
    assert parse_agenda(GOOD)[0].reminders is None  # the default, PONTE_REMINDERS
    assert parse_agenda(dump_agenda([event]))[0] == event


def test_mistakes_in_reminders_and_online_links_name_line_and_field() -> None:
    problems = _problems(GOOD + 'reminders = ["2h", "soon", "0s"]\nonline_url = "http://meet.example.org/x"\n')
    assert problems[0][:2] == (14, "workshop.reminders") and "soon is not a duration" in problems[0][2]
    assert problems[1][:2] == (14, "workshop.reminders") and "0 minutes" in problems[1][2]
    assert problems[2][:2] == (15, "workshop.online_url") and "https://" in problems[2][2]
    assert _problems(GOOD + 'reminders = "24h"\n')[0][1] == "workshop.reminders"


async def test_the_online_link_is_for_confirmed_participants_only(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/agenda")
    assert all(LINK not in m.text for m in bot.telegram.chat(GIULIA))  # never on the public agenda
    await bot.send(GIULIA, f"/start e_{CALL}")
    assert LINK not in bot.last(GIULIA).text  # nor in the detail before signing up
    await bot.press(GIULIA, "Iscriviti")
    assert f"Partecipa online: {LINK}" in bot.last(GIULIA).text
    await bot.send(GIULIA, "/my")
    assert LINK in bot.last(GIULIA).text
    await bot.press(GIULIA, "📅")
    import icalendar
    entry = icalendar.Calendar.from_ical(bot.telegram.calls_to("sendDocument")[-1].files["document"][1])
    assert str(entry.walk("VEVENT")[0]["URL"]) == LINK


async def test_a_waiting_person_does_not_see_the_link(agenda_bot: Harness) -> None:
    from dataclasses import replace

    bot = agenda_bot
    events = [replace(e, capacity=1) if e.slug == CALL else e for e in parse_agenda(EXAMPLE.read_text("utf-8"))]
    await bot.services.agenda.apply(events)
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.onboard(MIKE, "Mike", "en")
    await bot.services.signups.sign_up(GIULIA, CALL)
    await bot.send(MIKE, f"/start e_{CALL}")
    await bot.press(MIKE, "waiting list")
    assert "number 1 on the waiting list" in bot.last(MIKE).text and LINK not in bot.last(MIKE).text
    await bot.send(MIKE, "/my")
    assert LINK not in bot.last(MIKE).text


def test_the_example_video_conference_keeps_its_promise() -> None:
    call = next(e for e in parse_agenda(EXAMPLE.read_text("utf-8")) if e.slug == CALL)
    assert "the link goes to those signed up" in call.venue.en and call.online_url == LINK


def test_the_shell_s_clock_moves_ahead_with_wait() -> None:
    from bot.cli.shell import Shell

    start = datetime(2027, 1, 19, 9, 0, tzinfo=UTC)
    clock = ShiftedClock(FixedClock(start))
    for language, said in (("en", "moved 23h ahead: it is now Wednesday, January 20 at 9:00"),
                           ("it", "avanti di 23h: ora è giovedì 21 gennaio alle 08:00")):
        out = io.StringIO()
        shell = Shell(FakeTelegram(), translator(language), out, clock=clock, timezone="Europe/Rome")
        assert shell.command("/wait 23h")
        assert said in out.getvalue().replace("\u202f", " ")
        assert shell.command("/wait soon") and ("Usage: /wait" in out.getvalue() or "Uso: /wait" in out.getvalue())
    assert clock.now() == start + timedelta(hours=46)
    with pytest.raises(ValueError):
        clock.advance(timedelta(hours=-1))


def test_an_online_link_is_whole_and_within_its_limit() -> None:
    long_link = "https://meet.example.org/" + "a" * 300
    problems = _problems(GOOD + f'online_url = "{long_link}"\n')
    assert problems[0][:2] == (14, "workshop.online_url") and "at most 300" in problems[0][2]
    assert _problems(GOOD + 'online_url = "https://meet.example.org/x y"\n')[0][1] == "workshop.online_url"
