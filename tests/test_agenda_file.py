"""The agenda file: every mistake with its line and field; nothing changes unless the file is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain.agenda_file import AgendaFileError, dump_agenda, parse_agenda
from tests.harness import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
GOOD = """
[[event]]
slug = "workshop"
kind = "workshop"
start = 2027-01-20T11:00:00
end = 2027-01-20T13:00:00
capacity = 30
title.it = "Servizi collaborativi"
title.en = "Collaborative services"
venue.it = "Bagni Pubblici di via Agliè"
venue.en = "Public baths of via Agliè"
description.it = "Laboratorio."
description.en = "Workshop."
"""


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(AgendaFileError) as caught:
        parse_agenda(text)
    return [(p.line, p.field, p.message.format(**p.values)) for p in caught.value.problems]


def test_the_example_agenda_follows_the_article() -> None:
    events = {e.slug: e for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))}
    kinds = {e.kind for e in events.values()}
    assert kinds == {"presentation", "round_table", "site_visit", "workshop", "video_conference"}
    text = EXAMPLE.read_text(encoding="utf-8")
    for place in ("Cascina Roccafranca", "Bagni Pubblici di via Agliè", "Incet", "Laboratori di Barriera",
                  "Torino Nuova Economia", "Intesa Sanpaolo Innovation Center", "Torino City Lab"):
        assert place in text
    speakers = {s.name for e in events.values() for s in e.speakers}
    assert speakers == {"Mario Calderini", "Simone Grillo", "Raffaele Fedele", "Laura Orestano",
                        "Matteo Bartolomeo", "Fabio Sgaragli", "Monica Bertola", "Colin Tarbert"}
    assert "INVENTED" in text.split("[agenda]")[0] and "capacities" in text.split("[agenda]")[0]
    assert events["baltimore-call"].timezone == "America/New_York"


def test_export_then_import_round_trips() -> None:
    events = parse_agenda(EXAMPLE.read_text(encoding="utf-8"))
    assert parse_agenda(dump_agenda(events, "header")) == events


def test_bad_time_end_before_start_and_unknown_zone() -> None:
    text = GOOD.replace("start = 2027-01-20T11:00:00", 'start = "next tuesday"')
    assert (5, "workshop.start", 'next tuesday is not a date and time; write it as 2026-11-17T09:30:00') in \
        _problems(text)
    text = GOOD.replace("end = 2027-01-20T13:00:00", "end = 2027-01-20T10:00:00")
    assert _problems(text) == [(6, "workshop.end", "The event ends before it starts")]
    text = GOOD.replace('kind = "workshop"', 'kind = "workshop"\ntimezone = "Europe/Turin"')
    assert _problems(text)[0][:2] == (5, "workshop.timezone")


def test_missing_translation_and_duplicate_slug() -> None:
    text = GOOD.replace('title.en = "Collaborative services"\n', "") + GOOD
    problems = _problems(text)
    assert (8, "workshop.title.en", "The en translation is missing") in problems
    assert (15, "workshop.slug", "The slug workshop is already used by event number 1") in problems


def test_toml_syntax_error_names_its_line() -> None:
    assert _problems(GOOD + "\nslug = = 3\n")[0][0] == 15


async def test_import_reports_added_changed_and_left_alone(bot) -> None:
    report = await bot.services.agenda.apply(parse_agenda(GOOD))
    assert report.added == ["workshop"]
    report = await bot.services.agenda.apply(parse_agenda(GOOD.replace("Laboratorio.", "Laboratorio sui servizi.")))
    assert (report.added, report.changed, report.unchanged) == ([], ["workshop"], [])
    report = await bot.services.agenda.apply(parse_agenda(GOOD.replace("Laboratorio.", "Laboratorio sui servizi.")))
    assert report.unchanged == ["workshop"]


def _ponte(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    env |= {"PONTE_DB": str(tmp_path / "agenda.db"), "LANG": "en_US.UTF-8"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)


def test_cli_changes_nothing_when_the_file_has_a_mistake(tmp_path: Path) -> None:
    assert _ponte(tmp_path, "agenda", "import", str(EXAMPLE)).returncode == 0
    broken = tmp_path / "broken.toml"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("capacity = 25", "capacity = -3", 1)
                      .replace('title.en = "Turin and Baltimore: two strategies side by side"', 'title.en = ""'))
    result = _ponte(tmp_path, "agenda", "import", str(broken))
    assert result.returncode == 1
    assert "2 mistakes, nothing was changed" in result.stderr
    assert "strategies.title.en: The en translation is missing" in result.stderr
    assert "roccafranca-visit.capacity" in result.stderr
    exported = _ponte(tmp_path, "agenda", "export")
    assert parse_agenda(exported.stdout) == parse_agenda(EXAMPLE.read_text(encoding="utf-8"))


def test_cli_import_prints_what_changed(tmp_path: Path) -> None:
    first = _ponte(tmp_path, "agenda", "import", str(EXAMPLE))
    assert "Added: 8" in first.stdout
    out = tmp_path / "exported.toml"
    assert _ponte(tmp_path, "agenda", "export", "-o", str(out)).returncode == 0
    out.write_text(out.read_text(encoding="utf-8").replace("capacity = 120", "capacity = 150"))
    second = _ponte(tmp_path, "agenda", "import", str(out))
    assert "Changed: 1  (strategies)" in second.stdout and "Left alone: 7" in second.stdout


def test_help_is_complete() -> None:
    for args in ([], ["run"], ["shell"], ["agenda"], ["agenda", "import"], ["agenda", "export"]):
        result = subprocess.run([sys.executable, "-m", "bot", *args, "--help"], capture_output=True, text=True,
                                cwd=ROOT, timeout=60, env=os.environ | {"LANG": "en_US.UTF-8"})
        assert result.returncode == 0 and "usage: ponte" in result.stdout
